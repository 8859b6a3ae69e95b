import type { SystemdNotifier } from './systemd-notifier.js';

export interface WatchdogPingerOptions {
  /** Environment holding `WATCHDOG_USEC` / `WATCHDOG_PID`; defaults to `process.env`. */
  env?: Record<string, string | undefined>;
  /** This process's id, compared with `WATCHDOG_PID`; defaults to `process.pid`. */
  pid?: number;
}

/**
 * The ping period asked for by systemd's `WatchdogSec=`, or undefined when no
 * watchdog applies to this process. Half the timeout, as sd_watchdog_enabled(3) advises.
 */
export function watchdogIntervalMs(options: WatchdogPingerOptions = {}): number | undefined {
  const env = options.env ?? process.env;
  const usec = env.WATCHDOG_USEC;
  if (!usec || !/^[0-9]+$/.test(usec) || Number(usec) === 0) return undefined;
  // WATCHDOG_PID names the process the watchdog is meant for; a child that inherited the variables must stay quiet.
  if (env.WATCHDOG_PID && Number(env.WATCHDOG_PID) !== (options.pid ?? process.pid)) return undefined;
  return Math.max(1, Math.floor(Number(usec) / 2000));
}

/**
 * Sends WATCHDOG=1 at half the watchdog timeout. The timer runs on the event loop
 * on purpose: a loop stuck in a busy loop or a blocking call stops the pings, and
 * systemd restarts the service. The timer is unref'ed so it never keeps the
 * process alive by itself.
 */
export class WatchdogPinger {
  /** Ping period, or undefined when there is no watchdog. */
  readonly intervalMs: number | undefined;
  private timer: NodeJS.Timeout | undefined;

  constructor(
    private readonly notifier: Pick<SystemdNotifier, 'watchdog' | 'enabled'>,
    options: WatchdogPingerOptions = {},
  ) {
    this.intervalMs = notifier.enabled ? watchdogIntervalMs(options) : undefined;
  }

  /** Starts pinging (one ping at once); returns whether a watchdog is active. Idempotent. */
  start(): boolean {
    if (this.intervalMs === undefined) return false;
    if (this.timer) return true;
    void this.notifier.watchdog();
    this.timer = setInterval(() => void this.notifier.watchdog(), this.intervalMs);
    this.timer.unref();
    return true;
  }

  /** Stops pinging; idempotent. */
  close(): void {
    if (this.timer) clearInterval(this.timer);
    this.timer = undefined;
  }
}
