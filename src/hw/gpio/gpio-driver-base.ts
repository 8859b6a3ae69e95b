import type { Logger } from '../../log/logger.js';
import { silentLogger } from '../../log/logger.js';
import { type NowFn, monotonicNow } from '../input/deadline-timer.js';
import { GpioError, GpioErrorCode } from './gpio-error.js';
import { LevelDigitalOutput } from './level-digital-output.js';
import type { DigitalInput, DigitalOutput, GpioDriver, GpioDriverName, InputSpec, OutputSpec } from './digital-io.js';
import { pinLabel } from './digital-io.js';

/** Registers a synchronous process-exit callback; returns its unregistration. */
export type ExitHook = (fn: () => void) => () => void;

/** The default exit hook: `process.on('exit')`, where only synchronous work runs. */
export const processExitHook: ExitHook = (fn) => {
  process.on('exit', fn);
  return () => {
    process.off('exit', fn);
  };
};

/** Options shared by every driver. */
export interface GpioDriverOptions {
  /** Monotonic millisecond clock for event times and debounce; default `performance.now()`. */
  now?: NowFn;
  /** Where the driver registers its exit fail-safe; `false` to skip (tests, embedding). */
  onProcessExit?: ExitHook | false;
  logger?: Logger;
}

const PULLS = new Set(['up', 'down', 'none']);

/**
 * What all drivers share: spec validation, one open handle per line, the
 * registry behind `driveAllOutputsInactive()`, the exit fail-safe and `close()`.
 */
export abstract class GpioDriverBase implements GpioDriver {
  abstract readonly name: GpioDriverName;
  protected readonly now: NowFn;
  protected readonly logger: Logger;
  private readonly inputs = new Map<number, DigitalInput>();
  private readonly outputs = new Map<number, LevelDigitalOutput>();
  private readonly removeExitHook: (() => void) | undefined;
  private closed = false;

  protected constructor(options: GpioDriverOptions = {}) {
    this.now = options.now ?? monotonicNow;
    this.logger = options.logger ?? silentLogger;
    const hook = options.onProcessExit === undefined ? processExitHook : options.onProcessExit;
    this.removeExitHook = hook === false ? undefined : hook(() => this.driveAllOutputsInactive());
  }

  openInput(spec: InputSpec): DigitalInput {
    this.assertUsable(spec);
    validateInputSpec(spec);
    const input = this.createInput(spec, () => this.inputs.delete(spec.line));
    this.inputs.set(spec.line, input);
    return input;
  }

  openOutput(spec: OutputSpec): DigitalOutput {
    this.assertUsable(spec);
    if (typeof spec.activeLow !== 'boolean') throw invalidSpec(spec, `activeLow must be true or false`);
    const output = this.createOutput(spec, () => this.outputs.delete(spec.line));
    this.outputs.set(spec.line, output);
    return output;
  }

  driveAllOutputsInactive(): void {
    for (const output of this.outputs.values()) output.driveInactive();
  }

  close(): void {
    if (this.closed) return;
    this.closed = true;
    // Outputs first: the fail-safe matters more than tidy inputs if something throws.
    for (const output of [...this.outputs.values()]) safely(() => output.close());
    for (const input of [...this.inputs.values()]) safely(() => input.close());
    this.removeExitHook?.();
    safely(() => this.closeBackend());
  }

  /** Number of lines currently open (for diagnostics and tests). */
  get openLineCount(): number {
    return this.inputs.size + this.outputs.size;
  }

  /** Opens the line as an input; `unregister` must run when the input closes. */
  protected abstract createInput(spec: InputSpec, unregister: () => void): DigitalInput;
  /** Opens the line as an output at its inactive level; `unregister` must run when it closes. */
  protected abstract createOutput(spec: OutputSpec, unregister: () => void): LevelDigitalOutput;
  /** Releases driver-wide resources after every line is closed. */
  protected closeBackend(): void {}

  private assertUsable(spec: { line: number; name?: string }): void {
    if (this.closed) throw new GpioError(GpioErrorCode.Closed, `gpio driver '${this.name}' is closed`);
    if (!Number.isInteger(spec.line) || spec.line < 0) {
      throw new GpioError(GpioErrorCode.InvalidLine, `${pinLabel(spec)}: line must be a BCM GPIO number >= 0, got ${spec.line}`);
    }
    if (this.inputs.has(spec.line) || this.outputs.has(spec.line)) {
      throw new GpioError(
        GpioErrorCode.PinBusy,
        `${pinLabel(spec)}: pin ${spec.line} is already open in this process (two logical names on one line?)`,
      );
    }
  }
}

/** Checks an input spec's fields, throwing PORTIER_ERR_GPIO_INVALID_SPEC with the field named. */
export function validateInputSpec(spec: InputSpec): void {
  if (typeof spec.activeLow !== 'boolean') throw invalidSpec(spec, 'activeLow must be true or false');
  if (!PULLS.has(spec.pull)) throw invalidSpec(spec, `pull must be 'up', 'down' or 'none', got '${String(spec.pull)}'`);
  if (!Number.isFinite(spec.debounceMs) || spec.debounceMs < 0 || spec.debounceMs > 10_000) {
    throw invalidSpec(spec, `debounceMs must be between 0 and 10000, got ${spec.debounceMs}`);
  }
}

function invalidSpec(spec: { line: number; name?: string }, why: string): GpioError {
  return new GpioError(GpioErrorCode.InvalidSpec, `${pinLabel(spec)}: ${why}`);
}

function safely(fn: () => void): void {
  try {
    fn();
  } catch {
    // Close paths are best-effort: one stuck line must not keep the others energized.
  }
}
