import type { GpioDriver, GpioDriverName } from './digital-io.js';
import { OnoffGpioDriver, type OnoffGpioDriverOptions } from './onoff-gpio-driver.js';
import { RpioGpioDriver, type RpioGpioDriverOptions } from './rpio-gpio-driver.js';
import { SimGpioDriver, type SimGpioDriverOptions } from './sim-gpio-driver.js';

/** Options for whichever driver is chosen. */
export type CreateGpioDriverOptions = SimGpioDriverOptions & OnoffGpioDriverOptions & RpioGpioDriverOptions;

/**
 * Creates the configured driver (`gpio.driver` in config). Only the chosen
 * driver's npm module is loaded, so a board without rpio can still run onoff.
 */
export async function createGpioDriver(name: GpioDriverName, options: CreateGpioDriverOptions = {}): Promise<GpioDriver> {
  switch (name) {
    case 'sim':
      return new SimGpioDriver(options);
    case 'onoff':
      return OnoffGpioDriver.create(options);
    case 'rpio':
      return RpioGpioDriver.create(options);
    default:
      throw new RangeError(`unknown gpio driver '${String(name)}' (sim, onoff, rpio)`);
  }
}
