import { TypedEmitter } from '../../util/typed-emitter.js';
import type { NowFn } from '../input/deadline-timer.js';
import { GpioError, GpioErrorCode } from './gpio-error.js';
import { type DigitalOutput, type DigitalOutputEvents, type Level, type OutputSpec, levelOf, pinLabel } from './digital-io.js';

/** What a driver provides for one output line: set its physical level, and let it go. */
export interface OutputLineBackend {
  writeLevel(level: Level): void;
  /** Releases the line after it was driven inactive (unexport, stop tracking…). */
  release(): void;
}

/**
 * The DigitalOutput every driver hands out. The driver must already have opened
 * the line at its inactive level (glitch-free); this class converts logical
 * values to levels and drives the line inactive again on close.
 */
export class LevelDigitalOutput extends TypedEmitter<DigitalOutputEvents> implements DigitalOutput {
  readonly spec: Readonly<OutputSpec>;
  private value = false;
  private closed = false;

  constructor(
    spec: OutputSpec,
    private readonly backend: OutputLineBackend,
    private readonly now: NowFn,
  ) {
    super();
    this.spec = Object.freeze({ ...spec });
  }

  write(active: boolean): void {
    if (this.closed) throw new GpioError(GpioErrorCode.Closed, `${pinLabel(this.spec)}: write after close`);
    // Written even when unchanged: cheap, and it repairs a line someone else toggled.
    this.backend.writeLevel(levelOf(active, this.spec.activeLow));
    if (active !== this.value) {
      this.value = active;
      this.emit('change', active, this.now());
    }
  }

  read(): boolean {
    return this.value;
  }

  /** Best-effort inactive drive that never throws (exit paths). */
  driveInactive(): void {
    if (this.closed) return;
    try {
      this.backend.writeLevel(levelOf(false, this.spec.activeLow));
    } catch {
      return;
    }
    if (this.value) {
      this.value = false;
      this.emit('change', false, this.now());
    }
  }

  get isClosed(): boolean {
    return this.closed;
  }

  close(): void {
    if (this.closed) return;
    this.driveInactive();
    this.closed = true;
    try {
      this.backend.release();
    } finally {
      this.removeAllListeners();
    }
  }
}
