import { describe, expect, it } from 'vitest';
import { GpioErrorCode } from '../../../src/hw/gpio/gpio-error.js';
import { OnoffGpioDriver, loadOnoffModule } from '../../../src/hw/gpio/onoff-gpio-driver.js';
import { describeGpioDriverContract } from './gpio-driver-contract.js';
import { createFakeOnoff, fakeSysfs } from './fake-onoff.js';

// A Pi 4 on kernel >= 6.6: the SoC chip's base is 512, so BCM 17 is sysfs 529.
const BASE = 512;
const pi4Sysfs = () =>
  fakeSysfs([
    { name: 'gpiochip504', base: 504, ngpio: 8, label: 'raspberrypi-exp-gpio' },
    { name: 'gpiochip512', base: BASE, ngpio: 58, label: 'pinctrl-bcm2711' },
  ]);
const pi4Model = () => 'Raspberry Pi 4 Model B Rev 1.4\0';

async function makeDriver(fake = createFakeOnoff(), extra: Record<string, unknown> = {}) {
  const driver = await OnoffGpioDriver.create({
    loadModule: async () => fake.module,
    sysfs: pi4Sysfs(),
    readModel: pi4Model,
    onProcessExit: false,
    ...extra,
  });
  return { driver, fake };
}

describeGpioDriverContract('onoff (fake Gpio class)', async (ctx) => {
  const fake = createFakeOnoff();
  const driver = await OnoffGpioDriver.create({
    loadModule: async () => fake.module,
    sysfs: pi4Sysfs(),
    readModel: pi4Model,
    now: ctx.now,
    onProcessExit: ctx.onProcessExit,
  });
  return {
    driver,
    setLevel: (line, level) => fake.setLevel(BASE + line, level),
    outputHistory: (line) => fake.history(BASE + line),
  };
});

describe('OnoffGpioDriver', () => {
  it('exports inputs at base + line with edge both, kernel polarity off, and watches them', async () => {
    const { driver, fake } = await makeDriver();
    driver.openInput({ line: 17, activeLow: true, pull: 'none', debounceMs: 30 });
    const pin = fake.pins[0]!;
    expect(pin.gpio).toBe(529);
    expect(pin.direction).toBe('in');
    expect(pin.edge).toBe('both');
    expect(pin.options).toMatchObject({ activeLow: false });
    expect(fake.watcherCount(529)).toBe(1);
    driver.close();
  });

  it('opens active-low outputs with direction high and active-high ones with direction low', async () => {
    const { driver, fake } = await makeDriver();
    driver.openOutput({ line: 26, activeLow: true });
    driver.openOutput({ line: 16, activeLow: false });
    expect(fake.pins.map((p) => [p.gpio, p.direction, p.options?.activeLow])).toEqual([
      [538, 'high', false],
      [528, 'low', false],
    ]);
    driver.close();
  });

  it('unwatches and unexports on close', async () => {
    const { driver, fake } = await makeDriver();
    const input = driver.openInput({ line: 17, activeLow: true, pull: 'up', debounceMs: 0 });
    driver.openOutput({ line: 26, activeLow: true });
    input.close();
    expect(fake.watcherCount(529)).toBe(0);
    expect(fake.pins[0]!.unexported).toBe(true);
    expect(fake.pins[1]!.unexported).toBe(false);
    driver.close();
    expect(fake.pins[1]!.unexported).toBe(true);
  });

  it('uses the Pi 5 RP1 chip base, not the brcmstb chips', async () => {
    const fake = createFakeOnoff();
    const driver = await OnoffGpioDriver.create({
      loadModule: async () => fake.module,
      sysfs: fakeSysfs([
        { name: 'gpiochip512', base: 512, ngpio: 32, label: 'gpio-brcmstb@107d508500' },
        { name: 'gpiochip571', base: 571, ngpio: 54, label: 'pinctrl-rp1' },
      ]),
      readModel: () => 'Raspberry Pi 5 Model B Rev 1.0\0',
      onProcessExit: false,
    });
    driver.openOutput({ line: 26, activeLow: true });
    expect(fake.pins[0]!.gpio).toBe(597);
    expect(driver.numbering.chip.label).toBe('pinctrl-rp1');
    driver.close();
  });

  it('warns once per line that pulls must come from config.txt or pinctrl', async () => {
    const warnings: Array<[string, Record<string, unknown> | undefined]> = [];
    const logger = {
      debug() {},
      info() {},
      error() {},
      warn(msg: string, f?: Record<string, unknown>) {
        warnings.push([msg, f]);
      },
      child() {
        return logger;
      },
    };
    const { driver } = await makeDriver(createFakeOnoff(), { logger });
    const input = driver.openInput({ line: 17, activeLow: true, pull: 'up', debounceMs: 0 });
    input.close();
    driver.openInput({ line: 17, activeLow: true, pull: 'up', debounceMs: 0 });
    driver.openInput({ line: 27, activeLow: true, pull: 'none', debounceMs: 0 });
    expect(warnings).toHaveLength(1);
    expect(warnings[0]![1]).toMatchObject({ fix: 'gpio=17=ip,pu' });
    driver.close();
  });

  it.each([
    ['EACCES', GpioErrorCode.Permission, /usermod -aG gpio portier/],
    ['EBUSY', GpioErrorCode.PinBusy, /pin 17 is used by another process or overlay/],
    ['ENOENT', GpioErrorCode.NoDevice, /sysfs GPIO/],
  ])('turns %s on export into %s with the fix in the message', async (errno, code, message) => {
    const fake = createFakeOnoff();
    fake.failOpen(529, errno);
    const { driver } = await makeDriver(fake);
    let caught: unknown;
    try {
      driver.openInput({ line: 17, activeLow: true, pull: 'up', debounceMs: 30 });
    } catch (error) {
      caught = error;
    }
    expect(caught).toMatchObject({ code });
    expect((caught as Error).message).toMatch(message);
    // The failed line is not left registered.
    expect(driver.openLineCount).toBe(0);
    driver.close();
  });

  it('rejects a line the chip does not have', async () => {
    const { driver } = await makeDriver();
    expect(() => driver.openOutput({ line: 58, activeLow: false })).toThrow(
      expect.objectContaining({ code: GpioErrorCode.InvalidLine }),
    );
    driver.close();
  });

  it('forwards watch errors as input error events', async () => {
    const { driver, fake } = await makeDriver();
    const input = driver.openInput({ line: 17, activeLow: true, pull: 'up', debounceMs: 0 });
    const errors: Error[] = [];
    input.on('error', (e) => errors.push(e));
    fake.raiseWatchError(529, new Error('EIO'));
    expect(errors.map((e) => e.message)).toEqual(['EIO']);
    driver.close();
  });

  it('turns a missing module into PORTIER_ERR_GPIO_MODULE_MISSING', async () => {
    const missing = Object.assign(new Error("Cannot find package 'onoff'"), { code: 'ERR_MODULE_NOT_FOUND' });
    await expect(loadOnoffModule(async () => Promise.reject(missing))).rejects.toMatchObject({
      code: GpioErrorCode.ModuleMissing,
      message: expect.stringMatching(/not installed.*npm install onoff/),
    });
    await expect(loadOnoffModule(async () => Promise.reject(new Error('Could not locate the bindings file')))).rejects.toMatchObject({
      code: GpioErrorCode.ModuleMissing,
      message: expect.stringMatching(/failed to load/),
    });
  });

  it('finds the Gpio class of the installed onoff through import()', async () => {
    const mod = await loadOnoffModule();
    expect(typeof mod.Gpio).toBe('function');
  });

  it('fails create() with PORTIER_ERR_GPIO_NO_DEVICE when no SoC chip is present', async () => {
    await expect(
      OnoffGpioDriver.create({
        loadModule: async () => createFakeOnoff().module,
        sysfs: fakeSysfs([{ name: 'gpiochip0', base: 0, ngpio: 8, label: 'some-expander' }]),
        readModel: pi4Model,
        onProcessExit: false,
      }),
    ).rejects.toMatchObject({ code: GpioErrorCode.NoDevice, message: expect.stringContaining('gpiochip0=some-expander') });
  });
});
