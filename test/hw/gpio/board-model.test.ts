import { describe, expect, it } from 'vitest';
import { detectBoardModel } from '../../../src/hw/gpio/board-model.js';

describe('detectBoardModel', () => {
  it.each([
    ['Raspberry Pi 5 Model B Rev 1.0\0', 'rp1'],
    ['Raspberry Pi 500 Rev 1.0\0', 'rp1'],
    ['Raspberry Pi Compute Module 5 Rev 1.0\0', 'rp1'],
    ['Raspberry Pi 4 Model B Rev 1.5\0', 'bcm283x'],
    ['Raspberry Pi Zero 2 W Rev 1.0\0', 'bcm283x'],
    ['Raspberry Pi 3 Model B Plus Rev 1.3\0', 'bcm283x'],
    ['Raspberry Pi 400 Rev 1.0\0', 'bcm283x'],
    ['Raspberry Pi Compute Module 4 Rev 1.1\0', 'bcm283x'],
    ['Radxa ROCK 5B\0', 'other'],
  ])('classifies %j as %s', (model, family) => {
    const b = detectBoardModel(() => model);
    expect(b.family).toBe(family);
    expect(b.model).toBe(model.replace(/\0$/, ''));
  });

  it('handles a machine without a device tree', () => {
    expect(detectBoardModel(() => undefined)).toEqual({ model: undefined, family: 'other', isRaspberryPi: false });
  });
});
