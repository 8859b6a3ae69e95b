import type { Level } from '../../../src/hw/gpio/digital-io.js';
import type { OnoffGpio, OnoffGpioOptions } from '../../../src/hw/gpio/onoff-gpio-driver.js';

/** One constructed fake `Gpio`, with what it was asked to do. */
export interface FakeOnoffPin extends OnoffGpio {
  readonly gpio: number;
  readonly direction: string;
  readonly edge?: string;
  readonly options?: OnoffGpioOptions;
  unexported: boolean;
}

/**
 * A stand-in for the `onoff` module with the same constructor/watch/readSync/
 * writeSync/unexport surface; it keeps a model of the sysfs lines (by sysfs number).
 */
export function createFakeOnoff() {
  const levels = new Map<number, Level>();
  const history = new Map<number, Level[]>();
  const pins: FakeOnoffPin[] = [];
  const failures = new Map<number, NodeJS.ErrnoException>();
  const watchers = new Map<number, Array<(err: Error | null | undefined, value: number) => void>>();

  const drive = (gpio: number, level: Level) => {
    levels.set(gpio, level);
    history.set(gpio, [...(history.get(gpio) ?? []), level]);
  };

  class Gpio implements FakeOnoffPin {
    unexported = false;
    constructor(
      readonly gpio: number,
      readonly direction: 'in' | 'out' | 'high' | 'low',
      readonly edge?: 'none' | 'rising' | 'falling' | 'both',
      readonly options?: OnoffGpioOptions,
    ) {
      const failure = failures.get(gpio);
      if (failure) throw failure;
      // sysfs semantics: 'high'/'low' are raw levels, 'out' is raw 0.
      if (direction === 'high') drive(gpio, 1);
      else if (direction === 'low' || direction === 'out') drive(gpio, 0);
      pins.push(this);
    }
    readSync(): number {
      return levels.get(this.gpio) ?? 0;
    }
    writeSync(value: Level): void {
      if (this.unexported) throw Object.assign(new Error('EBADF: closed'), { code: 'EBADF' });
      drive(this.gpio, value);
    }
    watch(cb: (err: Error | null | undefined, value: number) => void): void {
      watchers.set(this.gpio, [...(watchers.get(this.gpio) ?? []), cb]);
    }
    unwatchAll(): void {
      watchers.delete(this.gpio);
    }
    unexport(): void {
      this.unwatchAll();
      this.unexported = true;
    }
  }

  return {
    module: { Gpio },
    pins,
    /** A wire level change; like onoff, the watch callback gets the value read after the interrupt. */
    setLevel(gpio: number, level: Level): void {
      levels.set(gpio, level);
      for (const cb of watchers.get(gpio) ?? []) cb(null, level);
    },
    history: (gpio: number) => history.get(gpio) ?? [],
    watcherCount: (gpio: number) => watchers.get(gpio)?.length ?? 0,
    failOpen(gpio: number, code: string): void {
      failures.set(gpio, Object.assign(new Error(`${code}: simulated`), { code }));
    },
    raiseWatchError(gpio: number, error: Error): void {
      for (const cb of watchers.get(gpio) ?? []) cb(error, 0);
    },
  };
}

/** A fake /sys/class/gpio tree reader. */
export function fakeSysfs(chips: Array<{ name: string; base: number; ngpio: number; label: string }>) {
  const files = new Map<string, string>();
  for (const c of chips) {
    files.set(`/sys/class/gpio/${c.name}/base`, `${c.base}\n`);
    files.set(`/sys/class/gpio/${c.name}/ngpio`, `${c.ngpio}\n`);
    files.set(`/sys/class/gpio/${c.name}/label`, `${c.label}\n`);
  }
  return {
    listDir: (path: string) => {
      if (path !== '/sys/class/gpio') throw Object.assign(new Error(`ENOENT ${path}`), { code: 'ENOENT' });
      return ['export', 'unexport', ...chips.map((c) => c.name)];
    },
    readText: (path: string) => {
      const text = files.get(path);
      if (text === undefined) throw Object.assign(new Error(`ENOENT ${path}`), { code: 'ENOENT' });
      return text;
    },
  };
}
