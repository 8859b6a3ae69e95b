import type { StationStatus } from '../intercom/station-status.js';
import type { SystemdNotifier } from './systemd-notifier.js';

export interface StatusReporterOptions {
  /** Least time between two STATUS= messages; changes in between are folded into one. Default 1000 ms. */
  minIntervalMs?: number;
}

/**
 * Mirrors the station status into systemd's STATUS= line (`systemctl status portier`).
 * Bursts of changes (a relay pulse, a ringing cycle) are coalesced so the
 * notification socket sees at most one message per interval, and an unchanged
 * line is not sent again.
 */
export class StatusReporter {
  private readonly minIntervalMs: number;
  private readonly onChange = () => this.schedule();
  private timer: NodeJS.Timeout | undefined;
  private lastSentAt = -Infinity;
  private lastLine: string | undefined;
  private closed = false;

  constructor(
    private readonly status: StationStatus,
    private readonly notifier: Pick<SystemdNotifier, 'status'>,
    options: StatusReporterOptions = {},
  ) {
    this.minIntervalMs = options.minIntervalMs ?? 1000;
    status.on('change', this.onChange);
    this.send();
  }

  /** Stops reporting; idempotent. */
  close(): void {
    if (this.closed) return;
    this.closed = true;
    this.status.off('change', this.onChange);
    if (this.timer) clearTimeout(this.timer);
    this.timer = undefined;
  }

  private schedule(): void {
    if (this.closed || this.timer) return;
    const wait = Math.max(0, this.lastSentAt + this.minIntervalMs - Date.now());
    this.timer = setTimeout(() => {
      this.timer = undefined;
      this.send();
    }, wait);
    this.timer.unref();
  }

  private send(): void {
    if (this.closed) return;
    const line = this.status.summary();
    if (line === this.lastLine) return;
    this.lastLine = line;
    this.lastSentAt = Date.now();
    void this.notifier.status(line);
  }
}
