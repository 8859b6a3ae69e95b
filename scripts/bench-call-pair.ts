/**
 * Runs the two callers of the call benchmarks side by side, on loopback, in one run:
 * Portier (scripts/bench-portier-call.ts in a child process) and baresip 1.0.0, both
 * calling the same receiver (scripts/bench-call-receiver.ts) at the same time, each
 * optionally loaded with SIPp OPTIONS at a fixed rate. Samples each caller's
 * /proc/<pid>/stat and /proc/<pid>/status when its call is up and when it ends.
 */
import { spawn, spawnSync } from 'node:child_process';
import { readdirSync, readFileSync } from 'node:fs';
import { dirname, join, relative } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { mkdirSync, mkdtempSync, rmSync } from 'node:fs';
import { startBaresip, type BaresipInstance } from '../test/integration/support/baresip.js';
import { pulseAudioUnavailableReason, startPulseAudio, type PulseAudioInstance } from '../test/integration/support/pulseaudio.js';
import { optionsScenario } from '../test/integration/support/sipp-scenarios.js';
import { startSipp, type SippResult, type SippServer } from '../test/integration/support/sipp.js';
import { startCallReceiver, type ArrivalStream } from './bench-call-receiver.js';

// Loopback ports (Portier's call-media range): receiver SIP 36435, Portier SIP 36436,
// baresip SIP 36437 / ctrl 36487, SIPp 36430/36431 (+50 control);
// RTP: receiver 27800/27802, Portier 27700–27749, baresip 27750–27799.
// PORTIER_BENCH_PORT_OFFSET shifts them all, so that two benchmarks can run at once (e.g. 1500).
const PORT_OFFSET = Number(process.env.PORTIER_BENCH_PORT_OFFSET ?? 0) || 0;
const PORTS = {
  receiverSip: 36435 + PORT_OFFSET,
  portierSip: 36436 + PORT_OFFSET,
  baresipSip: 36437 + PORT_OFFSET,
  baresipCtrl: 36487 + PORT_OFFSET,
  sippPortier: 36430 + PORT_OFFSET,
  sippBaresip: 36431 + PORT_OFFSET,
  receiverRtp: [27800 + PORT_OFFSET, 27802 + PORT_OFFSET] as [number, number],
  portierRtp: { min: 27700 + PORT_OFFSET, max: 27749 + PORT_OFFSET },
  baresipRtp: { min: 27750 + PORT_OFFSET, max: 27799 + PORT_OFFSET },
};

/**
 * The V8 flags Portier runs with in production (scripts/run, systemd/portier.service):
 * the benchmark's Portier process gets the same, so its figures are the product's. Keep
 * the three in step.
 */
export const PORTIER_NODE_FLAGS: readonly string[] = ['--max-semi-space-size=1'];

/** Extra node arguments for the Portier child, e.g. PORTIER_BENCH_NODE_ARGS='--cpu-prof --cpu-prof-dir=/tmp/prof'. */
function extraNodeArgs(): string[] {
  return (process.env.PORTIER_BENCH_NODE_ARGS ?? '').split(/\s+/).filter(Boolean);
}

/** CPU and memory of one process at one moment. */
export interface ProcSample {
  /** utime + stime, seconds. */
  cpuSeconds: number;
  /** Peak resident set (VmHWM), kB. */
  vmHwmKb: number;
  /** Resident set now (VmRSS), kB. */
  vmRssKb: number;
  /** performance.now() when sampled. */
  at: number;
}

/** What one caller did in the run. */
export interface CallerRun {
  name: 'portier' | 'baresip';
  pid: number;
  atConnect: ProcSample;
  atEnd: ProcSample;
  stream: ArrivalStream | undefined;
  /** The OPTIONS load SIPp put on this caller, if any. */
  load: SippResult | undefined;
  /**
   * The caller's child processes doing its playback (Portier's aplay), sampled at the
   * same moments: their CPU is the caller's work too (baresip plays in its own process).
   */
  children: Array<{ pid: number; atConnect: ProcSample; atEnd: ProcSample | undefined }>;
}

const CLOCK_TICKS = Number(spawnSync('getconf', ['CLK_TCK'], { encoding: 'utf8' }).stdout.trim()) || 100;

/** Reads utime+stime (all threads) and VmHWM/VmRSS of a live process. */
export function sampleProcess(pid: number): ProcSample {
  const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
  // Fields after "(comm) ": state is field 3, utime 14, stime 15 (1-based).
  const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
  const ticks = Number(fields[11]) + Number(fields[12]);
  const status = readFileSync(`/proc/${pid}/status`, 'utf8');
  const kb = (name: string): number => Number(new RegExp(`^${name}:\\s+(\\d+) kB`, 'm').exec(status)?.[1] ?? NaN);
  return { cpuSeconds: ticks / CLOCK_TICKS, vmHwmKb: kb('VmHWM'), vmRssKb: kb('VmRSS'), at: performance.now() };
}

/** Pids of the live children of `pid` (all its threads' children, from /proc). */
export function childPids(pid: number): number[] {
  const pids = new Set<number>();
  let tasks: string[] = [];
  try {
    tasks = readdirSync(`/proc/${pid}/task`);
  } catch {
    return [];
  }
  for (const task of tasks) {
    try {
      for (const child of readFileSync(`/proc/${pid}/task/${task}/children`, 'utf8').split(' ')) if (child.trim()) pids.add(Number(child));
    } catch {
      // the thread ended meanwhile
    }
  }
  return [...pids];
}

function trySample(pid: number): ProcSample | undefined {
  try {
    return sampleProcess(pid);
  } catch {
    return undefined;
  }
}

function withTimeout<T>(promise: Promise<T>, ms: number, what: string): Promise<T> {
  return Promise.race([promise, new Promise<never>((_, reject) => setTimeout(() => reject(new Error(`${what}: no result within ${ms} ms`)), ms).unref())]);
}

function optionsLoad(port: number, user: string, sipPort: number, rate: number, seconds: number): Promise<SippServer> {
  return startSipp({
    // To the caller's own AOR: baresip answers OPTIONS for a user it has, not for its bare address.
    scenario: optionsScenario({ requestUri: `sip:${user}@127.0.0.1:${sipPort}` }),
    target: `127.0.0.1:${sipPort}`,
    localPort: port,
    calls: Math.round(rate * seconds),
    args: ['-r', String(rate), '-rp', '1000'],
    timeoutMs: (seconds + 20) * 1000,
  });
}

/**
 * Bundles the Portier caller into one ES module under node_modules/.cache, as the product
 * ships (dist/portier.mjs, scripts/bundle.mjs), so it runs on plain node: the tsx loader
 * would add ~40 MB to its memory figures. Returns the command line to run it, or tsx's
 * when bundling fails.
 */
async function buildPortierCaller(here: string, log: (line: string) => void): Promise<{ args: string[]; cleanup: () => void }> {
  const root = join(here, '..');
  const cacheDir = join(root, 'node_modules', '.cache');
  mkdirSync(cacheDir, { recursive: true });
  const outDir = mkdtempSync(join(cacheDir, 'portier-bench-'));
  const cleanup = (): void => rmSync(outDir, { recursive: true, force: true });
  try {
    const { bundle } = (await import(pathToFileURL(join(here, 'bundle.mjs')).href)) as { bundle(entry: string, outfile: string): Promise<string> };
    const out = await bundle('scripts/bench-portier-call.ts', relative(root, join(outDir, 'bench-portier-call.mjs')));
    return { args: [out], cleanup };
  } catch (error) {
    log(`could not bundle the Portier caller (running it under tsx): ${String(error)}`);
    cleanup();
    return { args: ['--import', 'tsx', join(here, 'bench-portier-call.ts')], cleanup: () => undefined };
  }
}

/**
 * Runs both calls for `seconds` each; `optionsRate` OPTIONS/s per caller (0: no load).
 * With PulseAudio installed, both play what they receive into a private PulseAudio null
 * sink through ALSA (Portier with aplay, baresip with its alsa module), a paced device like
 * a real loudspeaker; without it, Portier discards and baresip plays to ALSA's null PCM.
 */
export async function runCallPair(options: { seconds: number; optionsRate: number; log?: (line: string) => void }): Promise<CallerRun[]> {
  const log = options.log ?? ((line: string) => process.stderr.write(`${line}\n`));
  const { seconds, optionsRate } = options;
  const here = dirname(fileURLToPath(import.meta.url));
  const receiver = await startCallReceiver({ sipPort: PORTS.receiverSip, rtpPorts: PORTS.receiverRtp });
  let baresip: BaresipInstance | undefined;
  let child: ReturnType<typeof spawn> | undefined;
  let pulse: PulseAudioInstance | undefined;
  let restoreEnv = (): void => undefined;
  const loads: SippServer[] = [];
  const caller = await buildPortierCaller(here, log);
  try {
    const noPulse = pulseAudioUnavailableReason();
    if (noPulse === undefined) {
      pulse = await startPulseAudio({ rate: 8000, channels: 1 });
      // Children (baresip, the Portier caller and its aplay) find the daemon through the env.
      restoreEnv = pulse.applyEnv();
      log('playback: ALSA `pulse` device (PulseAudio null sink) for both');
    } else {
      log(`playback: none for Portier, ALSA null for baresip (${noPulse})`);
    }
    baresip = await startBaresip({
      sipPort: PORTS.baresipSip,
      ctrlPort: PORTS.baresipCtrl,
      rtpPorts: PORTS.baresipRtp,
      user: 'baresip',
      domain: '127.0.0.1',
      answerMode: 'auto',
      codecs: ['PCMU'],
      // aufile keeps the whole file in memory: make it just long enough.
      source: { sineHz: 1000, seconds: seconds + 10 },
      sipTrace: false,
      ...(pulse ? { player: `alsa,${pulse.alsaDevice}` } : {}),
    });
    const portierChild = spawn(
      process.execPath,
      [...PORTIER_NODE_FLAGS, ...extraNodeArgs(), ...caller.args, receiver.uri, String(PORTS.portierSip), String(PORTS.portierRtp.min), String(PORTS.portierRtp.max), String(seconds), ...(pulse ? [pulse.alsaDevice] : [])],
      { stdio: ['ignore', 'pipe', 'inherit'] },
    );
    child = portierChild;
    const portierEvents: Array<{ event: string; at: number; [k: string]: unknown }> = [];
    const waiters = new Set<() => void>();
    let buffered = '';
    portierChild.stdout!.setEncoding('utf8').on('data', (text: string) => {
      buffered += text;
      for (let nl = buffered.indexOf('\n'); nl >= 0; nl = buffered.indexOf('\n')) {
        const line = buffered.slice(0, nl);
        buffered = buffered.slice(nl + 1);
        try {
          portierEvents.push(JSON.parse(line));
        } catch {
          log(`portier: ${line}`);
        }
        for (const w of [...waiters]) w();
      }
    });
    const portierEvent = (name: string): Promise<void> =>
      withTimeout(
        new Promise<void>((resolve) => {
          const check = (): void => {
            if (!portierEvents.some((e) => e.event === name)) return;
            waiters.delete(check);
            resolve();
          };
          waiters.add(check);
          check();
        }),
        (seconds + 30) * 1000,
        `portier ${name}`,
      );
    const portierExit = new Promise<number | null>((resolve) => portierChild.once('exit', (code) => resolve(code)));

    await portierEvent('listening');
    // Both calls start together.
    const dialled = await baresip.command('dial', receiver.uri);
    if (!dialled.ok) throw new Error(`baresip did not dial: ${dialled.data}`);
    await Promise.all([portierEvent('connected'), baresip.waitForEvent('CALL_ESTABLISHED', { timeoutMs: 10_000 })]);
    const portierConnect = sampleProcess(portierChild.pid!);
    const portierChildren = childPids(portierChild.pid!).flatMap((pid) => {
      const atConnect = trySample(pid);
      return atConnect ? [{ pid, atConnect, atEnd: undefined as ProcSample | undefined }] : [];
    });
    const baresipConnect = sampleProcess(baresip.pid);
    log(`both calls up; ${seconds} s${optionsRate > 0 ? ` with ${optionsRate} OPTIONS/s on each caller` : ''}`);
    if (optionsRate > 0) {
      loads.push(await optionsLoad(PORTS.sippPortier, 'door', PORTS.portierSip, optionsRate, seconds));
      loads.push(await optionsLoad(PORTS.sippBaresip, 'baresip', PORTS.baresipSip, optionsRate, seconds));
    }
    const baresipEnd = (async () => {
      await new Promise((r) => setTimeout(r, seconds * 1000));
      const sample = sampleProcess(baresip!.pid);
      await baresip!.command('hangup');
      await baresip!.waitForEvent('CALL_CLOSED', { timeoutMs: 10_000 });
      return sample;
    })();
    let portierEnd: ProcSample | undefined;
    const portierDone = portierEvent('hanging-up').then(() => {
      portierEnd = sampleProcess(portierChild.pid!);
      for (const c of portierChildren) c.atEnd = trySample(c.pid);
      const newer = childPids(portierChild.pid!).filter((pid) => !portierChildren.some((c) => c.pid === pid));
      if (newer.length > 0) log(`portier started child process(es) ${newer.join(', ')} during the call (a restarted player?): not counted`);
    });
    const [baresipSample] = await Promise.all([baresipEnd, portierDone]);
    const trace = portierEvents.find((e) => e.event === 'hanging-up')?.['trace'];
    if (trace !== undefined) log(`portier send trace: ${JSON.stringify(trace)}`);
    const code = await withTimeout(portierExit, 15_000, 'portier exit');
    if (code !== 0) log(`portier caller exited with ${String(code)}`);
    const loadResults = await Promise.all(loads.map((l) => withTimeout(l.result, 30_000, 'SIPp load').catch(() => l.stop())));
    const byCaller = (caller: string): ArrivalStream | undefined => receiver.streams.find((s) => s.caller === caller);
    return [
      { name: 'portier', pid: portierChild.pid!, atConnect: portierConnect, atEnd: portierEnd!, stream: byCaller('door'), load: loadResults[0], children: portierChildren },
      { name: 'baresip', pid: baresip.pid, atConnect: baresipConnect, atEnd: baresipSample, stream: byCaller('baresip'), load: loadResults[1], children: [] },
    ];
  } finally {
    for (const l of loads) await l.stop();
    if (child && child.exitCode === null) child.kill('SIGKILL');
    await baresip?.stop();
    await receiver.close();
    restoreEnv();
    await pulse?.stop();
    caller.cleanup();
  }
}

/** Reads `[seconds]` from argv (default 60), bounded to 5..600. */
export function secondsFromArgs(fallback = 60): number {
  const value = Number(process.argv[2] ?? fallback);
  if (!Number.isFinite(value) || value < 5 || value > 600) {
    process.stderr.write(`duration must be 5..600 seconds, got ${process.argv[2]}\n`);
    process.exit(64);
  }
  return value;
}
