import { accessSync, constants } from 'node:fs';
import { DebouncedDigitalInput } from './debounced-digital-input.js';
import { type DigitalInput, type InputSpec, type Level, type OutputSpec, type Pull, levelOf } from './digital-io.js';
import { type BoardModel, type ModelReader, detectBoardModel } from './board-model.js';
import { GpioDriverBase, type GpioDriverOptions } from './gpio-driver-base.js';
import { GpioError, GpioErrorCode, classifyOpenError, moduleMissingError } from './gpio-error.js';
import { LevelDigitalOutput } from './level-digital-output.js';

/** The part of the npm `rpio` module object the driver uses. */
export interface RpioModule {
  init(options: { gpiomem?: boolean; mapping?: 'gpio' | 'physical'; close_on_exit?: boolean; mock?: string }): void;
  open(pin: number, mode: number, init?: number): void;
  read(pin: number): number;
  write(pin: number, value: number): void;
  pud(pin: number, state: number): void;
  poll(pin: number, callback: ((pin: number) => void) | null, direction?: number): void;
  close(pin: number, reset?: number): void;
  readonly INPUT: number;
  readonly OUTPUT: number;
  readonly LOW: number;
  readonly HIGH: number;
  readonly PULL_OFF: number;
  readonly PULL_DOWN: number;
  readonly PULL_UP: number;
  readonly POLL_BOTH: number;
  readonly PIN_RESET: number;
  readonly PIN_PRESERVE: number;
}

/** Options of the rpio driver. */
export interface RpioGpioDriverOptions extends GpioDriverOptions {
  /** Loads rpio; default a lazy `import('rpio')`. Tests inject a fake module. */
  loadModule?: () => Promise<unknown>;
  readModel?: ModelReader;
  /** Checks read/write access to the device (throws an errno error); default `fs.accessSync`. */
  checkDevice?: (path: string) => void;
  /** Default `/dev/gpiomem`. */
  devicePath?: string;
  serviceUser?: string;
}

// rpio ships no type declarations; a non-literal specifier keeps tsc from looking for them.
const RPIO_MODULE: string = 'rpio';
const importRpio = (): Promise<unknown> => import(RPIO_MODULE);

/** BCM2835/2711 have 54 (58) lines; the 40-pin header exposes 0-27. */
const MAX_LINE = 53;

/** Lazily loads rpio, turning a missing or unbuildable module into PORTIER_ERR_GPIO_MODULE_MISSING. */
export async function loadRpioModule(load: () => Promise<unknown> = importRpio): Promise<RpioModule> {
  let mod: unknown;
  try {
    mod = await load();
  } catch (error) {
    throw moduleMissingError('rpio', 'rpio', error);
  }
  const m = mod as { default?: unknown; init?: unknown };
  const rpio = (typeof m.init === 'function' ? m : m.default) as Partial<RpioModule> | undefined;
  if (!rpio || typeof rpio.init !== 'function' || typeof rpio.poll !== 'function') {
    throw moduleMissingError('rpio', 'rpio', new Error('the module does not look like rpio'));
  }
  return rpio as RpioModule;
}

/**
 * GPIO through /dev/gpiomem with the npm `rpio` module (Raspberry Pi 1-4, Zero,
 * Zero 2 W, CM4): pulls set in hardware, inputs watched with rpio's edge-detect
 * `poll()` callback, outputs opened at their inactive level. It refuses the
 * Pi 5 (its header GPIO is on RP1, which rpio cannot drive) and non-Pi boards
 * (where rpio would silently fall back to a mock).
 */
export class RpioGpioDriver extends GpioDriverBase {
  readonly name = 'rpio' as const;

  private constructor(
    private readonly rpio: RpioModule,
    readonly board: BoardModel,
    options: GpioDriverOptions,
  ) {
    super(options);
  }

  /** Checks the board and device, loads rpio and initialises it in gpiomem/BCM mode. */
  static async create(options: RpioGpioDriverOptions = {}): Promise<RpioGpioDriver> {
    const board = detectBoardModel(options.readModel);
    if (board.family === 'rp1') {
      throw new GpioError(
        GpioErrorCode.UnsupportedBoard,
        `rpio does not support the Raspberry Pi 5 family (RP1 GPIO; board: ${board.model}); use driver: onoff`,
      );
    }
    if (!board.isRaspberryPi) {
      throw new GpioError(
        GpioErrorCode.UnsupportedBoard,
        `rpio drives only Raspberry Pi 1-4 GPIO (board: ${board.model ?? 'unknown, no /proc/device-tree/model'}); ` +
          `use driver: onoff on other Linux boards, or driver: sim without hardware`,
      );
    }
    const device = options.devicePath ?? '/dev/gpiomem';
    const context = { driver: 'rpio', device, ...(options.serviceUser ? { serviceUser: options.serviceUser } : {}) };
    try {
      (options.checkDevice ?? ((p: string) => accessSync(p, constants.R_OK | constants.W_OK)))(device);
    } catch (error) {
      throw classifyOpenError(error, context);
    }
    const rpio = await loadRpioModule(options.loadModule);
    try {
      // close_on_exit off: Portier's own exit hook drives outputs inactive first.
      rpio.init({ gpiomem: true, mapping: 'gpio', close_on_exit: false });
    } catch (error) {
      throw classifyOpenError(error, context);
    }
    const driver = new RpioGpioDriver(rpio, board, options);
    driver.logger.info('gpio driver rpio ready', { board: board.model ?? 'unknown', device });
    return driver;
  }

  protected createInput(spec: InputSpec, unregister: () => void): DigitalInput {
    const { line } = spec;
    checkLine(spec);
    const rpio = this.rpio;
    let initial: Level;
    try {
      rpio.open(line, rpio.INPUT);
      rpio.pud(line, this.pullConstant(spec.pull));
      initial = rpio.read(line) ? 1 : 0;
    } catch (error) {
      throw classifyRpioError(error, line);
    }
    const input = new DebouncedDigitalInput(spec, initial, this.now, () => {
      try {
        rpio.poll(line, null);
      } finally {
        rpio.close(line, rpio.PIN_RESET);
        unregister();
      }
    });
    try {
      // The callback says only "an edge happened"; the level is read now, and
      // repeated equal levels from a bounce burst are absorbed by the debouncer.
      rpio.poll(line, () => {
        try {
          input.feedLevel(rpio.read(line) ? 1 : 0);
        } catch (error) {
          input.fail(error);
        }
      }, rpio.POLL_BOTH);
    } catch (error) {
      rpio.close(line, rpio.PIN_RESET);
      throw classifyRpioError(error, line);
    }
    return input;
  }

  protected createOutput(spec: OutputSpec, unregister: () => void): LevelDigitalOutput {
    const { line } = spec;
    checkLine(spec);
    const rpio = this.rpio;
    try {
      // rpio writes the initial level before switching the pin to output: glitch-free.
      rpio.open(line, rpio.OUTPUT, levelOf(false, spec.activeLow) ? rpio.HIGH : rpio.LOW);
    } catch (error) {
      throw classifyRpioError(error, line);
    }
    return new LevelDigitalOutput(
      spec,
      {
        writeLevel: (level) => rpio.write(line, level ? rpio.HIGH : rpio.LOW),
        release: () => {
          // PIN_PRESERVE: resetting to an input would let the relay driver's input float.
          try {
            rpio.close(line, rpio.PIN_PRESERVE);
          } finally {
            unregister();
          }
        },
      },
      this.now,
    );
  }

  private pullConstant(pull: Pull): number {
    return pull === 'up' ? this.rpio.PULL_UP : pull === 'down' ? this.rpio.PULL_DOWN : this.rpio.PULL_OFF;
  }
}

function checkLine(spec: { line: number }): void {
  if (spec.line > MAX_LINE) {
    throw new GpioError(GpioErrorCode.InvalidLine, `rpio: GPIO${spec.line} does not exist (BCM lines 0-${MAX_LINE})`);
  }
}

/** rpio throws plain Errors with messages only; map the ones it is known to raise. */
function classifyRpioError(error: unknown, line: number): GpioError {
  const message = error instanceof Error ? error.message : String(error);
  if (/in use by \/sys\/class\/gpio|already listening/i.test(message)) {
    return new GpioError(
      GpioErrorCode.PinBusy,
      `rpio: pin ${line} is used by another process or overlay (${message}); stop the other user or unexport it: echo <n> > /sys/class/gpio/unexport`,
      { cause: error },
    );
  }
  if (/not valid/i.test(message)) {
    return new GpioError(GpioErrorCode.InvalidLine, `rpio: GPIO${line} is not valid: ${message}`, { cause: error });
  }
  return classifyOpenError(error, { driver: 'rpio', line, device: '/dev/gpiomem' });
}
