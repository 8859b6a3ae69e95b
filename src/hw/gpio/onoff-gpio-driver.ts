import { DebouncedDigitalInput } from './debounced-digital-input.js';
import { type DigitalInput, type InputSpec, type Level, type OutputSpec, levelOf, pinLabel } from './digital-io.js';
import { type BoardModel, type ModelReader, detectBoardModel } from './board-model.js';
import { GpioDriverBase, type GpioDriverOptions } from './gpio-driver-base.js';
import { classifyOpenError, moduleMissingError } from './gpio-error.js';
import { LevelDigitalOutput } from './level-digital-output.js';
import { type SysfsReader, SysfsGpioNumbering, nodeSysfsReader } from './sysfs-gpio-numbering.js';

/** The part of onoff's `Gpio` instance the driver uses. */
export interface OnoffGpio {
  readSync(): number;
  writeSync(value: Level): void;
  watch(callback: (err: Error | null | undefined, value: number) => void): void;
  unwatchAll(): void;
  unexport(): void;
}

/** onoff's constructor options the driver sets. */
export interface OnoffGpioOptions {
  activeLow?: boolean;
  debounceTimeout?: number;
  reconfigureDirection?: boolean;
}

/** onoff's `Gpio` class: `new Gpio(sysfsNumber, direction, edge, options)`. */
export type OnoffGpioConstructor = new (
  gpio: number,
  direction: 'in' | 'out' | 'high' | 'low',
  edge?: 'none' | 'rising' | 'falling' | 'both',
  options?: OnoffGpioOptions,
) => OnoffGpio;

/** The onoff module boundary (`import('onoff')`). */
export interface OnoffModule {
  Gpio: OnoffGpioConstructor;
}

/** Options of the onoff driver. */
export interface OnoffGpioDriverOptions extends GpioDriverOptions {
  /** Loads onoff; default a lazy `import('onoff')`. Tests inject a fake module. */
  loadModule?: () => Promise<unknown>;
  /** Filesystem reader for the chip scan; default the real one. */
  sysfs?: SysfsReader;
  sysfsRoot?: string;
  readModel?: ModelReader;
  /** Named in the permission fix (`usermod -aG gpio <user>`). */
  serviceUser?: string;
}

/** Lazily loads onoff, turning a missing or unbuildable module into PORTIER_ERR_GPIO_MODULE_MISSING. */
export async function loadOnoffModule(load: () => Promise<unknown> = () => import('onoff')): Promise<OnoffModule> {
  let mod: unknown;
  try {
    mod = await load();
  } catch (error) {
    throw moduleMissingError('onoff', 'onoff', error);
  }
  // CommonJS through import(): the class is a named export or sits on `default`.
  const m = mod as { Gpio?: unknown; default?: { Gpio?: unknown } };
  const Gpio = m.Gpio ?? m.default?.Gpio;
  if (typeof Gpio !== 'function') throw moduleMissingError('onoff', 'onoff', new Error('the module has no Gpio class'));
  return { Gpio: Gpio as OnoffGpioConstructor };
}

/**
 * GPIO through the kernel's sysfs interface with the npm `onoff` module: edge
 * interrupts (`edge: both`, epoll) for inputs, glitch-free `high`/`low` direction
 * for outputs. Works on every Pi including the Pi 5 (RP1), with BCM lines mapped
 * to sysfs numbers through the SoC chip's base. sysfs cannot set pull-ups: they
 * come from the device tree (`gpio=17=ip,pu` in config.txt) or `pinctrl`.
 *
 * Polarity is applied by Portier, not by the kernel: `activeLow: false` is always
 * passed so a stale `active_low` left by another program cannot invert a relay.
 */
export class OnoffGpioDriver extends GpioDriverBase {
  readonly name = 'onoff' as const;
  private readonly warnedPull = new Set<number>();

  private constructor(
    private readonly onoff: OnoffModule,
    readonly numbering: SysfsGpioNumbering,
    readonly board: BoardModel,
    private readonly serviceUser: string | undefined,
    options: GpioDriverOptions,
  ) {
    super(options);
  }

  /** Loads onoff and finds the GPIO chip; fails with a typed error naming the fix. */
  static async create(options: OnoffGpioDriverOptions = {}): Promise<OnoffGpioDriver> {
    const onoff = await loadOnoffModule(options.loadModule);
    const numbering = SysfsGpioNumbering.detect(options.sysfs ?? nodeSysfsReader, options.sysfsRoot);
    const board = detectBoardModel(options.readModel);
    const driver = new OnoffGpioDriver(onoff, numbering, board, options.serviceUser, options);
    driver.logger.info('gpio driver onoff ready', {
      board: board.model ?? 'unknown',
      chip: numbering.chip.label,
      base: numbering.chip.base,
    });
    return driver;
  }

  protected createInput(spec: InputSpec, unregister: () => void): DigitalInput {
    const gpio = this.construct(spec, 'in', 'both');
    if (spec.pull !== 'none' && !this.warnedPull.has(spec.line)) {
      this.warnedPull.add(spec.line);
      this.logger.warn('sysfs cannot set pulls; set them in config.txt or with pinctrl', {
        pin: pinLabel(spec),
        pull: spec.pull,
        fix: `gpio=${spec.line}=ip,${spec.pull === 'up' ? 'pu' : 'pd'}`,
      });
    }
    let initial: Level;
    try {
      initial = toLevel(gpio.readSync());
    } catch (error) {
      safeUnexport(gpio);
      throw this.classify(error, spec.line);
    }
    const input = new DebouncedDigitalInput(spec, initial, this.now, () => {
      gpio.unwatchAll();
      safeUnexport(gpio);
      unregister();
    });
    gpio.watch((err, value) => {
      if (err) input.fail(err);
      else input.feedLevel(toLevel(value));
    });
    return input;
  }

  protected createOutput(spec: OutputSpec, unregister: () => void): LevelDigitalOutput {
    // 'high'/'low' set the raw level together with the direction: no pulse of the
    // wrong level (plain 'out' means raw 0, which energizes an active-low relay).
    const gpio = this.construct(spec, levelOf(false, spec.activeLow) === 1 ? 'high' : 'low', 'none');
    return new LevelDigitalOutput(
      spec,
      {
        writeLevel: (level) => gpio.writeSync(level),
        release: () => {
          safeUnexport(gpio);
          unregister();
        },
      },
      this.now,
    );
  }

  private construct(spec: { line: number }, direction: 'in' | 'high' | 'low', edge: 'both' | 'none'): OnoffGpio {
    const sysfs = this.numbering.toSysfs(spec.line);
    try {
      return new this.onoff.Gpio(sysfs, direction, edge, { activeLow: false, reconfigureDirection: true });
    } catch (error) {
      throw this.classify(error, spec.line, sysfs);
    }
  }

  private classify(error: unknown, line: number, sysfs = this.numbering.chip.base + line) {
    return classifyOpenError(error, {
      driver: 'onoff',
      line,
      device: `/sys/class/gpio/gpio${sysfs}`,
      ...(this.serviceUser ? { serviceUser: this.serviceUser } : {}),
    });
  }
}

function toLevel(value: number): Level {
  return value ? 1 : 0;
}

function safeUnexport(gpio: OnoffGpio): void {
  try {
    gpio.unexport();
  } catch {
    // Already gone (or never fully exported): nothing left to release.
  }
}
