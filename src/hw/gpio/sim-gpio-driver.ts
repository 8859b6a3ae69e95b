import { TypedEmitter } from '../../util/typed-emitter.js';
import { DebouncedDigitalInput } from './debounced-digital-input.js';
import { type DigitalInput, type InputSpec, type Level, type OutputSpec, isActiveLevel, levelOf } from './digital-io.js';
import { GpioDriverBase, type GpioDriverOptions } from './gpio-driver-base.js';
import { GpioError, GpioErrorCode } from './gpio-error.js';
import { LevelDigitalOutput } from './level-digital-output.js';

/** Events of the simulated board, for a display or a test. */
export type SimGpioEvents = {
  /** An output line changed level (logical `active` and physical `level`). */
  output: [line: number, active: boolean, level: Level, atMs: number];
  /** An input line's debounced logical value changed. */
  input: [line: number, active: boolean, atMs: number];
};

/** Options of the simulated driver. */
export interface SimGpioDriverOptions extends GpioDriverOptions {
  /** Physical level of every input line before anything is simulated (default 1: idle with pull-ups). */
  idleLevel?: Level;
}

/**
 * In-process GPIO: inputs are set with `simulate()`/`simulateLevel()` (the local
 * API and the keyboard use this), outputs record their level and are reported
 * through `events` so a display can show them. Same debounce and polarity as the
 * hardware drivers, so behaviour seen here is behaviour on the board.
 */
export class SimGpioDriver extends GpioDriverBase {
  readonly name = 'sim' as const;
  /** Board-level events for displays. */
  readonly events = new TypedEmitter<SimGpioEvents>();
  private readonly levels = new Map<number, Level>();
  private readonly openInputs = new Map<number, DebouncedDigitalInput>();
  private readonly openOutputs = new Map<number, OutputSpec>();
  private readonly idleLevel: Level;

  constructor(options: SimGpioDriverOptions = {}) {
    super(options);
    this.idleLevel = options.idleLevel ?? 1;
  }

  /** Sets an input line to its logical `active` value (respecting its polarity). */
  simulate(line: number, active: boolean): void {
    const input = this.openInputs.get(line);
    if (!input) throw new GpioError(GpioErrorCode.InvalidLine, `sim: no input is open on GPIO${line}`);
    this.simulateLevel(line, levelOf(active, input.spec.activeLow));
  }

  /** Sets the physical level of a line, as a wire would; open inputs see it as an edge. */
  simulateLevel(line: number, level: Level, atMs: number = this.now()): void {
    if (this.openOutputs.has(line)) throw new GpioError(GpioErrorCode.PinBusy, `sim: GPIO${line} is an output`);
    this.levels.set(line, level);
    this.openInputs.get(line)?.feedLevel(level, atMs);
  }

  /** The physical level of a line (outputs: as driven; inputs: as simulated). */
  levelOf(line: number): Level | undefined {
    return this.levels.get(line);
  }

  /** Logical state of every open output, for a status display. */
  outputStates(): Array<{ line: number; name?: string; active: boolean }> {
    return [...this.openOutputs.values()].map((spec) => ({
      line: spec.line,
      ...(spec.name ? { name: spec.name } : {}),
      active: isActiveLevel(this.levels.get(spec.line) ?? 0, spec.activeLow),
    }));
  }

  protected createInput(spec: InputSpec, unregister: () => void): DigitalInput {
    const level = this.levels.get(spec.line) ?? this.idleLevel;
    this.levels.set(spec.line, level);
    const input = new DebouncedDigitalInput(spec, level, this.now, () => {
      this.openInputs.delete(spec.line);
      unregister();
    });
    input.on('change', (active, atMs) => this.events.emit('input', spec.line, active, atMs));
    this.openInputs.set(spec.line, input);
    return input;
  }

  protected createOutput(spec: OutputSpec, unregister: () => void): LevelDigitalOutput {
    this.openOutputs.set(spec.line, spec);
    this.setOutputLevel(spec, levelOf(false, spec.activeLow));
    return new LevelDigitalOutput(
      spec,
      {
        writeLevel: (level) => this.setOutputLevel(spec, level),
        release: () => {
          this.openOutputs.delete(spec.line);
          unregister();
        },
      },
      this.now,
    );
  }

  protected override closeBackend(): void {
    this.events.removeAllListeners();
  }

  private setOutputLevel(spec: OutputSpec, level: Level): void {
    const before = this.levels.get(spec.line);
    this.levels.set(spec.line, level);
    if (before !== level) this.events.emit('output', spec.line, isActiveLevel(level, spec.activeLow), level, this.now());
  }
}
