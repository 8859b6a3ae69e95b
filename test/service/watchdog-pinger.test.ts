import { createRequire } from 'node:module';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, afterEach, describe, expect, it, vi } from 'vitest';
import { SystemdNotifier } from '../../src/service/systemd-notifier.js';
import { WatchdogPinger, watchdogIntervalMs } from '../../src/service/watchdog-pinger.js';

const dir = mkdtempSync(join(tmpdir(), 'portier-watchdog-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));
afterEach(() => vi.useRealTimers());

describe('watchdogIntervalMs', () => {
  it('is half of WATCHDOG_USEC, in milliseconds', () => {
    expect(watchdogIntervalMs({ env: { WATCHDOG_USEC: '30000000' } })).toBe(15_000);
    expect(watchdogIntervalMs({ env: { WATCHDOG_USEC: '100000' } })).toBe(50);
  });

  it('is undefined when no watchdog applies to this process', () => {
    expect(watchdogIntervalMs({ env: {} })).toBeUndefined();
    expect(watchdogIntervalMs({ env: { WATCHDOG_USEC: '0' } })).toBeUndefined();
    expect(watchdogIntervalMs({ env: { WATCHDOG_USEC: 'soon' } })).toBeUndefined();
    expect(watchdogIntervalMs({ env: { WATCHDOG_USEC: '1000000', WATCHDOG_PID: '1' }, pid: 4242 })).toBeUndefined();
    expect(watchdogIntervalMs({ env: { WATCHDOG_USEC: '1000000', WATCHDOG_PID: '4242' }, pid: 4242 })).toBe(500);
  });
});

describe('WatchdogPinger', () => {
  it('pings at once and then every half interval, until closed', () => {
    vi.useFakeTimers();
    let pings = 0;
    const notifier = { enabled: true, watchdog: async () => void pings++ };
    const pinger = new WatchdogPinger(notifier, { env: { WATCHDOG_USEC: '2000000' } });
    expect(pinger.start()).toBe(true);
    expect(pinger.start()).toBe(true); // idempotent: one timer
    expect(pings).toBe(1);
    vi.advanceTimersByTime(999);
    expect(pings).toBe(1);
    vi.advanceTimersByTime(1);
    expect(pings).toBe(2);
    vi.advanceTimersByTime(3000);
    expect(pings).toBe(5);
    pinger.close();
    pinger.close();
    vi.advanceTimersByTime(10_000);
    expect(pings).toBe(5);
  });

  it('does not run without a watchdog or without a notify socket', () => {
    const ping = vi.fn(async () => {});
    expect(new WatchdogPinger({ enabled: true, watchdog: ping }, { env: {} }).start()).toBe(false);
    expect(new WatchdogPinger({ enabled: false, watchdog: ping }, { env: { WATCHDOG_USEC: '1000000' } }).start()).toBe(false);
    expect(ping).not.toHaveBeenCalled();
  });

  it('does not keep the process alive (its timer is unref\'ed)', () => {
    const pinger = new WatchdogPinger({ enabled: true, watchdog: async () => {} }, { env: { WATCHDOG_USEC: '60000000' } });
    pinger.start();
    const timer = (pinger as unknown as { timer: NodeJS.Timeout }).timer;
    expect(timer.hasRef()).toBe(false);
    pinger.close();
  });

  it('sends WATCHDOG=1 datagrams to a real notify socket', async () => {
    const unix = createRequire(import.meta.url)('unix-dgram') as {
      createSocket(t: 'unix_dgram', l: (b: Buffer) => void): { bind(p: string): void; close(): void };
    };
    const path = join(dir, 'notify.sock');
    const received: string[] = [];
    const socket = unix.createSocket('unix_dgram', (b) => received.push(b.toString()));
    socket.bind(path);
    const env = { NOTIFY_SOCKET: path, WATCHDOG_USEC: '100000' };
    const pinger = new WatchdogPinger(new SystemdNotifier({ env }), { env });
    try {
      expect(pinger.intervalMs).toBe(50);
      pinger.start();
      await new Promise((resolve) => setTimeout(resolve, 400));
    } finally {
      pinger.close();
      socket.close();
    }
    expect(received.length).toBeGreaterThanOrEqual(4);
    expect(received.length).toBeLessThanOrEqual(10);
    expect(new Set(received)).toEqual(new Set(['WATCHDOG=1']));
  });
});
