/**
 * Start-up time and idle memory: `node --import tsx scripts/bench-startup.ts [runs]`.
 *
 * Starts a local Kamailio (loopback, UDP 35530), then `portier run --config …` as its
 * own process `runs` times (default 10): the time from spawn to the registrar's 200 OK
 * being reported (`[door] registration registered`), median and max. Two ways of
 * running are measured: the compiled JavaScript as installed on a Pi
 * (`node dist/src/cli/main.js`, built here into a temp dir with tsc) and the sources
 * through the tsx loader (development). The last compiled run is then left idle for
 * 10 s and its VmRSS / VmHWM read from /proc.
 *
 * Targets (issue 4): start → registered ≤ 1.5 s; idle RSS ≤ 60 MB.
 */
import { spawn } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { startKamailio } from '../test/integration/support/kamailio.js';

const RUNS = Number(process.argv[2] ?? 10);
const SIP_PORT = 35530;
const ROOT = fileURLToPath(new URL('..', import.meta.url));

interface Run {
  ms: number;
  pid: number;
  stop: () => Promise<void>;
}

/** The V8 flags the product runs with (scripts/run, systemd/portier.service). */
const PRODUCT_NODE_FLAGS = ['--max-semi-space-size=1'];

function startPortier(args: string[], keep: boolean): Promise<Run> {
  const started = performance.now();
  const child = spawn(process.execPath, [...PRODUCT_NODE_FLAGS, ...args], { cwd: ROOT, stdio: ['ignore', 'pipe', 'pipe'], env: { ...process.env, NOTIFY_SOCKET: '' } });
  let out = '';
  const exited = new Promise<void>((resolve) => child.on('close', () => resolve()));
  const stop = async () => {
    child.kill('SIGTERM');
    await exited;
  };
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => {
      child.kill('SIGKILL');
      reject(new Error(`not registered within 15 s:\n${out}`));
    }, 15_000);
    const onData = (d: Buffer) => {
      out += d.toString();
      if (/\[door\] registration registered/.test(out)) {
        const ms = performance.now() - started;
        clearTimeout(timer);
        child.stdout!.off('data', onData);
        resolve({ ms, pid: child.pid!, stop });
        if (!keep) void stop();
      }
    };
    child.stdout!.on('data', onData);
    child.stderr!.on('data', (d: Buffer) => (out += d.toString()));
    void exited.then(() => {
      clearTimeout(timer);
      reject(new Error(`portier exited before registering:\n${out}`));
    });
  });
}

function summary(label: string, ms: number[]): void {
  const s = [...ms].sort((a, b) => a - b);
  const median = s.length % 2 ? s[(s.length - 1) / 2]! : (s[s.length / 2 - 1]! + s[s.length / 2]!) / 2;
  process.stdout.write(`${label.padEnd(44)} runs=${s.length}  median=${median.toFixed(0)} ms  min=${s[0]!.toFixed(0)} ms  max=${s.at(-1)!.toFixed(0)} ms\n`);
}

function memory(pid: number): { rss: number; hwm: number } {
  const status = readFileSync(`/proc/${pid}/status`, 'utf8');
  const kb = (name: string) => Number(new RegExp(`^${name}:\\s+(\\d+) kB`, 'm').exec(status)?.[1] ?? NaN);
  return { rss: kb('VmRSS') / 1024, hwm: kb('VmHWM') / 1024 };
}

async function main(): Promise<void> {
  const dir = mkdtempSync(join(tmpdir(), 'portier-bench-start-'));
  const kamailio = await startKamailio({ udpPort: SIP_PORT, users: [{ username: 'door', password: 'door-pw' }] });
  try {
    const config = join(dir, 'config.yaml');
    writeFileSync(
      config,
      [
        'sip:',
        '  accounts:',
        `    - { id: door, registrar: "sip:127.0.0.1:${SIP_PORT}", username: door, password: door-pw }`,
        '  listen: [{ transport: udp, address: 127.0.0.1, port: 0 }]',
        'audio: { driver: sim, sim: { source: silence } }',
        'hardware: { driver: sim, board: sim }',
        'doors: { relays: [{ name: front, output: relay1 }] }',
        'http: { port: 38190 }',
        `eventLog: { path: ${join(dir, 'events.jsonl')} }`,
        '',
      ].join('\n'),
    );

    // The build as installed: the dist/portier.mjs bundle that scripts/install-pi ships (npm run build).
    const { bundle } = (await import(pathToFileURL(join(ROOT, 'scripts', 'bundle.mjs')).href)) as { bundle(entry: string, outfile: string): Promise<string> };
    const compiledMain = await bundle('src/cli/main.ts', 'dist/portier.mjs');
    const compiled: number[] = [];
    let last: Run | undefined;
    {
      for (let i = 0; i < RUNS; i++) {
        const run = await startPortier([compiledMain, 'run', '--config', config], i === RUNS - 1);
        compiled.push(run.ms);
        if (i === RUNS - 1) last = run;
        else await new Promise((r) => setTimeout(r, 300));
      }
      summary('start → registered (node dist/portier.mjs)', compiled);
    }
    if (last) {
      await new Promise((r) => setTimeout(r, 10_000));
      const m = memory(last.pid);
      process.stdout.write(`idle after 10 s (compiled)                   VmRSS=${m.rss.toFixed(1)} MB  VmHWM=${m.hwm.toFixed(1)} MB\n`);
      await last.stop();
    }

    const dev: number[] = [];
    let devLast: Run | undefined;
    for (let i = 0; i < RUNS; i++) {
      const run = await startPortier(['--import', 'tsx', join(ROOT, 'src', 'cli', 'main.ts'), 'run', '--config', config], i === RUNS - 1);
      dev.push(run.ms);
      if (i === RUNS - 1) devLast = run;
      else await new Promise((r) => setTimeout(r, 300));
    }
    summary('start → registered (node --import tsx, sources)', dev);
    if (devLast) {
      await new Promise((r) => setTimeout(r, 10_000));
      const m = memory(devLast.pid);
      process.stdout.write(`idle after 10 s (tsx)                        VmRSS=${m.rss.toFixed(1)} MB  VmHWM=${m.hwm.toFixed(1)} MB\n`);
      await devLast.stop();
    }
    process.stdout.write('targets: start → registered ≤ 1500 ms; idle RSS ≤ 60 MB\n');
  } finally {
    await kamailio.stop();
    rmSync(dir, { recursive: true, force: true });
  }
}

await main();
