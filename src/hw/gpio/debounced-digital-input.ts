import { TypedEmitter } from '../../util/typed-emitter.js';
import { Debouncer } from '../input/debouncer.js';
import { DeadlineTimer, type NowFn } from '../input/deadline-timer.js';
import { GpioError, GpioErrorCode } from './gpio-error.js';
import { type DigitalInput, type DigitalInputEvents, type InputSpec, type Level, isActiveLevel, pinLabel } from './digital-io.js';

/**
 * The DigitalInput every driver hands out: a driver feeds it physical levels as
 * it sees them (`feedLevel`), and it applies polarity and the stable-state
 * debounce, owning the one timer that confirms the last edge.
 */
export class DebouncedDigitalInput extends TypedEmitter<DigitalInputEvents> implements DigitalInput {
  readonly spec: Readonly<InputSpec>;
  private readonly debouncer: Debouncer;
  private readonly timer: DeadlineTimer;
  private closed = false;

  constructor(
    spec: InputSpec,
    initialLevel: Level,
    private readonly now: NowFn,
    private readonly release: () => void,
  ) {
    super();
    this.spec = Object.freeze({ ...spec });
    this.debouncer = new Debouncer({ windowMs: spec.debounceMs, initial: isActiveLevel(initialLevel, spec.activeLow) });
    this.timer = new DeadlineTimer(now, () => this.confirm());
  }

  /** Called by the driver with each observed physical level (edges or samples). */
  feedLevel(level: Level, atMs: number = this.now()): void {
    if (this.closed) return;
    this.deliver(this.debouncer.sample(isActiveLevel(level, this.spec.activeLow), atMs));
  }

  /** Called by the driver when reading the line failed. */
  fail(error: unknown): void {
    if (this.closed) return;
    const err =
      error instanceof Error ? error : new GpioError(GpioErrorCode.Io, `${pinLabel(this.spec)}: read failed: ${String(error)}`);
    this.emit('error', err);
  }

  read(): boolean {
    return this.debouncer.value;
  }

  close(): void {
    if (this.closed) return;
    this.closed = true;
    this.timer.close();
    this.release();
    this.removeAllListeners();
  }

  private confirm(): void {
    if (this.closed) return;
    this.deliver(this.debouncer.poll(this.now()));
  }

  private deliver(changes: ReadonlyArray<{ value: boolean; atMs: number }>): void {
    for (const c of changes) {
      if (this.closed) return; // a listener closed us
      this.emit('change', c.value, c.atMs);
    }
    // Rescheduled after every step: a timer may fire a hair early on a coarse loop clock.
    if (!this.closed) this.timer.schedule(this.debouncer.nextDeadline());
  }
}
