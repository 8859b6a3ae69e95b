/**
 * Garbage and retained memory per answered SIP OPTIONS: a SipStack on 127.0.0.1 (as the
 * product runs it, silent logger) answers OPTIONS that a child process sends from a dgram
 * socket, like SIPp in the RTP timing benchmark (unique Call-ID, branch and From tag each,
 * at most 32 unanswered at a time). Prints, as medians over the rounds:
 *
 * - bytes allocated per OPTIONS answered: the heap's growth while no GC ran (run with a
 *   young generation big enough to hold a round, see below; a round in which a GC ran is
 *   repeated);
 * - bytes retained per OPTIONS: heap after a full GC with the round's transactions alive
 *   (UDP Timer J keeps each for 64*T1 = 32 s), minus the heap after a full GC before it; and
 *   the same for ArrayBuffer memory outside the heap (datagrams, serialized messages);
 * - with --sites, the top allocation sites of one more round from V8's sampling heap
 *   profiler (objects collected by minor and major GCs included).
 *
 *   node --expose-gc --max-semi-space-size=64 --min-semi-space-size=64 --import tsx \
 *     scripts/bench-sip-options-garbage.ts [requests-per-round] [rounds] [--sites]
 *
 * Loopback only, bounded: every round ends or fails within 30 s.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { Session } from 'node:inspector/promises';
import { PerformanceObserver } from 'node:perf_hooks';
import { getHeapStatistics } from 'node:v8';
import { SipStack } from '../src/sip/sip-stack.js';

const args = process.argv.slice(2).filter((a) => !a.startsWith('--'));
const PER_ROUND = Number(args[0] ?? 1000);
const ROUNDS = Number(args[1] ?? 5);
const SITES = process.argv.includes('--sites');

const gc = (globalThis as { gc?: () => void }).gc;
if (!gc) {
  process.stderr.write('run with --expose-gc (see the header)\n');
  process.exit(64);
}

/** The sender: a plain Node script (no loader) so that its start costs the measured process nothing. */
const SENDER = `
const dgram = require('node:dgram');
const [port, window] = process.argv.slice(1).map(Number);
const sock = dgram.createSocket('udp4');
let next = 0, answered = 0, target = 0, pid = process.pid;
function send() {
  const n = next++;
  const msg = 'OPTIONS sip:127.0.0.1:' + port + ' SIP/2.0\\r\\n' +
    'Via: SIP/2.0/UDP 127.0.0.1:' + sock.address().port + ';branch=z9hG4bK-' + pid + '-' + n + ';rport\\r\\n' +
    'Max-Forwards: 70\\r\\n' +
    'From: <sip:sipp@127.0.0.1:' + sock.address().port + '>;tag=' + pid + 'SIPpTag00' + n + '\\r\\n' +
    'To: <sip:127.0.0.1:' + port + '>\\r\\n' +
    'Call-ID: ' + n + '-' + pid + '@127.0.0.1\\r\\n' +
    'CSeq: 1 OPTIONS\\r\\n' +
    'Accept: application/sdp\\r\\n' +
    'Content-Length: 0\\r\\n\\r\\n';
  sock.send(msg, port, '127.0.0.1');
}
sock.on('message', (m) => {
  if (!m.toString('latin1', 0, 12).startsWith('SIP/2.0 200')) return;
  answered++;
  if (answered === target) process.send({ done: answered });
  else if (next < target) send();
});
sock.bind(0, '127.0.0.1', () => process.send({ ready: true }));
process.on('message', (m) => {
  target += m.count;
  for (let i = 0; i < window && next < target; i++) send();
});
`;

function startSender(port: number): Promise<ChildProcess> {
  const child = spawn(process.execPath, ['-e', SENDER, String(port), '32'], { stdio: ['ignore', 'inherit', 'inherit', 'ipc'] });
  return new Promise((resolve, reject) => {
    child.once('message', () => resolve(child));
    child.once('exit', (code) => reject(new Error(`sender exited (${code})`)));
  });
}

function sendRound(sender: ChildProcess, count: number): Promise<void> {
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error('round not answered within 30 s')), 30_000);
    sender.once('message', () => {
      clearTimeout(timer);
      resolve();
    });
    sender.send({ count });
  });
}

const median = (xs: number[]): number => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)] ?? NaN;

let gcs = 0;
new PerformanceObserver((list) => (gcs += list.getEntries().length)).observe({ entryTypes: ['gc'] });

const stack = await SipStack.start({ listen: [{ protocol: 'udp', address: '127.0.0.1', port: 0 }] });
const port = stack.transport.listeningPoints[0]!.port;
const sender = await startSender(port);
const serverCount = (): number => stack.core.transactions.serverTransactionCount;

// Warm up: JIT, inline caches, maps.
for (let i = 0; i < 3; i++) await sendRound(sender, PER_ROUND);

const allocated: number[] = [];
const retained: number[] = [];
const retainedBuffers: number[] = [];
let attempts = 0;
while (allocated.length < ROUNDS && attempts++ < ROUNDS * 4) {
  gc();
  gc();
  // GC entries reach the observer asynchronously: let the forced ones arrive first.
  await new Promise((r) => setTimeout(r, 50));
  const gcsBefore = gcs;
  const before = getHeapStatistics().used_heap_size;
  const buffersBefore = process.memoryUsage().arrayBuffers;
  const live = serverCount();
  await sendRound(sender, PER_ROUND);
  const after = getHeapStatistics().used_heap_size;
  await new Promise((r) => setTimeout(r, 50));
  const cleanRound = gcs === gcsBefore;
  gc();
  gc();
  const kept = getHeapStatistics().used_heap_size;
  const buffersKept = process.memoryUsage().arrayBuffers;
  const added = serverCount() - live;
  if (cleanRound) allocated.push((after - before) / PER_ROUND);
  if (added > 0) {
    retained.push((kept - before) / added);
    retainedBuffers.push((buffersKept - buffersBefore) / added);
  }
}

process.stdout.write(
  `${PER_ROUND} OPTIONS a round, ${allocated.length} clean rounds (of ${attempts}); ${serverCount()} server transactions alive\n` +
    `allocated per OPTIONS: ${median(allocated).toFixed(0)} B (rounds: ${allocated.map((b) => b.toFixed(0)).join(', ')})\n` +
    `retained per OPTIONS:  ${median(retained).toFixed(0)} B (rounds: ${retained.map((b) => b.toFixed(0)).join(', ')})\n` +
    `  + outside the heap:   ${median(retainedBuffers).toFixed(0)} B of ArrayBuffers (rounds: ${retainedBuffers.map((b) => b.toFixed(0)).join(', ')})\n`,
);

if (SITES) {
  const session = new Session();
  session.connect();
  await session.post('HeapProfiler.enable');
  await session.post('HeapProfiler.startSampling', {
    samplingInterval: 256,
    includeObjectsCollectedByMajorGC: true,
    includeObjectsCollectedByMinorGC: true,
  } as never);
  await sendRound(sender, PER_ROUND);
  const { profile } = (await session.post('HeapProfiler.stopSampling')) as unknown as {
    profile: { head: SamplingNode; samples: Array<{ size: number; nodeId: number }> };
  };
  session.disconnect();
  printSites(profile.head);
}

sender.kill();
await stack.close();

interface SamplingNode {
  callFrame: { functionName: string; url: string; lineNumber: number };
  selfSize: number;
  id: number;
  children: SamplingNode[];
}

/** Self bytes per function (and per call path of three frames), per OPTIONS. */
function printSites(head: SamplingNode): void {
  const self = new Map<string, number>();
  const paths = new Map<string, number>();
  let total = 0;
  const name = (n: SamplingNode): string => {
    const file = n.callFrame.url.replace(/^.*\/(src|scripts|node_modules)\//, '$1/');
    return `${n.callFrame.functionName || '(anon)'} ${file}:${n.callFrame.lineNumber + 1}`;
  };
  const walk = (n: SamplingNode, stack: string[]): void => {
    const here = [...stack, name(n)];
    if (n.selfSize > 0) {
      total += n.selfSize;
      self.set(here.at(-1)!, (self.get(here.at(-1)!) ?? 0) + n.selfSize);
      const key = here.slice(-3).join('  <  ');
      paths.set(key, (paths.get(key) ?? 0) + n.selfSize);
    }
    for (const c of n.children) walk(c, here);
  };
  walk(head, []);
  const top = (m: Map<string, number>, k: number): string =>
    [...m]
      .sort((a, b) => b[1] - a[1])
      .slice(0, k)
      .map(([site, bytes]) => `${(bytes / PER_ROUND).toFixed(0).padStart(7)} B  ${site}`)
      .join('\n');
  process.stdout.write(`\nsampled ${(total / PER_ROUND).toFixed(0)} B per OPTIONS; top functions (self):\n${top(self, 30)}\n`);
  process.stdout.write(`\ntop call paths (innermost last):\n${[...paths]
    .sort((a, b) => b[1] - a[1])
    .slice(0, 30)
    .map(([p, bytes]) => `${(bytes / PER_ROUND).toFixed(0).padStart(7)} B  ${p.split('  <  ').reverse().join('  <  ')}`)
    .join('\n')}\n`);
}
