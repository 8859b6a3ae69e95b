/**
 * CPU and memory of one call, Portier beside baresip 1.0.0 in the same run: CPU seconds
 * per minute of call (utime+stime of all threads from /proc/<pid>/stat, between the answer
 * and the hang-up; for Portier plus its aplay child, whose playback work baresip does in its
 * own process) and peak resident memory (VmHWM from /proc/<pid>/status). Portier runs
 * in a child process of its own (scripts/bench-portier-call.ts, compiled to JavaScript). Loopback only;
 * bounded (default 60 s calls).
 *
 *   node --import tsx scripts/bench-call-resources.ts [seconds] [options-per-second]
 *
 * Targets: Portier CPU ≤ baresip's; Portier RSS ≤ 60 MB.
 */
import { loadavg } from 'node:os';
import { runCallPair, secondsFromArgs } from './bench-call-pair.js';

const seconds = secondsFromArgs(60);
const optionsRate = process.argv[3] !== undefined ? Number(process.argv[3]) : 0;
process.stderr.write(`call resources: ${seconds} s calls from Portier and baresip side by side${optionsRate ? `, ${optionsRate} OPTIONS/s on each` : ''}\n`);
const runs = await runCallPair({ seconds, optionsRate });

const rows: Array<[string, ...string[]]> = [];
const perRun = (pick: (r: (typeof runs)[number]) => string): string[] => runs.map(pick);
const minutes = (r: (typeof runs)[number]): number => (r.atEnd.at - r.atConnect.at) / 60_000;
const cpuPerMinute = runs.map((r) => (r.atEnd.cpuSeconds - r.atConnect.cpuSeconds) / minutes(r));
rows.push(['call measured (s)', ...perRun((r) => ((r.atEnd.at - r.atConnect.at) / 1000).toFixed(1))]);
rows.push(['CPU s per minute of call (process)', ...cpuPerMinute.map((v) => v.toFixed(3))]);
// The playback process (Portier's aplay) is part of the caller's work: baresip plays in-process.
const childCpu = (r: (typeof runs)[number]): number =>
  r.children.reduce((sum, c) => sum + (c.atEnd === undefined ? 0 : c.atEnd.cpuSeconds - c.atConnect.cpuSeconds), 0);
const cpuInclPlayer = runs.map((r, i) => cpuPerMinute[i]! + childCpu(r) / minutes(r));
rows.push(['CPU s/min of its player child (aplay)', ...runs.map((r) => (r.children.length === 0 ? '-' : (childCpu(r) / minutes(r)).toFixed(3)))]);
rows.push(['CPU s/min incl. aplay', ...cpuInclPlayer.map((v) => v.toFixed(3))]);
rows.push(['CPU % of one core, incl. aplay', ...cpuInclPlayer.map((v) => ((v / 60) * 100).toFixed(2))]);
rows.push(['CPU s before the answer (start-up)', ...perRun((r) => r.atConnect.cpuSeconds.toFixed(2))]);
rows.push(['RSS at answer (MB)', ...perRun((r) => (r.atConnect.vmRssKb / 1024).toFixed(1))]);
rows.push(['RSS at hang-up (MB)', ...perRun((r) => (r.atEnd.vmRssKb / 1024).toFixed(1))]);
rows.push(['peak RSS, VmHWM (MB)', ...perRun((r) => (r.atEnd.vmHwmKb / 1024).toFixed(1))]);
rows.push(['RTP packets received from it', ...perRun((r) => String(r.stream?.arrivalsNs.length ?? 0))]);

const width = Math.max(...rows.map((r) => r[0].length));
process.stdout.write(`${''.padEnd(width)}  ${'Portier'.padStart(10)}  ${'baresip 1.0.0'.padStart(14)}\n`);
for (const [label, p, b] of rows) process.stdout.write(`${label.padEnd(width)}  ${p!.padStart(10)}  ${b!.padStart(14)}\n`);
const [portier, baresip] = runs;
const cpuOk = cpuInclPlayer[0]! <= cpuInclPlayer[1]!;
const rssOk = portier!.atEnd.vmHwmKb / 1024 <= 60;
process.stdout.write(`targets: CPU incl. aplay ≤ baresip's ${cpuOk ? 'met' : 'NOT met'}; peak RSS ≤ 60 MB ${rssOk ? 'met' : 'NOT met'}\n`);
process.stdout.write(`(pids ${portier!.pid} / ${baresip!.pid}; load average during the run ${loadavg().map((l) => l.toFixed(2)).join(' ')}; Portier runs compiled on plain node, see bench-call-pair.ts)\n`);
