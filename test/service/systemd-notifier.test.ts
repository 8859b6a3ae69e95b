import { execFileSync, spawn, type ChildProcess } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { createRequire } from 'node:module';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, afterEach, describe, expect, it, vi } from 'vitest';
import { LineLogger } from '../../src/log/logger.js';
import { monotonicUsec, parseNotifySocket, SystemdNotifier } from '../../src/service/systemd-notifier.js';

interface Receiver {
  messages: string[];
  next(count?: number): Promise<string[]>;
  close(): void;
}

const unix = createRequire(import.meta.url)('unix-dgram') as {
  createSocket(type: 'unix_dgram', listener: (buf: Buffer) => void): { bind(path: string): void; close(): void; on(e: string, l: (err: Error) => void): void };
};

const dir = mkdtempSync(join(tmpdir(), 'portier-notify-'));
const open: Array<{ close(): void }> = [];
let n = 0;
afterEach(() => {
  for (const r of open.splice(0)) r.close();
});
afterAll(() => rmSync(dir, { recursive: true, force: true }));

/** Collects what arrives, resolving `next(k)` once k more messages are there. */
function collector(): { messages: string[]; push(m: string): void; next(count?: number): Promise<string[]> } {
  const messages: string[] = [];
  let waiters: Array<() => void> = [];
  return {
    messages,
    push(m) {
      messages.push(m);
      const w = waiters;
      waiters = [];
      for (const f of w) f();
    },
    next(count = 1) {
      const target = messages.length + count;
      return new Promise((resolve, reject) => {
        const timer = setTimeout(() => reject(new Error(`timed out; got ${JSON.stringify(messages)}`)), 5000);
        const check = (): void => {
          if (messages.length >= target) {
            clearTimeout(timer);
            resolve(messages.slice(target - count, target));
          } else waiters.push(check);
        };
        check();
      });
    },
  };
}

/** A notify socket on the file system, the way systemd makes one. */
function pathReceiver(): Receiver & { path: string } {
  const path = join(dir, `notify-${n++}.sock`);
  const c = collector();
  const socket = unix.createSocket('unix_dgram', (buf) => c.push(buf.toString('utf8')));
  socket.on('error', (e) => c.push(`error: ${e.message}`));
  socket.bind(path);
  const r = { path, messages: c.messages, next: c.next, close: () => socket.close() };
  open.push(r);
  return r;
}

const hasPython = ((): boolean => {
  try {
    execFileSync('python3', ['-c', 'import socket; socket.AF_UNIX']);
    return true;
  } catch {
    return false;
  }
})();

/** An abstract-namespace notify socket (`@name`). unix-dgram cannot bind these (it pads the name with NULs), so Python holds it. */
async function abstractReceiver(): Promise<Receiver & { name: string }> {
  const name = `portier-test-${process.pid}-${n++}`;
  const c = collector();
  const script = [
    'import socket, sys',
    's = socket.socket(socket.AF_UNIX, socket.SOCK_DGRAM)',
    `s.bind("\\0${name}")`,
    'print("ready", flush=True)',
    'while True:',
    '    print(s.recv(4096).hex(), flush=True)',
  ].join('\n');
  const proc: ChildProcess = spawn('python3', ['-c', script], { stdio: ['ignore', 'pipe', 'inherit'] });
  const ready = collector();
  let buffered = '';
  proc.stdout!.on('data', (d: Buffer) => {
    buffered += d.toString();
    const lines = buffered.split('\n');
    buffered = lines.pop() ?? '';
    for (const l of lines) {
      if (l === 'ready') ready.push(l);
      else c.push(Buffer.from(l, 'hex').toString('utf8'));
    }
  });
  await ready.next();
  const r = { name, messages: c.messages, next: c.next, close: () => void proc.kill('SIGKILL') };
  open.push(r);
  return r;
}

function capturingLogger(): { logger: LineLogger; lines: string[] } {
  const lines: string[] = [];
  return { logger: new LineLogger('debug', (l) => lines.push(l)), lines };
}

describe('parseNotifySocket', () => {
  it('tells paths from abstract names and ignores the rest', () => {
    expect(parseNotifySocket('/run/systemd/notify')).toEqual({ kind: 'path', path: '/run/systemd/notify' });
    expect(parseNotifySocket('@/org/freedesktop/systemd1/notify/1')).toEqual({ kind: 'abstract', name: '/org/freedesktop/systemd1/notify/1' });
    expect(parseNotifySocket(undefined)).toBeUndefined();
    expect(parseNotifySocket('')).toBeUndefined();
    expect(parseNotifySocket('@')).toBeUndefined();
    expect(parseNotifySocket('vsock:2:1234')).toBeUndefined();
  });
});

describe('SystemdNotifier', () => {
  it('does nothing without NOTIFY_SOCKET', async () => {
    let loaded = false;
    const notifier = new SystemdNotifier({ env: {}, loadUnixDgram: () => ((loaded = true), undefined) });
    expect(notifier.enabled).toBe(false);
    await notifier.ready('up');
    await notifier.watchdog();
    expect(loaded).toBe(false);
  });

  it('sends READY, STATUS, WATCHDOG, STOPPING and RELOADING datagrams to a socket path', async () => {
    const r = pathReceiver();
    const notifier = new SystemdNotifier({ env: { NOTIFY_SOCKET: r.path } });
    expect(notifier.enabled).toBe(true);
    const got = r.next(5);
    await notifier.ready('registered as door@pbx');
    await notifier.status('calling flat 1');
    await notifier.watchdog();
    const before = monotonicUsec();
    await notifier.reloading();
    const after = monotonicUsec();
    await notifier.stopping();
    const messages = await got;
    expect(messages.slice(0, 3)).toEqual(['READY=1\nSTATUS=registered as door@pbx', 'STATUS=calling flat 1', 'WATCHDOG=1']);
    const reload = /^RELOADING=1\nMONOTONIC_USEC=(\d+)$/.exec(messages[3] ?? '');
    expect(reload).not.toBeNull();
    const usec = BigInt(reload![1]!);
    expect(usec >= before && usec <= after).toBe(true);
    // It is CLOCK_MONOTONIC: close to the system uptime (which counts on the same clock, barring suspend).
    const uptimeUsec = Number(readFileSync('/proc/uptime', 'utf8').split(' ')[0]) * 1e6;
    expect(Math.abs(Number(usec) - uptimeUsec)).toBeLessThan(5e6);
    expect(messages[4]).toBe('STOPPING=1');
  });

  it('reads NOTIFY_SOCKET from the process environment by default', async () => {
    const r = pathReceiver();
    vi.stubEnv('NOTIFY_SOCKET', r.path);
    try {
      const got = r.next();
      await new SystemdNotifier().ready();
      expect(await got).toEqual(['READY=1']);
    } finally {
      vi.unstubAllEnvs();
    }
  });

  it('keeps a status line on one line', async () => {
    const r = pathReceiver();
    const notifier = new SystemdNotifier({ env: { NOTIFY_SOCKET: r.path } });
    const got = r.next();
    await notifier.status('line one\nREADY=1');
    expect(await got).toEqual(['STATUS=line one READY=1']);
  });

  it('stops sending once closed', async () => {
    const r = pathReceiver();
    const notifier = new SystemdNotifier({ env: { NOTIFY_SOCKET: r.path } });
    notifier.close();
    notifier.close();
    await notifier.ready();
    await new Promise((resolve) => setTimeout(resolve, 50));
    expect(r.messages).toEqual([]);
  });

  it('falls back to systemd-notify when unix-dgram is missing, logging that once', async () => {
    const r = pathReceiver();
    const { logger, lines } = capturingLogger();
    const notifier = new SystemdNotifier({ env: { NOTIFY_SOCKET: r.path }, logger, loadUnixDgram: () => undefined });
    const got = r.next(2);
    await notifier.ready('fallback');
    await notifier.watchdog();
    expect(await got).toEqual(['READY=1\nSTATUS=fallback', 'WATCHDOG=1']);
    expect(lines.filter((l) => l.includes('unix-dgram is not available'))).toHaveLength(1);
  });

  it.skipIf(!hasPython)('reaches an abstract-namespace socket (@name)', async () => {
    const r = await abstractReceiver();
    const { logger, lines } = capturingLogger();
    const notifier = new SystemdNotifier({ env: { NOTIFY_SOCKET: `@${r.name}` }, logger });
    const got = r.next(3);
    await notifier.ready('abstract');
    await notifier.status('still here');
    await notifier.watchdog();
    expect(await got).toEqual(['READY=1\nSTATUS=abstract', 'STATUS=still here', 'WATCHDOG=1']);
    expect(lines.filter((l) => l.includes('abstract NOTIFY_SOCKET'))).toHaveLength(1);
  });

  it('never throws when the socket is gone, and warns once per run of failures', async () => {
    const { logger, lines } = capturingLogger();
    const notifier = new SystemdNotifier({ env: { NOTIFY_SOCKET: join(dir, 'nobody-listens.sock') }, logger });
    await expect(notifier.watchdog()).resolves.toBeUndefined();
    await notifier.watchdog();
    await notifier.watchdog();
    expect(lines.filter((l) => / warn .*notification failed/.test(l))).toHaveLength(1);
    expect(lines.filter((l) => / debug .*notification failed/.test(l))).toHaveLength(2);
  });
});
