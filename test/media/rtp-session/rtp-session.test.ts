import { createSocket, type Socket } from 'node:dgram';
import { afterEach, describe, expect, it } from 'vitest';
import type { Logger } from '../../../src/log/logger.js';
import { PcmuCodec } from '../../../src/media/codec/pcmu-codec.js';
import { RtpPacket } from '../../../src/media/rtp/rtp-packet.js';
import type { NegotiatedMedia } from '../../../src/media/sdp/negotiated-media.js';
import { RtpSession, FRAME_SAMPLES } from '../../../src/media/rtp-session/rtp-session.js';
import { RtpSessionError } from '../../../src/media/rtp-session/rtp-session-error.js';
import type { RtpSessionOptions } from '../../../src/media/rtp-session/rtp-session-options.js';

const HOST = '127.0.0.1';
const RANGE = { min: 26000, max: 26999 };
const pcmu = new PcmuCodec();

const open: Array<RtpSession | Socket> = [];

afterEach(() => {
  for (const thing of open.splice(0)) {
    if (thing instanceof RtpSession) thing.close();
    else thing.close();
  }
});

async function session(options: Partial<RtpSessionOptions> = {}): Promise<RtpSession> {
  const s = await RtpSession.open({ address: HOST, portRange: RANGE, rtcpIntervalMs: 60_000, ...options });
  open.push(s);
  return s;
}

function mediaTo(peer: { localRtpPort: number }, overrides: Partial<NegotiatedMedia> = {}): NegotiatedMedia {
  return {
    remoteAddress: HOST,
    remoteRtpPort: peer.localRtpPort,
    remoteRtcpAddress: HOST,
    remoteRtcpPort: peer.localRtpPort + 1,
    codec: { name: 'PCMU', pt: 0, clockRate: 8000 },
    dtmfPt: 101,
    ptime: 20,
    direction: 'sendrecv',
    send: true,
    recv: true,
    remoteHold: false,
    ...overrides,
  };
}

async function pair(a: Partial<RtpSessionOptions> = {}, b: Partial<RtpSessionOptions> = {}) {
  const alice = await session(a);
  const bob = await session(b);
  alice.start(mediaTo(bob));
  bob.start(mediaTo(alice));
  return { alice, bob };
}

function udpSocket(): Promise<Socket> {
  return new Promise((resolve) => {
    const socket = createSocket('udp4');
    open.push(socket);
    socket.bind(0, HOST, () => resolve(socket));
  });
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

async function until(condition: () => boolean, timeoutMs = 3000): Promise<void> {
  const end = Date.now() + timeoutMs;
  while (!condition()) {
    if (Date.now() > end) throw new Error('condition not met in time');
    await sleep(10);
  }
}

/** A frame whose samples all carry `value`, as the far end will decode it. */
const frameOf = (value: number) => new Int16Array(FRAME_SAMPLES).fill(value);
const decoded = (value: number) => pcmu.decode(pcmu.encode(new Int16Array([value])))[0]!;

describe('RtpSession over loopback', () => {
  it('binds an even RTP port with RTCP on the next one, inside the range', async () => {
    const s = await session();
    expect(s.localRtpPort % 2).toBe(0);
    expect(s.localRtpPort).toBeGreaterThanOrEqual(RANGE.min);
    expect(s.localRtcpPort).toBe(s.localRtpPort + 1);
    expect(s.localRtcpPort).toBeLessThanOrEqual(RANGE.max);
  });

  it('skips a port pair in use and fails with a typed error when none is left', async () => {
    const blocker = createSocket('udp4');
    open.push(blocker);
    await new Promise<void>((resolve) => blocker.bind(26901, HOST, () => resolve()));
    const s = await session({ portRange: { min: 26900, max: 26903 } });
    expect(s.localRtpPort).toBe(26902);
    const failure = await session({ portRange: { min: 26900, max: 26903 } }).catch((e: unknown) => e);
    expect(failure).toBeInstanceOf(RtpSessionError);
    expect((failure as RtpSessionError).reason).toBe('bind');
    expect((failure as RtpSessionError).code).toBe('PORTIER_ERR_RTP_SESSION');
  });

  it('delivers audio frames decoded and in order', async () => {
    const { alice, bob } = await pair({}, { playout: 'clock' });
    const heard: number[] = [];
    bob.on('audio', (frame) => {
      expect(frame).toHaveLength(FRAME_SAMPLES);
      // The first frame after silence is faded in over its first samples (concealer), so look at the tail.
      const last = frame[FRAME_SAMPLES - 1]!;
      if (last !== 0 && frame.subarray(FRAME_SAMPLES / 2).every((v) => v === last)) heard.push(last);
    });
    const values = Array.from({ length: 25 }, (_, i) => (i + 1) * 300);
    let next = 0;
    alice.startPacedSending(() => (next < values.length ? frameOf(values[next++]!) : undefined));
    await until(() => heard.length >= values.length);
    expect(heard.slice(0, values.length)).toEqual(values.map(decoded));
    expect(bob.stats.packetsReceived).toBeGreaterThanOrEqual(values.length);
    expect(bob.stats.packetsLost).toBe(0);
    expect(bob.stats.jitterBuffer?.played).toBeGreaterThanOrEqual(values.length);
    expect(alice.stats.packetsSent).toBeGreaterThanOrEqual(values.length);
    expect(alice.stats.octetsSent).toBe(alice.stats.packetsSent * 160);
  });

  it('plays 30 ms packets from the peer as a continuous stream of 20 ms frames', async () => {
    const alice = await session();
    const bob = await session({ playout: 'clock' });
    alice.start(mediaTo(bob, { ptime: 30 }));
    bob.start(mediaTo(alice));
    const runs: number[] = [];
    bob.on('audio', (frame) => {
      for (const v of frame) if (v !== 0 && v !== runs.at(-1)) runs.push(v);
    });
    const values = Array.from({ length: 30 }, (_, i) => (i + 1) * 200);
    let next = 0;
    alice.startPacedSending(() => (next < values.length ? frameOf(values[next++]!) : undefined));
    await until(() => runs.includes(decoded(values.at(-1)!)));
    // Ignore the fade-in ramp of the first frame and the fade-out after the last.
    const start = runs.indexOf(decoded(values[0]!));
    const end = runs.indexOf(decoded(values.at(-1)!));
    // Neighbouring values may share a G.711 step, so compare runs of equal samples.
    const expected = values.map(decoded).filter((v, i, all) => v !== all[i - 1]);
    expect(runs.slice(start, end + 1)).toEqual(expected);
    expect(bob.stats.octetsReceived % 240).toBe(0);
  });

  it('reports DTMF keys sent by the other side once each, in order', async () => {
    const { alice, bob } = await pair();
    const keys: string[] = [];
    bob.on('dtmf', (digit) => keys.push(digit));
    alice.startPacedSending(() => undefined);
    expect(alice.canSendDtmf).toBe(true);
    alice.sendDtmf('1', { durationMs: 60 });
    alice.sendDtmf('#', { durationMs: 60 });
    await until(() => keys.length >= 2);
    await sleep(200); // retransmitted end packets must not report again
    expect(keys).toEqual(['1', '#']);
  });

  it('refuses DTMF when telephone-event was not negotiated', async () => {
    const alice = await session();
    const bob = await session();
    alice.start(mediaTo(bob, { dtmfPt: undefined }));
    expect(alice.canSendDtmf).toBe(false);
    expect(() => alice.sendDtmf('5')).toThrow(RtpSessionError);
  });

  it('latches to where the peer really sends from (symmetric RTP) and answers there', async () => {
    const alice = await session();
    const bob = await session();
    // Bob's SDP view of Alice is wrong (her private address behind a NAT, say): port 26998 where nobody listens.
    bob.start(mediaTo(alice, { remoteRtpPort: 26998, remoteRtcpPort: 26999 }));
    alice.start(mediaTo(bob));
    const latched: Array<[string, number]> = [];
    bob.on('latched', (address, port) => latched.push([address, port]));
    alice.startPacedSending(() => frameOf(1000));
    bob.startPacedSending(() => frameOf(2000));
    await until(() => latched.length > 0 && alice.stats.packetsReceived > 5);
    expect(latched).toEqual([[HOST, alice.localRtpPort]]);
    expect(bob.stats.latched).toBe(true);
    expect(bob.stats.remoteRtp).toEqual({ address: HOST, port: alice.localRtpPort });
    // The packets before the latch were from an unexpected source: at most the confirmation count.
    expect(bob.stats.dropped.unexpectedSource).toBeLessThanOrEqual(2);
  });

  it('ignores spoofed packets from another port, even with the right SSRC and payload type', async () => {
    const { alice, bob } = await pair({ initial: { ssrc: 0xa11ce } }, { playout: 'clock' });
    const heard = new Set<number>();
    bob.on('audio', (frame) => heard.add(frame[0]!));
    alice.startPacedSending(() => frameOf(1000));
    await until(() => bob.stats.latched && bob.stats.packetsReceived > 3);
    const spoofer = await udpSocket();
    for (let i = 0; i < 20; i++) {
      const packet = new RtpPacket({ payloadType: 0, sequenceNumber: 40000 + i, timestamp: 1_000_000 + i * 160, ssrc: 0xa11ce, payload: pcmu.encode(frameOf(-8000)) });
      spoofer.send(packet.serialize(), bob.localRtpPort, HOST);
      await sleep(2);
    }
    await sleep(150);
    expect(heard.has(decoded(1000))).toBe(true);
    expect(heard.has(decoded(-8000))).toBe(false);
    expect(bob.stats.remoteRtp).toEqual({ address: HOST, port: alice.localRtpPort });
    // Once latched the RTP socket is connected to the peer: the kernel drops the spoofed
    // datagrams before they reach the session, so they are not even counted.
    expect(bob.stats.dropped.unexpectedSource).toBe(0);
    expect(bob.stats.dropped.unexpectedSsrc).toBe(0);
  });

  it('drops packets from a stranger before latching, by the latch itself', async () => {
    const alice = await session();
    const bob = await session({ playout: 'clock' });
    bob.start(mediaTo(alice));
    const stranger = await udpSocket();
    // Two packets from a source that is not in the SDP: below the latch's confirmation count.
    for (let i = 0; i < 2; i++) {
      stranger.send(new RtpPacket({ payloadType: 0, sequenceNumber: 7 + i, timestamp: 160 * i, ssrc: 5, payload: pcmu.encode(frameOf(-8000)) }).serialize(), bob.localRtpPort, HOST);
    }
    await until(() => bob.stats.dropped.unexpectedSource === 2);
    expect(bob.stats.latched).toBe(false);
    expect(bob.stats.packetsReceived).toBe(0);
  });

  it('after a new SDP address, forgets the latched peer and latches to the new one, both ways', async () => {
    const { alice, bob } = await pair({}, { playout: 'clock' });
    const carol = await session();
    const heard = new Set<number>();
    bob.on('audio', (frame) => heard.add(frame[0]!));
    alice.startPacedSending(() => frameOf(1000));
    bob.startPacedSending(() => frameOf(2000));
    await until(() => bob.stats.latched && alice.stats.packetsReceived > 3 && heard.has(decoded(1000)));
    // A re-INVITE moves the call to Carol (a transfer, or the PBX re-anchoring media).
    alice.stopPacedSending();
    carol.start(mediaTo(bob));
    bob.updateRemote(mediaTo(carol));
    expect(bob.stats.latched).toBe(false);
    expect(bob.stats.remoteRtp).toEqual({ address: HOST, port: carol.localRtpPort });
    carol.startPacedSending(() => frameOf(3000));
    await until(() => heard.has(decoded(3000)) && carol.stats.packetsReceived > 3);
    expect(bob.stats.latched).toBe(true);
    expect(bob.stats.remoteRtp).toEqual({ address: HOST, port: carol.localRtpPort });
    const aliceHad = alice.stats.packetsReceived;
    await sleep(100);
    // Bob now sends to Carol only; Alice, gone from the SDP, is not listened to either.
    expect(alice.stats.packetsReceived).toBe(aliceHad);
    alice.startPacedSending(() => frameOf(-4000));
    await sleep(150);
    expect(heard.has(decoded(-4000))).toBe(false);
  });

  it('stays quiet (no warnings, no crash) while a latched peer refuses its packets', async () => {
    const warnings: string[] = [];
    const logger: Logger = {
      debug: () => undefined,
      info: () => undefined,
      warn: (message: string) => warnings.push(message),
      error: (message: string) => warnings.push(message),
      child: () => logger,
    };
    const { alice, bob } = await pair({}, { logger });
    alice.startPacedSending(() => frameOf(1000));
    bob.startPacedSending(() => frameOf(2000));
    await until(() => bob.stats.latched && alice.stats.packetsReceived > 3);
    alice.close(); // Alice's port now answers ICMP 'port unreachable'
    const sent = bob.stats.packetsSent;
    await sleep(200);
    expect(bob.stats.packetsSent).toBeGreaterThan(sent + 5);
    expect(warnings).toEqual([]);
  });

  it('counts and drops malformed packets and unknown payload types', async () => {
    const { bob } = await pair();
    const stranger = await udpSocket();
    stranger.send(Buffer.from([1, 2, 3]), bob.localRtpPort, HOST);
    stranger.send(new RtpPacket({ payloadType: 13, sequenceNumber: 1, timestamp: 1, ssrc: 1, payload: Buffer.from([0]) }).serialize(), bob.localRtpPort, HOST);
    await until(() => bob.stats.dropped.malformed === 1 && bob.stats.dropped.unknownPayloadType === 1);
    expect(bob.stats.packetsReceived).toBe(0);
  });

  it('exchanges RTCP: SR from the sender, RR back with a report block giving round-trip time and loss', async () => {
    const { alice, bob } = await pair({ rtcpIntervalMs: 80 }, { rtcpIntervalMs: 80 });
    const reports: Array<{ rttMs: number | undefined; fractionLost: number }> = [];
    alice.on('rtcp', (r) => reports.push(r));
    alice.startPacedSending(() => frameOf(500));
    await until(() => reports.some((r) => r.rttMs !== undefined));
    const withRtt = reports.find((r) => r.rttMs !== undefined)!;
    expect(withRtt.rttMs).toBeGreaterThanOrEqual(0);
    expect(withRtt.rttMs).toBeLessThan(200);
    expect(withRtt.fractionLost).toBe(0);
    expect(alice.stats.rttMs).toBeDefined();
    expect(alice.stats.remote?.cumulativeLost).toBe(0);
    expect(bob.stats.rtcpReceived).toBeGreaterThan(0);
    expect(alice.stats.rtcpReceived).toBeGreaterThan(0);
    // Bob never sent RTP, so Alice has no report block about him and no RTT from his side.
    expect(bob.stats.rttMs).toBeUndefined();
  });

  it('fires the inactivity timeout when no RTP comes, but not while on hold', async () => {
    const alice = await session({ inactivityTimeoutMs: 150 });
    const bob = await session();
    const inactive: number[] = [];
    alice.on('inactive', (ms) => inactive.push(ms));
    alice.start(mediaTo(bob, { direction: 'sendonly', recv: false }));
    await sleep(300);
    expect(inactive).toEqual([]);
    alice.updateRemote(mediaTo(bob, { direction: 'recvonly', send: false, remoteHold: true }));
    await sleep(300);
    expect(inactive).toEqual([]);
    alice.updateRemote(mediaTo(bob));
    await until(() => inactive.length === 1);
    expect(inactive[0]).toBeGreaterThanOrEqual(140);
    await sleep(250);
    expect(inactive).toHaveLength(1);
  });

  it('does not time out while RTP keeps coming', async () => {
    const { alice, bob } = await pair({}, { inactivityTimeoutMs: 250 });
    const inactive: number[] = [];
    bob.on('inactive', (ms) => inactive.push(ms));
    alice.startPacedSending(() => undefined);
    await sleep(700);
    expect(inactive).toEqual([]);
    alice.stopPacedSending();
    await until(() => inactive.length === 1);
  });

  it('stops sending on hold and resumes with updateRemote', async () => {
    const { alice, bob } = await pair();
    alice.startPacedSending(() => frameOf(700));
    await until(() => bob.stats.packetsReceived > 3);
    alice.updateRemote(mediaTo(bob, { direction: 'recvonly', send: false }));
    await sleep(50);
    const sentOnHold = alice.stats.packetsSent;
    await sleep(150);
    expect(alice.stats.packetsSent).toBe(sentOnHold);
    alice.updateRemote(mediaTo(bob));
    await until(() => alice.stats.packetsSent > sentOnHold + 3);
  });

  it('close() sends RTCP BYE, releases the ports, and is idempotent', async () => {
    const { alice, bob } = await pair();
    const byes: Array<string | undefined> = [];
    bob.on('remoteBye', (reason) => byes.push(reason));
    alice.startPacedSending(() => frameOf(100));
    await until(() => bob.stats.packetsReceived > 2);
    let closedEvents = 0;
    alice.on('closed', () => closedEvents++);
    const port = alice.localRtpPort;
    alice.close('call ended');
    alice.close();
    expect(closedEvents).toBe(1);
    expect(alice.closed).toBe(true);
    await until(() => byes.length === 1);
    expect(byes).toEqual(['call ended']);
    alice.sendAudioFrame(frameOf(1));
    expect(() => alice.updateRemote(mediaTo(bob))).toThrow(RtpSessionError);
    // The port pair is free again.
    await sleep(20);
    const again = await session({ portRange: { min: port, max: port + 1 } });
    expect(again.localRtpPort).toBe(port);
  });
});
