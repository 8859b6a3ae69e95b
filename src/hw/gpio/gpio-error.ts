import { PortierError } from '../../util/portier-error.js';

/** Stable codes of the GPIO layer's errors. */
export const GpioErrorCode = {
  /** The service user may not open the GPIO device or sysfs files. */
  Permission: 'PORTIER_ERR_GPIO_PERMISSION',
  /** The GPIO device (/dev/gpiomem, /sys/class/gpio) does not exist. */
  NoDevice: 'PORTIER_ERR_GPIO_NO_DEVICE',
  /** The line is held by another process, a kernel driver/overlay, or already open here. */
  PinBusy: 'PORTIER_ERR_GPIO_PIN_BUSY',
  /** The optional npm module of a driver is not installed or its native part did not build. */
  ModuleMissing: 'PORTIER_ERR_GPIO_MODULE_MISSING',
  /** The driver cannot work on this board (e.g. rpio on a Raspberry Pi 5). */
  UnsupportedBoard: 'PORTIER_ERR_GPIO_UNSUPPORTED_BOARD',
  /** The line number is not a line of the GPIO chip. */
  InvalidLine: 'PORTIER_ERR_GPIO_INVALID_LINE',
  /** A pin spec is malformed (polarity, pull, debounce). */
  InvalidSpec: 'PORTIER_ERR_GPIO_INVALID_SPEC',
  /** The pin or driver was used after `close()`. */
  Closed: 'PORTIER_ERR_GPIO_CLOSED',
  /** Any other failure talking to the GPIO hardware. */
  Io: 'PORTIER_ERR_GPIO_IO',
} as const;

export type GpioErrorCode = (typeof GpioErrorCode)[keyof typeof GpioErrorCode];

/** An error of the GPIO layer; `message` says what to do about it. */
export class GpioError extends PortierError {
  declare readonly code: GpioErrorCode;

  constructor(code: GpioErrorCode, message: string, options?: { cause?: unknown }) {
    super(code, message, options);
  }
}

/** The errno-style code of an error thrown by fs or a native module, if any. */
export function errnoOf(error: unknown): string | undefined {
  const code = (error as { code?: unknown } | null)?.code;
  return typeof code === 'string' ? code : undefined;
}

/** What a driver was doing when the operating system refused. */
export interface OpenFailureContext {
  driver: string;
  /** The BCM line, when the failure concerns one pin. */
  line?: number;
  /** The device or file involved, for the message (e.g. `/dev/gpiomem`). */
  device: string;
  /** The service user named in the permission fix. */
  serviceUser?: string;
}

/**
 * Turns an operating-system error from opening a pin into a typed GpioError whose
 * message names the fix; errors it does not recognise become PORTIER_ERR_GPIO_IO.
 */
export function classifyOpenError(error: unknown, ctx: OpenFailureContext): GpioError {
  if (error instanceof GpioError) return error;
  const errno = errnoOf(error);
  const detail = error instanceof Error ? error.message : String(error);
  const user = ctx.serviceUser ?? 'portier';
  const what = ctx.line === undefined ? 'GPIO' : `GPIO line ${ctx.line}`;
  const pin = ctx.line === undefined ? 'the pin' : `pin ${ctx.line}`;
  switch (errno) {
    case 'EACCES':
    case 'EPERM':
      return new GpioError(
        GpioErrorCode.Permission,
        `${ctx.driver}: no permission to use ${what} (${ctx.device}); ` +
          `add the service user to the gpio group: usermod -aG gpio ${user} (then restart the service)`,
        { cause: error },
      );
    case 'ENOENT':
    case 'ENODEV':
    case 'ENXIO':
      return new GpioError(
        GpioErrorCode.NoDevice,
        `${ctx.driver}: ${ctx.device} does not exist; ` +
          (ctx.device.includes('gpiomem')
            ? 'enable /dev/gpiomem (Raspberry Pi OS kernel with the bcm2835-gpiomem driver) or use driver: onoff'
            : 'this kernel has no sysfs GPIO interface (CONFIG_GPIO_SYSFS); use driver: rpio on a Pi 1-4, or a kernel with sysfs GPIO'),
        { cause: error },
      );
    case 'EBUSY':
      return new GpioError(
        GpioErrorCode.PinBusy,
        `${ctx.driver}: ${pin} is used by another process or overlay ` +
          `(check 'pinctrl get${ctx.line === undefined ? '' : ` ${ctx.line}`}', dtoverlay= lines in config.txt, and other GPIO programs)`,
        { cause: error },
      );
    case 'EINVAL':
      return new GpioError(
        GpioErrorCode.InvalidLine,
        `${ctx.driver}: ${what} was refused by the kernel (${ctx.device}): ${detail}`,
        { cause: error },
      );
    default:
      return new GpioError(GpioErrorCode.Io, `${ctx.driver}: cannot open ${what} (${ctx.device}): ${detail}`, {
        cause: error,
      });
  }
}

/** Turns a failed dynamic `import()` of a driver's npm module into a clear typed error. */
export function moduleMissingError(moduleName: string, driver: string, error: unknown): GpioError {
  const errno = errnoOf(error);
  const notInstalled = errno === 'ERR_MODULE_NOT_FOUND' || errno === 'MODULE_NOT_FOUND';
  const why = notInstalled
    ? `the npm module '${moduleName}' is not installed (it is an optional dependency)`
    : `the npm module '${moduleName}' failed to load (its native part may not have been built for this Node.js): ${
        error instanceof Error ? error.message : String(error)
      }`;
  return new GpioError(
    GpioErrorCode.ModuleMissing,
    `gpio driver '${driver}': ${why}; install it on the board with 'npm install ${moduleName}' (needs build tools), or choose driver: sim`,
    { cause: error },
  );
}
