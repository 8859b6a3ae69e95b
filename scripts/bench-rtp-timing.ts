/**
 * RTP send timing of a call, Portier beside baresip 1.0.0 in the same run, while each
 * caller answers 200 SIP OPTIONS per second from SIPp. Packets are timed from a kernel
 * capture on `lo` (tcpdump, nanosecond stamps taken in the sender's send call), so a busy
 * receiver does not blur the senders' timing; the receiving socket's own stamps
 * (process.hrtime when Node delivered each packet) are printed below for comparison.
 * Prints the inter-packet interval's deviation from 20 ms (median, p99, max), the
 * packets received, and the drift of the sender's clock.
 * Loopback only; bounded (the call lasts the given seconds, default 60).
 *
 *   node --import tsx scripts/bench-rtp-timing.ts [seconds] [options-per-second]
 *
 * Target: Portier p99 ≤ 1 ms, and no worse than baresip.
 */
import type { ArrivalStream } from './bench-call-receiver.js';
import { runCallPair, secondsFromArgs } from './bench-call-pair.js';
import { PacketCapture, packetCaptureUnavailableReason, type CapturedStream } from './bench-packet-capture.js';

/** The receiver's RTP ports (see bench-call-pair.ts): what the capture listens for. */
const RECEIVER_RTP_PORTS = [27800, 27802];

/** Packets after the answer that are left out of the interval figures (start-up). */
const WARM_UP_PACKETS = 25;
const OPTIONS_RATE = process.argv[3] !== undefined ? Number(process.argv[3]) : 200;

interface TimingFigures {
  received: number;
  /** Sequence-number span of what arrived: packets the sender sent in that time. */
  sent: number;
  /** Packets a 50 pps clock would have sent between the first and the last arrival. */
  expected: number;
  medianDevMs: number;
  p99DevMs: number;
  maxDevMs: number;
  medianIntervalMs: number;
  /** Share of intervals more than 2 ms / 5 ms off 20 ms, %. */
  over2msPct: number;
  over5msPct: number;
  /** Sender's media clock against ours: RTP timestamp advance vs arrival-time advance, ppm. */
  clockDriftPpm: number;
  durationS: number;
}

function quantile(sorted: number[], q: number): number {
  if (sorted.length === 0) return NaN;
  return sorted[Math.min(sorted.length - 1, Math.ceil(q * sorted.length) - 1)]!;
}

/** Packet times (ns) and RTP header fields of one stream, in order. */
type Timed = Pick<ArrivalStream, 'arrivalsNs' | 'sequence' | 'timestamp'>;

function analyse(stream: Timed): TimingFigures {
  const n = stream.arrivalsNs.length;
  const intervals: number[] = [];
  for (let i = WARM_UP_PACKETS + 1; i < n; i++) intervals.push(Number(stream.arrivalsNs[i]! - stream.arrivalsNs[i - 1]!) / 1e6);
  const deviations = intervals.map((ms) => Math.abs(ms - 20)).sort((a, b) => a - b);
  const sortedIntervals = [...intervals].sort((a, b) => a - b);
  const first = WARM_UP_PACKETS;
  const last = n - 1;
  const wallS = Number(stream.arrivalsNs[last]! - stream.arrivalsNs[first]!) / 1e9;
  const rtpS = ((stream.timestamp[last]! - stream.timestamp[first]! + 2 ** 32) % 2 ** 32) / 8000;
  const seqSpan = ((stream.sequence[last]! - stream.sequence[first]! + 65536) % 65536) + 1;
  return {
    received: n,
    sent: seqSpan + first,
    expected: Math.round(wallS * 50) + 1 + first,
    medianDevMs: quantile(deviations, 0.5),
    p99DevMs: quantile(deviations, 0.99),
    maxDevMs: deviations.at(-1) ?? NaN,
    medianIntervalMs: quantile(sortedIntervals, 0.5),
    over2msPct: (deviations.filter((d) => d > 2).length / deviations.length) * 100,
    over5msPct: (deviations.filter((d) => d > 5).length / deviations.length) * 100,
    clockDriftPpm: ((rtpS - wallS) / wallS) * 1e6,
    durationS: Number(stream.arrivalsNs[last]! - stream.arrivalsNs[0]!) / 1e9,
  };
}

const seconds = secondsFromArgs(60);
process.stderr.write(`RTP timing: ${seconds} s calls from Portier and baresip side by side, ${OPTIONS_RATE} OPTIONS/s on each\n`);
const noCapture = packetCaptureUnavailableReason();
if (noCapture) process.stderr.write(`no packet capture (${noCapture}): timing from the receiving socket instead\n`);
const capture = noCapture ? undefined : await PacketCapture.start(RECEIVER_RTP_PORTS);
let runs: Awaited<ReturnType<typeof runCallPair>>;
let captured: CapturedStream[] | undefined;
try {
  runs = await runCallPair({ seconds, optionsRate: OPTIONS_RATE });
} finally {
  captured = await capture?.stop();
}
const rows: Array<[string, string, string]> = [];
const add = (label: string, p: string, b: string): void => void rows.push([label, p, b]);
const usable = (s: Timed | undefined): s is Timed => s !== undefined && s.arrivalsNs.length > WARM_UP_PACKETS + 2;
const fromSocket = runs.map((r) => (usable(r.stream) ? analyse(r.stream) : undefined));
const fromCapture = runs.map((r) => {
  const c = captured?.find((s) => s.port === r.stream?.port);
  const timed = c ? { arrivalsNs: c.timesNs, sequence: c.sequence, timestamp: c.timestamp } : undefined;
  return usable(timed) ? analyse(timed) : undefined;
});
const figures = capture ? fromCapture : fromSocket;
const [portier, baresip] = figures;
process.stdout.write(`timed from: ${capture ? 'kernel packet capture on lo (tcpdump)' : 'the receiving socket (process.hrtime)'}\n`);
const fmt = (f: TimingFigures | undefined, pick: (f: TimingFigures) => number, digits = 3): string => (f ? pick(f).toFixed(digits) : 'n/a');
add('packets received', fmt(portier, (f) => f.received, 0), fmt(baresip, (f) => f.received, 0));
add(`packets expected (50/s × ${seconds} s)`, String(seconds * 50), String(seconds * 50));
add('packets sent (sequence span)', fmt(portier, (f) => f.sent, 0), fmt(baresip, (f) => f.sent, 0));
add('expected by arrival span', fmt(portier, (f) => f.expected, 0), fmt(baresip, (f) => f.expected, 0));
add('sent − expected (packets)', fmt(portier, (f) => f.sent - f.expected, 0), fmt(baresip, (f) => f.sent - f.expected, 0));
add('RTP clock drift (ppm)', fmt(portier, (f) => f.clockDriftPpm, 0), fmt(baresip, (f) => f.clockDriftPpm, 0));
add('median interval (ms)', fmt(portier, (f) => f.medianIntervalMs), fmt(baresip, (f) => f.medianIntervalMs));
add('|interval − 20 ms| median', fmt(portier, (f) => f.medianDevMs), fmt(baresip, (f) => f.medianDevMs));
add('|interval − 20 ms| p99', fmt(portier, (f) => f.p99DevMs), fmt(baresip, (f) => f.p99DevMs));
add('intervals > 2 ms off (%)', fmt(portier, (f) => f.over2msPct, 2), fmt(baresip, (f) => f.over2msPct, 2));
add('intervals > 5 ms off (%)', fmt(portier, (f) => f.over5msPct, 2), fmt(baresip, (f) => f.over5msPct, 2));
add('|interval − 20 ms| max', fmt(portier, (f) => f.maxDevMs), fmt(baresip, (f) => f.maxDevMs));
if (capture) {
  const [ps, bs] = fromSocket;
  add('receiving socket: |interval − 20 ms| p99', fmt(ps, (f) => f.p99DevMs), fmt(bs, (f) => f.p99DevMs));
  add('receiving socket: packets', fmt(ps, (f) => f.received, 0), fmt(bs, (f) => f.received, 0));
}
for (const [i, r] of runs.entries()) {
  const stats = r.load?.stats;
  const cell = stats ? `${stats.successfulCalls ?? 0} ok / ${stats.failedCalls ?? 0} failed` : 'n/a';
  if (i === 0) add('OPTIONS answered (SIPp)', cell, '');
  else rows.at(-1)![2] = cell;
}
const width = Math.max(...rows.map((r) => r[0].length));
process.stdout.write(`${''.padEnd(width)}  ${'Portier'.padStart(14)}  ${'baresip 1.0.0'.padStart(14)}\n`);
for (const [label, p, b] of rows) process.stdout.write(`${label.padEnd(width)}  ${p.padStart(14)}  ${b.padStart(14)}\n`);
if (portier && baresip) {
  const verdict = portier.p99DevMs <= 1 && portier.p99DevMs <= baresip.p99DevMs ? 'met' : 'NOT met';
  process.stdout.write(`target (Portier p99 ≤ 1 ms and ≤ baresip's): ${verdict}\n`);
}
process.stdout.write(`(intervals exclude the first ${WARM_UP_PACKETS} packets after the answer)\n`);
