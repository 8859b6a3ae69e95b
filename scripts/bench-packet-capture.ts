/**
 * A kernel packet capture of RTP on loopback for the call benchmarks: tcpdump writes a
 * pcap with nanosecond timestamps, taken by the kernel as each packet goes through `lo`
 * (in the sender's send call), so the figures show when the sender sent, not when a busy
 * receiving process got round to reading. Needs tcpdump (Debian `tcpdump`) and root.
 */
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

/** RTP packets captured towards one UDP port, in capture order. */
export interface CapturedStream {
  port: number;
  timesNs: bigint[];
  sequence: number[];
  timestamp: number[];
}

/** Why a capture cannot run here, or undefined when it can. */
export function packetCaptureUnavailableReason(): string | undefined {
  if (spawnSync('tcpdump', ['--version'], { stdio: 'ignore' }).error) return 'tcpdump is not installed (apt-get install tcpdump)';
  if (process.getuid?.() !== 0) return 'capturing on lo needs root';
  return undefined;
}

/** A running tcpdump on `lo` for UDP towards the given ports. */
export class PacketCapture {
  private readonly dir = mkdtempSync(join(tmpdir(), 'portier-capture-'));
  private readonly file = join(this.dir, 'rtp.pcap');
  private readonly child: ChildProcess;
  private readonly exited: Promise<void>;

  private constructor(private readonly ports: number[]) {
    const filter = `udp and (${ports.map((p) => `dst port ${p}`).join(' or ')})`;
    // -s 64: link + IP + UDP + RTP headers are all the figures need; -U: write each packet out at once.
    this.child = spawn('tcpdump', ['-i', 'lo', '-n', '-s', '64', '-U', '--time-stamp-precision=nano', '-w', this.file, filter], {
      stdio: ['ignore', 'ignore', 'pipe'],
    });
    this.exited = new Promise((resolve) => this.child.once('exit', () => resolve()));
  }

  /** Starts tcpdump and waits until it is listening. */
  static async start(ports: number[]): Promise<PacketCapture> {
    const capture = new PacketCapture(ports);
    await new Promise<void>((resolve, reject) => {
      let said = '';
      const timer = setTimeout(() => reject(new Error(`tcpdump did not start: ${said}`)), 5000);
      capture.child.stderr!.setEncoding('utf8').on('data', (text: string) => {
        said += text;
        if (said.includes('listening on')) {
          clearTimeout(timer);
          resolve();
        }
      });
      capture.child.once('exit', (code) => {
        clearTimeout(timer);
        reject(new Error(`tcpdump exited (${code}): ${said}`));
      });
    });
    return capture;
  }

  /** Stops the capture and returns one stream per port. */
  async stop(): Promise<CapturedStream[]> {
    this.child.kill('SIGINT');
    await this.exited;
    try {
      return parseRtpPcap(readFileSync(this.file), this.ports);
    } finally {
      rmSync(this.dir, { recursive: true, force: true });
    }
  }
}

/** Link-layer header bytes of the pcap link types tcpdump uses on Linux loopback. */
const LINK_HEADER: Record<number, number> = { 1: 14 /* Ethernet */, 113: 16 /* Linux cooked */, 276: 20 /* Linux cooked v2 */, 0: 4 /* BSD loopback */ };

/** Reads a nanosecond pcap of IPv4 UDP packets and groups the RTP ones (not RTCP) by destination port. */
export function parseRtpPcap(pcap: Buffer, ports: number[]): CapturedStream[] {
  const magic = pcap.readUInt32LE(0);
  if (magic !== 0xa1b23c4d) throw new Error(`not a little-endian nanosecond pcap (magic ${magic.toString(16)})`);
  const linkType = pcap.readUInt32LE(20);
  const link = LINK_HEADER[linkType];
  if (link === undefined) throw new Error(`unexpected pcap link type ${linkType}`);
  const streams = new Map(ports.map((port) => [port, { port, timesNs: [] as bigint[], sequence: [] as number[], timestamp: [] as number[] }]));
  for (let at = 24; at + 16 <= pcap.length; ) {
    const seconds = pcap.readUInt32LE(at);
    const nanos = pcap.readUInt32LE(at + 4);
    const captured = pcap.readUInt32LE(at + 8);
    const packet = pcap.subarray(at + 16, at + 16 + captured);
    at += 16 + captured;
    const ip = link;
    if (packet.length < ip + 20 || packet[ip]! >> 4 !== 4 || packet[ip + 9] !== 17) continue;
    const udp = ip + (packet[ip]! & 0x0f) * 4;
    const rtp = udp + 8;
    if (packet.length < rtp + 12 || (packet[rtp]! & 0xc0) !== 0x80) continue;
    const payloadType = packet[rtp + 1]! & 0x7f;
    if (payloadType >= 72 && payloadType <= 76) continue; // RTCP on the RTP port (mux)
    const stream = streams.get(packet.readUInt16BE(udp + 2));
    if (!stream) continue;
    stream.timesNs.push(BigInt(seconds) * 1_000_000_000n + BigInt(nanos));
    stream.sequence.push(packet.readUInt16BE(rtp + 2));
    stream.timestamp.push(packet.readUInt32BE(rtp + 4));
  }
  return [...streams.values()];
}
