import { TypedEmitter } from '../../util/typed-emitter.js';
import type { DigitalOutput } from '../gpio/digital-io.js';
import { GpioError, GpioErrorCode } from '../gpio/gpio-error.js';
import { DeadlineTimer, type NowFn, monotonicNow } from '../input/deadline-timer.js';

/** Events of a {@link RelayController}. */
export type RelayControllerEvents = {
  /** The relay was energized or released; `reason` says why. */
  change: [energized: boolean, atMs: number, reason: RelayChangeReason];
};

/** Why the relay changed state. */
export type RelayChangeReason = 'pulse' | 'hold' | 'pulse-ended' | 'release' | 'close';

/** Options of a {@link RelayController}. */
export interface RelayControllerOptions {
  /** Upper bound for one pulse, against a mistyped config or code; default 60 000 ms. */
  maxPulseMs?: number;
  now?: NowFn;
}

/**
 * Drives one relay (door strike, chime) through a DigitalOutput: a timed pulse
 * or a hold. De-energized at construction and on close; a pulse while the relay
 * is already pulsing extends it to the later end, never shortens it.
 */
export class RelayController extends TypedEmitter<RelayControllerEvents> {
  private readonly timer: DeadlineTimer;
  private readonly maxPulseMs: number;
  private readonly now: NowFn;
  private energized = false;
  private held = false;
  private pulseEndsAt: number | undefined;
  private closed = false;

  constructor(
    private readonly output: DigitalOutput,
    options: RelayControllerOptions = {},
  ) {
    super();
    this.now = options.now ?? monotonicNow;
    this.maxPulseMs = options.maxPulseMs ?? 60_000;
    this.timer = new DeadlineTimer(this.now, () => this.onTimer());
    // Whatever the line did before, the relay starts released.
    output.write(false);
  }

  /** Whether the relay is energized now. */
  get isEnergized(): boolean {
    return this.energized;
  }

  /** When the current pulse ends (undefined while held or released). */
  get pulseEndsAtMs(): number | undefined {
    return this.held ? undefined : this.pulseEndsAt;
  }

  /**
   * Energizes for `durationMs` (capped at `maxPulseMs`). While held, the hold wins
   * and the pulse is ignored; while pulsing, the end moves to the later of the two.
   */
  pulse(durationMs: number): void {
    this.assertOpen();
    if (!Number.isFinite(durationMs) || durationMs <= 0) throw new RangeError(`relay pulse must be > 0 ms, got ${durationMs}`);
    if (this.held) return;
    const now = this.now();
    const end = now + Math.min(durationMs, this.maxPulseMs);
    if (this.pulseEndsAt === undefined || end > this.pulseEndsAt) this.pulseEndsAt = end;
    this.set(true, now, 'pulse');
    this.timer.schedule(this.pulseEndsAt);
  }

  /** Energizes until {@link release}. */
  hold(): void {
    this.assertOpen();
    this.held = true;
    this.pulseEndsAt = undefined;
    this.timer.cancel();
    this.set(true, this.now(), 'hold');
  }

  /** De-energizes now, ending a pulse or a hold. */
  release(): void {
    this.assertOpen();
    this.stop('release');
  }

  /** De-energizes and stops the timer; the output itself stays open (its owner closes it). */
  close(): void {
    if (this.closed) return;
    this.closed = true;
    this.timer.close();
    try {
      this.stop('close');
    } catch {
      // The output was closed first (driver shutdown): it drove itself inactive then.
    } finally {
      this.removeAllListeners();
    }
  }

  private onTimer(): void {
    if (this.closed || this.held || this.pulseEndsAt === undefined) return;
    const now = this.now();
    // A timer can fire a hair early on a coarse loop clock: wait out the rest.
    if (now < this.pulseEndsAt) return this.timer.schedule(this.pulseEndsAt);
    this.stop('pulse-ended');
  }

  private stop(reason: RelayChangeReason): void {
    this.held = false;
    this.pulseEndsAt = undefined;
    this.timer.cancel();
    this.set(false, this.now(), reason);
  }

  private set(energized: boolean, atMs: number, reason: RelayChangeReason): void {
    this.output.write(energized);
    if (energized === this.energized) return;
    this.energized = energized;
    this.emit('change', energized, atMs, reason);
  }

  private assertOpen(): void {
    if (this.closed) throw new GpioError(GpioErrorCode.Closed, `relay ${this.output.spec.name ?? `GPIO${this.output.spec.line}`} is closed`);
  }
}
