import { describe, expect, it } from 'vitest';
import { GpioErrorCode } from '../../../src/hw/gpio/gpio-error.js';
import { SysfsGpioNumbering, listGpioChips } from '../../../src/hw/gpio/sysfs-gpio-numbering.js';
import { fakeSysfs } from './fake-onoff.js';

describe('SysfsGpioNumbering', () => {
  it.each([
    ['Pi 3, kernel < 6.6', [{ name: 'gpiochip0', base: 0, ngpio: 54, label: 'pinctrl-bcm2835' }], 17],
    [
      'Pi 4, kernel >= 6.6',
      [
        { name: 'gpiochip512', base: 512, ngpio: 58, label: 'pinctrl-bcm2711' },
        { name: 'gpiochip570', base: 570, ngpio: 8, label: 'raspberrypi-exp-gpio' },
      ],
      529,
    ],
    [
      'Pi 5, kernel >= 6.6',
      [
        { name: 'gpiochip512', base: 512, ngpio: 32, label: 'gpio-brcmstb@107d508500' },
        { name: 'gpiochip544', base: 544, ngpio: 4, label: 'gpio-brcmstb@107d508520' },
        { name: 'gpiochip571', base: 571, ngpio: 54, label: 'pinctrl-rp1' },
      ],
      588,
    ],
  ])('maps BCM 17 on a %s', (_board, chips, expected) => {
    const n = SysfsGpioNumbering.detect(fakeSysfs(chips));
    expect(n.toSysfs(17)).toBe(expected);
  });

  it('refuses lines the chip does not have', () => {
    const n = SysfsGpioNumbering.detect(fakeSysfs([{ name: 'gpiochip512', base: 512, ngpio: 54, label: 'pinctrl-bcm2835' }]));
    expect(n.toSysfs(53)).toBe(565);
    expect(() => n.toSysfs(54)).toThrow(expect.objectContaining({ code: GpioErrorCode.InvalidLine }));
    expect(() => n.toSysfs(-1)).toThrow(expect.objectContaining({ code: GpioErrorCode.InvalidLine }));
  });

  it('skips chips with unreadable attributes and non-chip entries', () => {
    const reader = fakeSysfs([{ name: 'gpiochip0', base: 0, ngpio: 54, label: 'pinctrl-bcm2835' }]);
    const broken = { ...reader, listDir: () => ['export', 'gpiochip9', 'gpio529', 'gpiochip0'] };
    expect(listGpioChips(broken).map((c) => c.name)).toEqual(['gpiochip0']);
  });

  it('fails with PORTIER_ERR_GPIO_NO_DEVICE when sysfs GPIO is absent', () => {
    const reader = {
      listDir: () => {
        throw Object.assign(new Error('ENOENT'), { code: 'ENOENT' });
      },
      readText: () => '',
    };
    expect(() => SysfsGpioNumbering.detect(reader)).toThrow(
      expect.objectContaining({ code: GpioErrorCode.NoDevice, message: expect.stringMatching(/CONFIG_GPIO_SYSFS/) }),
    );
  });
});
