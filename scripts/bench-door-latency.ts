/**
 * Door station latencies on loopback: `node --import tsx scripts/bench-door-latency.ts [presses] [codes]`.
 *
 * 1. Button press → INVITE on the wire: from the simulated GPIO driver reporting the
 *    debounced press to a raw UDP socket (standing in for the flat) receiving the
 *    INVITE; the socket answers 486 so every press is a short call attempt.
 * 2. DTMF end event → relay output: the raw socket answers the INVITE with SDP and
 *    sends `1234#` as RFC 4733 events; measured from sending the `#` end packet on
 *    loopback (an upper bound of its reception) to the simulated relay line switching.
 *
 * Targets (issue 4): press → INVITE p99 ≤ 5 ms; DTMF → relay p99 ≤ 5 ms.
 */
import { createSocket, type RemoteInfo, type Socket } from 'node:dgram';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { DoorStation } from '../src/app/door-station.js';
import { validateConfig } from '../src/config/validate-config.js';
import type { SimGpioDriver } from '../src/hw/gpio/sim-gpio-driver.js';
import { silentLogger } from '../src/log/logger.js';

const PRESSES = Number(process.argv[2] ?? 200);
const CODES = Number(process.argv[3] ?? 200);
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

function stats(label: string, samples: number[]): void {
  const s = [...samples].sort((a, b) => a - b);
  const q = (p: number) => s[Math.min(s.length - 1, Math.ceil((p / 100) * s.length) - 1)]!;
  process.stdout.write(`${label.padEnd(34)} n=${s.length}  p50=${q(50).toFixed(3)} ms  p99=${q(99).toFixed(3)} ms  max=${s.at(-1)!.toFixed(3)} ms\n`);
}

/** A minimal UAS on a raw UDP socket: answers each INVITE with `status` (200 with SDP, or 486). */
class RawFlat {
  readonly sip: Socket = createSocket('udp4');
  readonly rtp: Socket = createSocket('udp4');
  status = 486;
  onInvite: ((at: number, sdp: string) => void) | undefined;
  private toTag = 0;

  async bind(): Promise<void> {
    await new Promise<void>((r) => this.sip.bind(0, '127.0.0.1', r));
    await new Promise<void>((r) => this.rtp.bind(0, '127.0.0.1', r));
    this.sip.on('message', (msg, rinfo) => this.receive(msg, rinfo));
  }

  get port(): number {
    return this.sip.address().port;
  }

  private receive(msg: Buffer, rinfo: RemoteInfo): void {
    const at = performance.now();
    const text = msg.toString('latin1');
    const method = /^(\w+) /.exec(text)?.[1];
    if (method === 'INVITE') {
      const [head, body = ''] = text.split('\r\n\r\n');
      this.onInvite?.(at, body);
      this.respond(head!, rinfo, this.status);
    } else if (method === 'BYE' || method === 'CANCEL') {
      this.respond(text.split('\r\n\r\n')[0]!, rinfo, 200);
    }
  }

  private respond(head: string, rinfo: RemoteInfo, status: number): void {
    const lines = head.split('\r\n');
    const pick = (name: string) => lines.filter((l) => l.toLowerCase().startsWith(`${name.toLowerCase()}:`));
    const to = pick('To')[0]!;
    const headers = [
      ...pick('Via'),
      pick('From')[0]!,
      /;tag=/.test(to) ? to : `${to};tag=flat${++this.toTag}`,
      pick('Call-ID')[0]!,
      pick('CSeq')[0]!,
      `Contact: <sip:flat@127.0.0.1:${this.port}>`,
    ];
    const isInvite = /^INVITE /.test(lines[0]!);
    let body = '';
    if (status === 200 && isInvite) {
      const port = this.rtp.address().port;
      body = ['v=0', 'o=flat 1 1 IN IP4 127.0.0.1', 's=-', 'c=IN IP4 127.0.0.1', 't=0 0', `m=audio ${port} RTP/AVP 0 101`, 'a=rtpmap:0 PCMU/8000', 'a=rtpmap:101 telephone-event/8000', 'a=fmtp:101 0-15', 'a=ptime:20', 'a=sendrecv', ''].join('\r\n');
      headers.push('Content-Type: application/sdp');
    }
    headers.push(`Content-Length: ${Buffer.byteLength(body)}`);
    const reason = status === 200 ? 'OK' : 'Busy Here';
    this.sip.send(Buffer.from(`SIP/2.0 ${status} ${reason}\r\n${headers.join('\r\n')}\r\n\r\n${body}`, 'latin1'), rinfo.port, rinfo.address);
  }

  close(): void {
    this.sip.close();
    this.rtp.close();
  }
}

/** RFC 4733 telephone-event packets from the raw flat to the door's RTP port. */
class RtpSender {
  private seq = 1000;
  private ts = 16000;
  constructor(
    private readonly socket: Socket,
    private readonly port: number,
  ) {}

  private packet(pt: number, marker: boolean, payload: Buffer, ts = this.ts): Buffer {
    const h = Buffer.alloc(12);
    h[0] = 0x80;
    h[1] = (marker ? 0x80 : 0) | pt;
    h.writeUInt16BE(this.seq++ & 0xffff, 2);
    h.writeUInt32BE(ts >>> 0, 4);
    h.writeUInt32BE(0x12345678, 8);
    return Buffer.concat([h, payload]);
  }

  silence(): void {
    this.ts += 160;
    this.socket.send(this.packet(0, false, Buffer.alloc(160, 0xff)), this.port, '127.0.0.1');
  }

  /** Sends one key: a start packet, then the end packet three times; returns when the first end packet was sent. */
  key(event: number): number {
    this.ts += 800;
    const ev = (end: boolean, duration: number) => Buffer.from([event, (end ? 0x80 : 0) | 10, duration >> 8, duration & 0xff]);
    this.socket.send(this.packet(101, true, ev(false, 160), this.ts), this.port, '127.0.0.1');
    const sentAt = performance.now();
    for (let i = 0; i < 3; i++) this.socket.send(this.packet(101, false, ev(true, 800), this.ts), this.port, '127.0.0.1');
    return sentAt;
  }
}

async function main(): Promise<void> {
  const dir = mkdtempSync(join(tmpdir(), 'portier-bench-'));
  const flat = new RawFlat();
  await flat.bind();
  const config = validateConfig({
    sip: {
      accounts: [{ id: 'door', registrar: `sip:127.0.0.1:${flat.port}`, register: false, username: 'door' }],
      listen: [{ transport: 'udp', address: '127.0.0.1', port: 0 }],
    },
    audio: { driver: 'sim', sim: { source: 'silence' } },
    hardware: { driver: 'sim', board: 'sim' },
    buttons: [{ input: 'bell1', targets: [`sip:flat@127.0.0.1:${flat.port}`], callLimitSeconds: 0, hangUpAfterDoorOpenSeconds: 0 }],
    doors: { relays: [{ name: 'front', output: 'relay1', pulseMs: 50 }], codes: [{ code: '1234', relay: 'front' }], bruteForce: { globalLimit: 10_000, wrongCodesPerCall: 100 } },
    http: { enabled: false },
    eventLog: { path: join(dir, 'events.jsonl'), maxBytes: 64 * 1024 * 1024 },
  });
  const station = await DoorStation.start(config, { logger: silentLogger, env: {} });
  const hw = station.current!.hardware;
  const driver = hw.driver as SimGpioDriver;
  const bell = hw.pins.inputs.get('bell1')!.line;
  const relay = hw.pins.outputs.get('relay1')!.line;

  // --- 1. press → INVITE -------------------------------------------------------------------
  let pressedAt = 0;
  driver.events.on('input', (line, active) => {
    if (line === bell && active) pressedAt = performance.now();
  });
  const pressToInvite: number[] = [];
  for (let i = 0; i < PRESSES + 10; i++) {
    const invited = new Promise<number>((resolve) => (flat.onInvite = (at) => resolve(at)));
    driver.simulate(bell, true);
    const at = await invited;
    if (i >= 10) pressToInvite.push(at - pressedAt); // the first presses warm up the JIT
    await new Promise<void>((resolve) => {
      const check = () => (station.status.snapshot().call.state === 'idle' ? resolve() : setTimeout(check, 2));
      check();
    });
    driver.simulate(bell, false);
    await sleep(45); // past the 30 ms debounce of the release
  }
  stats('button press → INVITE on the wire', pressToInvite);

  // --- 2. DTMF end → relay -----------------------------------------------------------------
  flat.status = 200;
  const offer = new Promise<string>((resolve) => (flat.onInvite = (_at, sdp) => resolve(sdp)));
  driver.simulate(bell, true);
  const sdp = await offer;
  const doorRtpPort = Number(/m=audio (\d+)/.exec(sdp)![1]);
  const rtp = new RtpSender(flat.rtp, doorRtpPort);
  const media = setInterval(() => rtp.silence(), 20);
  while (station.status.snapshot().call.state !== 'connected') await sleep(5);
  driver.simulate(bell, false);
  let relayOnAt = 0;
  driver.events.on('output', (line, active) => {
    if (line === relay && active) relayOnAt = performance.now();
  });
  const dtmfToRelay: number[] = [];
  const keys = [1, 2, 3, 4, 11]; // 1 2 3 4 #
  for (let i = 0; i < CODES + 10; i++) {
    relayOnAt = 0;
    let sentAt = 0;
    for (const k of keys) {
      sentAt = rtp.key(k);
      await sleep(3);
    }
    const deadline = performance.now() + 1000;
    while (relayOnAt === 0 && performance.now() < deadline) await sleep(1);
    if (relayOnAt === 0) throw new Error(`code ${i}: the relay did not switch`);
    if (i >= 10) dtmfToRelay.push(relayOnAt - sentAt);
    await sleep(70); // the 50 ms pulse ends
  }
  clearInterval(media);
  stats('DTMF end event → relay switched', dtmfToRelay);

  await station.stop();
  flat.close();
  rmSync(dir, { recursive: true, force: true });
  process.stdout.write('targets: p99 ≤ 5 ms each\n');
}

await main();
