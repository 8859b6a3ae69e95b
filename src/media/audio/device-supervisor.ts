import { systemTimeSource, type TimeSource, type TimerHandle } from '../clock/time-source.js';
import { silentLogger, type Logger } from '../../log/logger.js';
import { ExponentialBackoff } from '../../util/exponential-backoff.js';
import type { AudioDeviceState } from './audio-device-state.js';
import { toError } from './audio-error.js';

/** One attempt to open a device; reports from a superseded attempt are ignored. */
export interface DeviceAttempt {
  /** 1 for the first attempt, counting every attempt since start. */
  readonly number: number;
  /** The device works (first audio captured, player process settled). */
  running(): void;
  /** The device failed to open or failed later; it is released and retried. */
  failed(error: unknown): void;
  /** False once this attempt has been superseded or the supervisor closed. */
  readonly current: boolean;
}

/** How a DeviceSupervisor opens, releases and reports one device. */
export interface DeviceSupervisorOptions {
  /** Names the device in logs (e.g. `capture plughw:1,0`). */
  name: string;
  /** Opens the device; throwing or rejecting counts as a failed attempt. */
  open(attempt: DeviceAttempt): void | Promise<void>;
  /** Releases whatever the last open() acquired; must not throw. */
  release(): void;
  onState(state: AudioDeviceState): void;
  onError?(error: Error): void;
  /** Delay between failed attempts; default 0.5 s doubling to 30 s, 20 % jitter. */
  backoff?: ExponentialBackoff;
  /** A device that ran this long before failing is retried from the shortest delay again. */
  stableMs?: number;
  timeSource?: TimeSource;
  logger?: Logger;
}

/**
 * Keeps one audio device open: opens it, and whenever an attempt fails — the device is
 * missing, was unplugged, its process exited — releases it, logs, reports `retrying`
 * with the error and the next attempt, and tries again after a capped exponential
 * backoff. Never throws into its owner; only close() stops it.
 */
export class DeviceSupervisor {
  private current: AudioDeviceState = { state: 'idle' };
  private generation = 0;
  private retryTimer: TimerHandle | undefined;
  private runningSinceMs: number | undefined;
  private readonly backoff: ExponentialBackoff;
  private readonly stableMs: number;
  private readonly time: TimeSource;
  private readonly logger: Logger;

  constructor(private readonly options: DeviceSupervisorOptions) {
    this.backoff = options.backoff ?? new ExponentialBackoff(500, 30_000, 0.2);
    this.stableMs = options.stableMs ?? 10_000;
    this.time = options.timeSource ?? systemTimeSource;
    this.logger = options.logger ?? silentLogger;
  }

  get state(): AudioDeviceState {
    return this.current;
  }

  private get closed(): boolean {
    return this.current.state === 'closed';
  }

  /** Opens the device for the first time; does nothing unless idle. */
  start(): void {
    if (this.current.state !== 'idle') return;
    this.setState({ state: 'starting' });
    this.attemptOpen();
  }

  /** Releases the device and cancels retries for good. Idempotent. */
  close(): void {
    if (this.current.state === 'closed') return;
    this.generation++;
    if (this.retryTimer !== undefined) this.time.clearTimeout(this.retryTimer);
    this.retryTimer = undefined;
    this.releaseSafely();
    this.setState({ state: 'closed' });
  }

  private attemptOpen(): void {
    this.retryTimer = undefined;
    if (this.current.state === 'closed') return;
    const generation = ++this.generation;
    const supervisor = this;
    const attempt: DeviceAttempt = {
      number: generation,
      running: () => this.onRunning(generation),
      failed: (error) => this.onFailed(generation, error),
      get current() {
        return supervisor.generation === generation && supervisor.current.state !== 'closed';
      },
    };
    try {
      const opening = this.options.open(attempt);
      if (opening) opening.catch((error: unknown) => attempt.failed(error));
    } catch (error) {
      attempt.failed(error);
    }
  }

  private onRunning(generation: number): void {
    if (generation !== this.generation || this.current.state === 'closed' || this.current.state === 'running') return;
    const recovered = this.current.state === 'retrying';
    this.runningSinceMs = this.time.now();
    this.setState({ state: 'running' });
    if (recovered) this.logger.info(`${this.options.name}: device is back`, { failures: this.backoff.failures });
    else this.logger.info(`${this.options.name}: device running`);
  }

  private onFailed(generation: number, cause: unknown): void {
    if (generation !== this.generation || this.current.state === 'closed') return;
    this.generation++; // later reports of this attempt are stale
    const error = toError(cause);
    this.releaseSafely();
    const now = this.time.now();
    if (this.runningSinceMs !== undefined && now - this.runningSinceMs >= this.stableMs) this.backoff.reset();
    this.runningSinceMs = undefined;
    const retryInMs = this.backoff.next();
    this.logger.warn(`${this.options.name}: device failed, retrying`, { error, attempt: this.backoff.failures, retryInMs });
    this.options.onError?.(error);
    this.setState({ state: 'retrying', error, attempt: this.backoff.failures, retryInMs, retryAtMs: now + retryInMs });
    if (this.closed) return; // a state listener closed us
    this.retryTimer = this.time.setTimeout(() => this.attemptOpen(), retryInMs);
  }

  private releaseSafely(): void {
    try {
      this.options.release();
    } catch (error) {
      this.logger.error(`${this.options.name}: releasing the device threw`, { error: toError(error) });
    }
  }

  private setState(state: AudioDeviceState): void {
    this.current = state;
    this.options.onState(state);
  }
}
