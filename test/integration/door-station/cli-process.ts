import { spawn, type ChildProcess } from 'node:child_process';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';

export const ROOT = fileURLToPath(new URL('../../..', import.meta.url));
const MAIN = join(ROOT, 'src', 'cli', 'main.ts');

/** How a `portier` process ended. */
export interface CliExit {
  code: number | null;
  signal: NodeJS.Signals | null;
  stdout: string;
  stderr: string;
}

/** A running `portier` process started from the sources. */
export interface CliProcess {
  child: ChildProcess;
  exit: Promise<CliExit>;
  stdout(): string;
  stderr(): string;
  /** Resolves once stdout+stderr match `pattern`. */
  waitFor(pattern: RegExp, ms?: number): Promise<void>;
}

const running = new Set<ChildProcess>();

/** Starts `portier <args>` in its own process group; PORTIER_* variables of this environment are dropped. */
export function startCli(args: string[], env: Record<string, string> = {}): CliProcess {
  const clean = Object.fromEntries(Object.entries(process.env).filter(([k]) => !k.startsWith('PORTIER_') && k !== 'NOTIFY_SOCKET' && !k.startsWith('WATCHDOG_')));
  // One process (node with the tsx loader), so signals such as SIGHUP reach the door station itself.
  const child = spawn(process.execPath, ['--import', 'tsx', MAIN, ...args], { cwd: ROOT, env: { ...clean, ...env }, detached: true, stdio: ['ignore', 'pipe', 'pipe'] });
  running.add(child);
  let stdout = '';
  let stderr = '';
  child.stdout!.on('data', (d: Buffer) => (stdout += d.toString()));
  child.stderr!.on('data', (d: Buffer) => (stderr += d.toString()));
  const exit = new Promise<CliExit>((resolve) =>
    child.on('close', (code, signal) => {
      running.delete(child);
      resolve({ code, signal, stdout, stderr });
    }),
  );
  const waitFor = (pattern: RegExp, ms = 15_000) =>
    new Promise<void>((resolve, reject) => {
      const started = Date.now();
      const poll = setInterval(() => {
        if (pattern.test(stdout + stderr)) {
          clearInterval(poll);
          resolve();
        } else if (Date.now() - started > ms || child.exitCode !== null) {
          clearInterval(poll);
          reject(new Error(`no ${pattern} within ${ms} ms; stdout:\n${stdout}\nstderr:\n${stderr}`));
        }
      }, 25);
    });
  return { child, exit, stdout: () => stdout, stderr: () => stderr, waitFor };
}

/** Kills every process this module started that is still running (a failed test must not leave one). */
export function killAllCli(): void {
  for (const child of running) {
    try {
      if (child.pid) process.kill(-child.pid, 'SIGKILL');
    } catch {
      // already gone
    }
  }
}

/** A JSON request to a local HTTP API. */
export async function api(port: number, method: 'GET' | 'POST', path: string, body?: unknown): Promise<{ status: number; json: any }> {
  const res = await fetch(`http://127.0.0.1:${port}${path}`, {
    method,
    ...(body !== undefined ? { body: JSON.stringify(body), headers: { 'content-type': 'application/json' } } : {}),
  });
  return { status: res.status, json: await res.json() };
}
