import { TypedEmitter } from '../../util/typed-emitter.js';
import type { DigitalInput } from '../gpio/digital-io.js';
import { DeadlineTimer, type NowFn, monotonicNow } from './deadline-timer.js';
import { type ButtonEvent, PressDetector } from './press-detector.js';

/** Events of a {@link ButtonInput}. */
export type ButtonInputEvents = {
  press: [atMs: number];
  longPress: [atMs: number];
  release: [atMs: number, heldMs: number, long: boolean];
};

/** Options of a {@link ButtonInput}. */
export interface ButtonInputOptions {
  longPressMs?: number;
  /** The clock the input's event times are on (the driver's); default `performance.now()`. */
  now?: NowFn;
}

/**
 * The timer adapter around {@link PressDetector}: listens to a debounced
 * DigitalInput and owns the one unref()ed timer that reports a long press while
 * the button is held. It does not own the input; `close()` only detaches.
 */
export class ButtonInput extends TypedEmitter<ButtonInputEvents> {
  private readonly detector: PressDetector;
  private readonly timer: DeadlineTimer;
  private readonly onChange = (value: boolean, atMs: number) => this.deliver(this.detector.process({ value, atMs }));
  private closed = false;

  constructor(
    private readonly input: DigitalInput,
    options: ButtonInputOptions = {},
  ) {
    super();
    const now = options.now ?? monotonicNow;
    this.detector = new PressDetector({
      ...(options.longPressMs !== undefined ? { longPressMs: options.longPressMs } : {}),
      initiallyPressed: input.read(),
      settleMs: input.spec.debounceMs,
    });
    this.timer = new DeadlineTimer(now, () => this.deliver(this.detector.poll(now())));
    input.on('change', this.onChange);
  }

  get pressed(): boolean {
    return this.detector.pressed;
  }

  close(): void {
    if (this.closed) return;
    this.closed = true;
    this.input.off('change', this.onChange);
    this.timer.close();
    this.removeAllListeners();
  }

  private deliver(events: ButtonEvent[]): void {
    if (this.closed) return;
    for (const e of events) {
      if (e.type === 'press') this.emit('press', e.atMs);
      else if (e.type === 'long-press') this.emit('longPress', e.atMs);
      else this.emit('release', e.atMs, e.heldMs, e.long);
    }
    if (!this.closed) this.timer.schedule(this.detector.nextDeadline());
  }
}
