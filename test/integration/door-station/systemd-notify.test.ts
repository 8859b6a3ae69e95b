import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { DemoPbx } from '../../../src/sim/demo-pbx.js';
import { killAllCli, startCli } from './cli-process.js';

interface UnixDgramServer {
  bind(path: string): void;
  on(event: 'error', fn: (e: Error) => void): void;
  close(): void;
}
const unixDgram = (() => {
  try {
    return createRequire(import.meta.url)('unix-dgram') as { createSocket(type: 'unix_dgram', onMessage: (msg: Buffer) => void): UnixDgramServer };
  } catch {
    return undefined;
  }
})();

// HTTP ports 38100–38199 belong to the door station tests; this file uses 38120.
const HTTP_PORT = 38120;

describe.skipIf(!unixDgram)('systemd notifications on a NOTIFY_SOCKET', () => {
  let dir: string;
  let pbx: DemoPbx;
  let socket: UnixDgramServer;
  const messages: Array<{ at: number; text: string }> = [];

  beforeAll(async () => {
    dir = mkdtempSync(join(tmpdir(), 'portier-notify-'));
    pbx = await DemoPbx.start({ users: { door: 'door-secret' } });
    socket = unixDgram!.createSocket('unix_dgram', (msg) => messages.push({ at: Date.now(), text: msg.toString('utf8') }));
    socket.on('error', () => undefined);
    socket.bind(join(dir, 'notify.sock'));
  });
  afterEach(() => killAllCli());
  afterAll(async () => {
    socket?.close();
    await pbx?.close();
    rmSync(dir, { recursive: true, force: true });
  });

  it('sends READY=1 once up, STATUS= as the state changes, WATCHDOG=1 at half WATCHDOG_USEC, and STOPPING=1 on SIGTERM', async () => {
    const config = join(dir, 'config.yaml');
    writeFileSync(
      config,
      [
        'sip:',
        '  accounts:',
        `    - { id: door, registrar: "sip:127.0.0.1:${pbx.port}", domain: ${pbx.realm}, username: door, password: door-secret }`,
        '  listen: [{ transport: udp, address: 127.0.0.1, port: 0 }]',
        'audio: { driver: sim, sim: { source: silence } }',
        'hardware: { driver: sim, board: sim }',
        'doors:',
        '  relays: [{ name: front, output: relay1 }]',
        `http: { port: ${HTTP_PORT} }`,
        `eventLog: { path: ${join(dir, 'events.jsonl')} }`,
        '',
      ].join('\n'),
    );
    const started = Date.now();
    const run = startCli(['run', '--config', config], { NOTIFY_SOCKET: join(dir, 'notify.sock'), WATCHDOG_USEC: '200000' });
    await run.waitFor(/\[door\] registration registered/);
    // Registered → a STATUS line saying so (coalesced to at most one per second).
    const until = Date.now() + 4000;
    while (Date.now() < until && !messages.some((m) => /^STATUS=registered 1\/1; idle$/m.test(m.text))) await new Promise((r) => setTimeout(r, 50));
    const ready = messages.find((m) => /^READY=1$/m.test(m.text));
    expect(ready, messages.map((m) => m.text).join(' | ')).toBeDefined();
    expect(ready!.text).toMatch(/^STATUS=/m);
    expect(messages.some((m) => /^STATUS=registered 1\/1; idle$/m.test(m.text))).toBe(true);

    // WATCHDOG_USEC=200000: a ping every 100 ms, from the event loop.
    const before = messages.filter((m) => m.text === 'WATCHDOG=1').length;
    await new Promise((r) => setTimeout(r, 1000));
    const pings = messages.filter((m) => m.text === 'WATCHDOG=1');
    expect(pings.length - before).toBeGreaterThanOrEqual(7);
    expect(pings.length - before).toBeLessThanOrEqual(13);
    expect(pings[0]!.at).toBeGreaterThanOrEqual(started);

    process.kill(run.child.pid!, 'SIGTERM');
    const exit = await run.exit;
    expect(exit.code).toBe(0);
    expect(messages.some((m) => /^STOPPING=1$/m.test(m.text))).toBe(true);
    // READY came before the first STOPPING, and no READY after it.
    const readyAt = messages.findIndex((m) => /^READY=1$/m.test(m.text));
    const stoppingAt = messages.findIndex((m) => /^STOPPING=1$/m.test(m.text));
    expect(readyAt).toBeLessThan(stoppingAt);
  }, 30_000);
});
