import type { Level } from '../../../src/hw/gpio/digital-io.js';
import type { RpioModule } from '../../../src/hw/gpio/rpio-gpio-driver.js';

/** A stand-in for the `rpio` module object, keeping a model of the BCM lines and a call log. */
export function createFakeRpio() {
  const levels = new Map<number, Level>();
  const history = new Map<number, Level[]>();
  const modes = new Map<number, number>();
  const pulls = new Map<number, number>();
  const pollers = new Map<number, (pin: number) => void>();
  const calls: unknown[][] = [];
  const busy = new Set<number>();
  const drive = (pin: number, level: Level) => {
    levels.set(pin, level);
    history.set(pin, [...(history.get(pin) ?? []), level]);
  };

  const rpio: RpioModule = {
    INPUT: 0,
    OUTPUT: 1,
    LOW: 0,
    HIGH: 1,
    PULL_OFF: 0,
    PULL_DOWN: 1,
    PULL_UP: 2,
    POLL_BOTH: 3,
    PIN_PRESERVE: 0,
    PIN_RESET: 1,
    init(options) {
      calls.push(['init', options]);
    },
    open(pin, mode, init) {
      calls.push(['open', pin, mode, init]);
      if (busy.has(pin)) throw new Error(`GPIO${pin} is currently in use by /sys/class/gpio`);
      // Like rpio: an output's initial level is written before the function select.
      if (mode === 1 && init !== undefined) drive(pin, init ? 1 : 0);
      modes.set(pin, mode);
    },
    read(pin) {
      return levels.get(pin) ?? 0;
    },
    write(pin, value) {
      calls.push(['write', pin, value]);
      if (modes.get(pin) !== 1) throw new Error(`pin ${pin} is not an output`);
      drive(pin, value ? 1 : 0);
    },
    pud(pin, state) {
      calls.push(['pud', pin, state]);
      pulls.set(pin, state);
    },
    poll(pin, cb, direction) {
      calls.push(['poll', pin, cb === null ? null : 'cb', direction]);
      if (cb) {
        if (pollers.has(pin)) throw new Error(`Pin ${pin} is already listening for events.`);
        pollers.set(pin, cb);
      } else {
        if (!pollers.has(pin)) throw new Error(`Pin ${pin} is not listening for events.`);
        pollers.delete(pin);
      }
    },
    close(pin, reset) {
      calls.push(['close', pin, reset]);
      pollers.delete(pin);
      if (reset === undefined || reset === 1) modes.set(pin, 0);
    },
  };

  return {
    rpio,
    calls,
    modes,
    pulls,
    busy,
    /** A wire level change; rpio's poll callback fires on the detected edge. */
    setLevel(pin: number, level: Level): void {
      levels.set(pin, level);
      pollers.get(pin)?.(pin);
    },
    history: (pin: number) => history.get(pin) ?? [],
    isPolled: (pin: number) => pollers.has(pin),
  };
}
