import { spawn, type ChildProcess } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { DEFAULT_CONFIG_PATH } from '../../src/config/load-config.js';

const ROOT = fileURLToPath(new URL('../..', import.meta.url));
const TSX = join(ROOT, 'node_modules', '.bin', 'tsx');
const MAIN = join(ROOT, 'src', 'cli', 'main.ts');
const EXAMPLE = join(ROOT, 'src', 'config', 'config.example.yaml');

interface Exit {
  code: number | null;
  signal: NodeJS.Signals | null;
  stdout: string;
  stderr: string;
}

const running = new Set<ChildProcess>();

/** Starts `portier <args>` from the sources, in its own process group; `env` replaces the environment's PORTIER_* variables. */
function portier(args: string[], env: Record<string, string> = {}): { child: ChildProcess; exit: Promise<Exit>; stdout: () => string } {
  const clean = Object.fromEntries(Object.entries(process.env).filter(([k]) => !k.startsWith('PORTIER_')));
  const child = spawn(TSX, [MAIN, ...args], { cwd: ROOT, env: { ...clean, ...env }, detached: true, stdio: ['ignore', 'pipe', 'pipe'] });
  running.add(child);
  let stdout = '';
  let stderr = '';
  child.stdout!.on('data', (d: Buffer) => (stdout += d.toString()));
  child.stderr!.on('data', (d: Buffer) => (stderr += d.toString()));
  const exit = new Promise<Exit>((resolve) =>
    child.on('close', (code, signal) => {
      running.delete(child);
      resolve({ code, signal, stdout, stderr });
    }),
  );
  return { child, exit, stdout: () => stdout };
}

function waitForOutput(read: () => string, pattern: RegExp, ms: number): Promise<void> {
  const started = Date.now();
  return new Promise((resolve, reject) => {
    const poll = setInterval(() => {
      if (pattern.test(read())) {
        clearInterval(poll);
        resolve();
      } else if (Date.now() - started > ms) {
        clearInterval(poll);
        reject(new Error(`no ${pattern} within ${ms} ms; output so far:\n${read()}`));
      }
    }, 50);
  });
}

describe('portier CLI', () => {
  let dir: string;

  beforeAll(() => {
    dir = mkdtempSync(join(tmpdir(), 'portier-cli-'));
  });
  afterEach(() => {
    // A test that failed midway must not leave a door station running.
    for (const child of running) {
      try {
        if (child.pid) process.kill(-child.pid, 'SIGKILL');
      } catch {
        // already gone
      }
    }
  });
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  it('check --config <bad file> exits 78 (EX_CONFIG) and names key path, value and expectation with the line', async () => {
    const bad = join(dir, 'bad.yaml');
    writeFileSync(bad, 'sip:\n  accounts:\n    - username: door\n      registrar: 42\n      transport: carrier-pigeon\n');
    const { exit } = portier(['check', '--config', bad]);
    const result = await exit;
    expect(result.code).toBe(78);
    expect(result.stdout).toBe('');
    expect(result.stderr).toMatch(/invalid configuration \(2 problems\)/);
    expect(result.stderr).toContain(`${bad}:4:18 sip.accounts[0].registrar: found "42", expected a SIP URI`);
    expect(result.stderr).toMatch(new RegExp(`${bad}:5:\\d+ sip\\.accounts\\[0\\]\\.transport: found "carrier-pigeon", expected one of`));
  });

  it('check on a file that does not exist exits 78 and says why', async () => {
    const result = await portier(['check', '--config', join(dir, 'absent.yaml')]).exit;
    expect(result.code).toBe(78);
    expect(result.stderr).toMatch(/cannot read the configuration file \(ENOENT\)/);
  });

  it('check passes the commented example (exit 0) once its secrets exist', async () => {
    // The example reads secrets from /etc/portier/… and $PORTIER_FRONT_CODE; point them at files here.
    const password = join(dir, 'sip-password');
    const gate = join(dir, 'gate-code');
    writeFileSync(password, 'pbx-secret\n');
    writeFileSync(gate, '4711\n');
    const text = readFileSync(EXAMPLE, 'utf8').replaceAll('/etc/portier/sip-password', password).replaceAll('/etc/portier/gate-code', gate);
    const config = join(dir, 'example.yaml');
    writeFileSync(config, text);
    const result = await portier(['check', '--config', config], { PORTIER_FRONT_CODE: '123456' }).exit;
    expect(result.stderr).not.toMatch(/invalid/);
    expect(result.code).toBe(0);
    expect(result.stdout).toContain(`${config}: configuration is valid`);
  });

  it('check on the example as shipped reports its missing secrets (they are part of what check verifies)', async () => {
    const result = await portier(['check', '--config', EXAMPLE]).exit;
    expect(result.code).toBe(78);
    expect(result.stderr).toMatch(/sip\.accounts\[0\]\.password: cannot read secret file/);
    expect(result.stderr).toMatch(/PORTIER_FRONT_CODE is not set/);
    // Secrets are never echoed: only where they should come from.
    expect(result.stderr).not.toMatch(/pbx-secret/);
  });

  it.skipIf(existsSync(DEFAULT_CONFIG_PATH))(
    'run without a configuration registers with the demo PBX, and on SIGTERM un-registers and exits 0',
    async () => {
      // The simulation's event log goes under $XDG_STATE_HOME; its API on a port of the app tests' range.
      const run = portier(['run', '--http-port', '38199'], { XDG_STATE_HOME: dir });
      await waitForOutput(run.stdout, /\[door\] registration registered \(expires \d+s, contact sip:door@127\.0\.0\.1:\d+\)/, 15_000);
      process.kill(run.child.pid!, 'SIGTERM');
      const result = await run.exit;
      expect(result.stdout).toMatch(/stopping: un-registering\n/);
      expect(result.stdout).toMatch(/registration unregistered/);
      expect(result.signal).toBeNull();
      expect(result.code).toBe(0);
      const lines = result.stdout.trim().split('\n');
      expect(lines.at(-1)).toBe('[door] registration unregistered');
    },
    30_000,
  );

  it('prints usage and exits 2 for an unknown command', async () => {
    const result = await portier(['frobnicate']).exit;
    expect(result.code).toBe(2);
    expect(result.stdout).toMatch(/Usage:\n\s+portier run/);
  });
});
