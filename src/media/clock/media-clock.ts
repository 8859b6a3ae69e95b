import { systemTimeSource, type TimeSource, type TimerHandle } from './time-source.js';

/** One period of the media clock. */
export interface MediaClockTick {
  /** Number of this period since start (0-based); skipped periods are counted too. */
  index: number;
  /**
   * Periods dropped just before this one because the clock fell too far behind;
   * the sender must advance its RTP timestamp over them (skipFrame) without sending.
   */
  skipped: number;
  /** How far past its deadline this period is delivered, ms (≥ 0, small unless catching up). */
  lateMs: number;
}

/** Tuning of {@link MediaClock}. */
export interface MediaClockOptions {
  /** Period in ms (the packet time). */
  periodMs?: number;
  /** Most missed periods delivered back to back when late; older ones are skipped. */
  maxCatchUpTicks?: number;
  timeSource?: TimeSource;
  /**
   * When the time source can sleep precisely (TimeSource.sleepUntil): wake up this many ms
   * before each deadline on a timer, then sleep the rest of the way, so that periods are
   * delivered within a fraction of a millisecond instead of libuv's ±1–2 ms. The event
   * loop is blocked for up to this long (plus the timer's error) per period. Default 0: timers only.
   */
  finalApproachMs?: number;
  /** Called when the tick handler throws; the clock keeps running. Default: stderr. */
  onError?: (error: unknown) => void;
}

/** A wake-up this close before the deadline is taken as on time (Node's timers have 1 ms granularity). */
const EARLY_TOLERANCE_MS = 1;
/**
 * How much earlier than planned a final-approach wake-up may come and still be slept
 * out: libuv fires up to ~2 ms early. Earlier than that, the timer is armed again.
 */
const FINAL_APPROACH_SLACK_MS = 2;

/**
 * An absolute-deadline scheduler for sending audio when no capture device
 * clocks it (STYLE.md "Media timing"). Period n is due at `start + n·period`,
 * computed by multiplication so nothing accumulates; each wake-up re-arms a
 * one-shot timer for the next deadline measured on the monotonic clock — never
 * `setInterval`, whose errors add up to a slow drift.
 *
 * When a wake-up comes late, the periods whose deadline has passed are all
 * delivered, back to back, up to `maxCatchUpTicks` (each is its own packet with
 * its own timestamp; the far end's jitter buffer absorbs a short burst). Beyond
 * that — the event loop was blocked or the process stopped — the oldest periods
 * are reported as `skipped` on the next tick: the sender advances the RTP
 * timestamp over them without sending, which the far end conceals as loss,
 * instead of flooding it with stale audio. Either way the timestamp keeps
 * tracking real time.
 *
 * With a final approach (MediaClockOptions.finalApproachMs), the timer is armed that
 * much before the deadline and the rest is slept precisely (TimeSource.sleepUntil).
 */
export class MediaClock {
  readonly periodMs: number;
  private readonly maxCatchUp: number;
  private readonly time: TimeSource;
  private readonly onTick: (tick: MediaClockTick) => void;
  private readonly onError: (error: unknown) => void;
  private finalApproachMs = 0;
  private startMs = 0;
  private index = 0;
  private timer: TimerHandle | undefined;
  private state: 'idle' | 'running' | 'closed' = 'idle';
  private skippedTotal = 0;

  constructor(onTick: (tick: MediaClockTick) => void, options: MediaClockOptions = {}) {
    this.periodMs = options.periodMs ?? 20;
    if (!(this.periodMs > 0)) throw new RangeError(`media clock period must be positive, got ${this.periodMs}`);
    this.maxCatchUp = Math.max(1, options.maxCatchUpTicks ?? 5);
    this.time = options.timeSource ?? systemTimeSource;
    this.setFinalApproach(options.finalApproachMs ?? 0);
    this.onTick = onTick;
    this.onError =
      options.onError ?? ((error) => process.stderr.write(`portier: media clock tick threw: ${String(error)}\n`));
  }

  /** Starts ticking; the first period is due at once. Does nothing if already started or closed. */
  start(): void {
    if (this.state !== 'idle') return;
    this.state = 'running';
    this.startMs = this.time.now();
    this.index = 0;
    this.fire();
  }

  /** Periods delivered or skipped so far. */
  get ticks(): number {
    return this.index;
  }

  /** Periods skipped so far because the clock fell too far behind. */
  get skipped(): number {
    return this.skippedTotal;
  }

  get running(): boolean {
    return this.state === 'running';
  }

  /**
   * Changes the final approach (MediaClockOptions.finalApproachMs) from the next timer
   * on; ignored (0) when the time source cannot sleep precisely.
   */
  setFinalApproach(ms: number): void {
    this.finalApproachMs = this.time.sleepUntil ? Math.max(0, ms) : 0;
  }

  /** Stops the clock for good; idempotent. */
  close(): void {
    if (this.state === 'closed') return;
    this.state = 'closed';
    if (this.timer !== undefined) this.time.clearTimeout(this.timer);
    this.timer = undefined;
  }

  private deadline(index: number): number {
    return this.startMs + index * this.periodMs;
  }

  private readonly fire = (): void => {
    this.timer = undefined;
    if (this.state !== 'running') return;
    let now = this.time.now();
    let behind = now - this.deadline(this.index);
    if (behind < 0 && this.finalApproachMs > 0 && -behind <= this.finalApproachMs + FINAL_APPROACH_SLACK_MS) {
      this.time.sleepUntil!(this.deadline(this.index));
      now = this.time.now();
      behind = now - this.deadline(this.index);
    }
    if (behind >= -EARLY_TOLERANCE_MS) {
      let due = Math.max(1, Math.floor(behind / this.periodMs) + 1);
      let skipped = 0;
      if (due > this.maxCatchUp) {
        skipped = due - this.maxCatchUp;
        due = this.maxCatchUp;
        this.index += skipped;
        this.skippedTotal += skipped;
      }
      for (let i = 0; i < due && this.state === 'running'; i++) {
        const index = this.index++;
        try {
          this.onTick({ index, skipped: i === 0 ? skipped : 0, lateMs: Math.max(0, now - this.deadline(index)) });
        } catch (error) {
          this.onError(error);
        }
      }
    }
    if (this.state !== 'running') return;
    this.timer = this.time.setTimeout(this.fire, Math.max(0, this.deadline(this.index) - this.finalApproachMs - this.time.now()));
  };
}
