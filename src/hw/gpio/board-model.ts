import { readFileSync } from 'node:fs';

/** GPIO families that matter to the drivers. */
export type GpioFamily =
  /** BCM2835/2836/2837 (Pi 1, 2, 3, Zero, Zero 2 W) and BCM2711 (Pi 4, 400, CM4): /dev/gpiomem works. */
  | 'bcm283x'
  /** Raspberry Pi 5, 500, CM5: GPIO header lines live on the RP1 south bridge. */
  | 'rp1'
  /** Anything else (or unknown). */
  | 'other';

/** What Portier knows about the board it runs on. */
export interface BoardModel {
  /** `/proc/device-tree/model` without its trailing NUL, or undefined when unreadable. */
  model: string | undefined;
  family: GpioFamily;
  isRaspberryPi: boolean;
}

/** Reads the device-tree model string; returns undefined when there is none (not a DT board). */
export type ModelReader = () => string | undefined;

/** The default model reader over `/proc/device-tree/model`. */
export const readDeviceTreeModel: ModelReader = () => {
  try {
    return readFileSync('/proc/device-tree/model', 'latin1');
  } catch {
    return undefined;
  }
};

const RP1_MODELS = /^Raspberry Pi (5\b|500\b|Compute Module 5\b)/;

/** Classifies the board from its device-tree model string. */
export function detectBoardModel(read: ModelReader = readDeviceTreeModel): BoardModel {
  const raw = read();
  const model = raw === undefined ? undefined : raw.replace(/\0+$/, '').trim();
  if (!model) return { model, family: 'other', isRaspberryPi: false };
  const isRaspberryPi = model.startsWith('Raspberry Pi');
  if (RP1_MODELS.test(model)) return { model, family: 'rp1', isRaspberryPi };
  return { model, family: isRaspberryPi ? 'bcm283x' : 'other', isRaspberryPi };
}
