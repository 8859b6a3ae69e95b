import { describe, expect, it } from 'vitest';
import { GpioErrorCode } from '../../../src/hw/gpio/gpio-error.js';
import { RpioGpioDriver, type RpioGpioDriverOptions, loadRpioModule } from '../../../src/hw/gpio/rpio-gpio-driver.js';
import { describeGpioDriverContract } from './gpio-driver-contract.js';
import { createFakeRpio } from './fake-rpio.js';

const pi3Model = () => 'Raspberry Pi 3 Model B Plus Rev 1.3\0';
const errno = (code: string) => Object.assign(new Error(`${code}: simulated`), { code });

async function makeDriver(extra: Partial<RpioGpioDriverOptions> = {}) {
  const fake = createFakeRpio();
  const driver = await RpioGpioDriver.create({
    loadModule: async () => ({ default: fake.rpio }),
    readModel: pi3Model,
    checkDevice: () => {},
    onProcessExit: false,
    ...extra,
  });
  return { driver, fake };
}

describeGpioDriverContract('rpio (fake module)', async (ctx) => {
  const fake = createFakeRpio();
  const driver = await RpioGpioDriver.create({
    loadModule: async () => fake.rpio,
    readModel: pi3Model,
    checkDevice: () => {},
    now: ctx.now,
    onProcessExit: ctx.onProcessExit,
  });
  return { driver, setLevel: fake.setLevel, outputHistory: fake.history };
});

describe('RpioGpioDriver', () => {
  it('initialises rpio in gpiomem mode with BCM numbering and without its own exit close', async () => {
    const { driver, fake } = await makeDriver();
    expect(fake.calls[0]).toEqual(['init', { gpiomem: true, mapping: 'gpio', close_on_exit: false }]);
    driver.close();
  });

  it('sets pulls through rpio and polls inputs for both edges', async () => {
    const { driver, fake } = await makeDriver();
    driver.openInput({ line: 17, activeLow: true, pull: 'up', debounceMs: 30 });
    driver.openInput({ line: 24, activeLow: false, pull: 'down', debounceMs: 30 });
    driver.openInput({ line: 25, activeLow: false, pull: 'none', debounceMs: 30 });
    expect([fake.pulls.get(17), fake.pulls.get(24), fake.pulls.get(25)]).toEqual([
      fake.rpio.PULL_UP,
      fake.rpio.PULL_DOWN,
      fake.rpio.PULL_OFF,
    ]);
    expect(fake.calls).toContainEqual(['poll', 17, 'cb', fake.rpio.POLL_BOTH]);
    expect(fake.calls).toContainEqual(['open', 17, fake.rpio.INPUT, undefined]);
    driver.close();
    expect(fake.isPolled(17)).toBe(false);
  });

  it('opens outputs with the inactive level as rpio init and keeps them driven on close', async () => {
    const { driver, fake } = await makeDriver();
    const out = driver.openOutput({ line: 26, activeLow: true });
    driver.openOutput({ line: 16, activeLow: false });
    expect(fake.calls).toContainEqual(['open', 26, fake.rpio.OUTPUT, fake.rpio.HIGH]);
    expect(fake.calls).toContainEqual(['open', 16, fake.rpio.OUTPUT, fake.rpio.LOW]);
    out.close();
    expect(fake.calls.at(-1)).toEqual(['close', 26, fake.rpio.PIN_PRESERVE]);
    expect(fake.modes.get(26)).toBe(fake.rpio.OUTPUT);
    driver.close();
  });

  it.each([
    ['Raspberry Pi 5 Model B Rev 1.0\0', /Raspberry Pi 5.*driver: onoff/],
    ['Raspberry Pi Compute Module 5 Rev 1.0\0', /driver: onoff/],
  ])('refuses the RP1 board %j and names the onoff driver', async (model, message) => {
    let loaded = false;
    await expect(
      RpioGpioDriver.create({
        readModel: () => model,
        loadModule: async () => {
          loaded = true;
          return createFakeRpio().rpio;
        },
        checkDevice: () => {},
        onProcessExit: false,
      }),
    ).rejects.toMatchObject({ code: GpioErrorCode.UnsupportedBoard, message: expect.stringMatching(message) });
    expect(loaded).toBe(false);
  });

  it('refuses a non-Pi board instead of letting rpio fall back to its mock', async () => {
    await expect(makeDriver({ readModel: () => undefined })).rejects.toMatchObject({
      code: GpioErrorCode.UnsupportedBoard,
    });
  });

  it.each([
    ['ENOENT', GpioErrorCode.NoDevice, /enable \/dev\/gpiomem/],
    ['EACCES', GpioErrorCode.Permission, /usermod -aG gpio doorbell/],
  ])('turns %s on /dev/gpiomem into %s', async (code, expected, message) => {
    await expect(
      makeDriver({
        serviceUser: 'doorbell',
        checkDevice: (path) => {
          expect(path).toBe('/dev/gpiomem');
          throw errno(code);
        },
      }),
    ).rejects.toMatchObject({ code: expected, message: expect.stringMatching(message) });
  });

  it('maps rpio "in use by sysfs" to PORTIER_ERR_GPIO_PIN_BUSY', async () => {
    const { driver, fake } = await makeDriver();
    fake.busy.add(17);
    expect(() => driver.openInput({ line: 17, activeLow: true, pull: 'up', debounceMs: 30 })).toThrow(
      expect.objectContaining({ code: GpioErrorCode.PinBusy, message: expect.stringMatching(/pin 17 is used by another process/) }),
    );
    expect(driver.openLineCount).toBe(0);
    driver.close();
  });

  it('rejects lines beyond the SoC', async () => {
    const { driver } = await makeDriver();
    expect(() => driver.openOutput({ line: 54, activeLow: false })).toThrow(
      expect.objectContaining({ code: GpioErrorCode.InvalidLine }),
    );
    driver.close();
  });

  it('turns a missing module into PORTIER_ERR_GPIO_MODULE_MISSING', async () => {
    const missing = Object.assign(new Error("Cannot find package 'rpio'"), { code: 'ERR_MODULE_NOT_FOUND' });
    await expect(loadRpioModule(async () => Promise.reject(missing))).rejects.toMatchObject({
      code: GpioErrorCode.ModuleMissing,
      message: expect.stringContaining('npm install rpio'),
    });
    await expect(loadRpioModule(async () => ({ default: {} }))).rejects.toMatchObject({ code: GpioErrorCode.ModuleMissing });
  });
});
