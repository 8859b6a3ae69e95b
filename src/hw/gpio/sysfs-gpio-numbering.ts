import { readFileSync, readdirSync } from 'node:fs';
import { GpioError, GpioErrorCode } from './gpio-error.js';

/** The few filesystem reads the numbering needs; injectable so tests use a fake tree. */
export interface SysfsReader {
  listDir(path: string): string[];
  readText(path: string): string;
}

/** The real filesystem. */
export const nodeSysfsReader: SysfsReader = {
  listDir: (path) => readdirSync(path),
  readText: (path) => readFileSync(path, 'utf8'),
};

/** One GPIO chip as sysfs shows it. */
export interface GpioChipInfo {
  /** Directory name, e.g. `gpiochip512`. */
  name: string;
  base: number;
  ngpio: number;
  label: string;
}

/**
 * Labels of the SoC GPIO controllers whose line N is BCM GPIO N, best first.
 * The Pi 5's header lines are on RP1 (`pinctrl-rp1`); its `gpio-brcmstb@…` chips
 * are the BCM2712's own GPIOs and are not the header.
 */
export const SOC_GPIO_LABELS = ['pinctrl-rp1', 'pinctrl-bcm2711', 'pinctrl-bcm2835'] as const;

/** Lists the GPIO chips under `root` (default `/sys/class/gpio`); unreadable chips are skipped. */
export function listGpioChips(reader: SysfsReader, root = '/sys/class/gpio'): GpioChipInfo[] {
  let entries: string[];
  try {
    entries = reader.listDir(root);
  } catch (error) {
    throw new GpioError(
      GpioErrorCode.NoDevice,
      `${root} is not readable: this kernel has no sysfs GPIO interface (CONFIG_GPIO_SYSFS); use driver: rpio on a Pi 1-4`,
      { cause: error },
    );
  }
  const chips: GpioChipInfo[] = [];
  for (const name of entries) {
    if (!/^gpiochip\d+$/.test(name)) continue;
    try {
      const base = Number.parseInt(reader.readText(`${root}/${name}/base`).trim(), 10);
      const ngpio = Number.parseInt(reader.readText(`${root}/${name}/ngpio`).trim(), 10);
      const label = reader.readText(`${root}/${name}/label`).trim();
      if (Number.isInteger(base) && Number.isInteger(ngpio)) chips.push({ name, base, ngpio, label });
    } catch {
      // A chip without readable attributes cannot be ours; keep looking.
    }
  }
  return chips.sort((a, b) => a.base - b.base);
}

/**
 * Maps BCM line numbers to sysfs GPIO numbers. Since kernel 6.6 the SoC chip's
 * base is no longer 0 (512 on a Pi 4, 571 on a Pi 5…), so BCM 17 is not sysfs 17:
 * the base is read from the chip whose label names the SoC controller.
 */
export class SysfsGpioNumbering {
  constructor(readonly chip: GpioChipInfo) {}

  /** Finds the SoC GPIO chip; throws PORTIER_ERR_GPIO_NO_DEVICE naming what was found instead. */
  static detect(reader: SysfsReader = nodeSysfsReader, root = '/sys/class/gpio'): SysfsGpioNumbering {
    const chips = listGpioChips(reader, root);
    for (const label of SOC_GPIO_LABELS) {
      const chip = chips.find((c) => c.label === label);
      if (chip) return new SysfsGpioNumbering(chip);
    }
    const seen = chips.length ? chips.map((c) => `${c.name}=${c.label}`).join(', ') : 'none';
    throw new GpioError(
      GpioErrorCode.NoDevice,
      `no Raspberry Pi GPIO controller (${SOC_GPIO_LABELS.join(' / ')}) under ${root}; chips found: ${seen}`,
    );
  }

  /** The sysfs number of a BCM line; throws PORTIER_ERR_GPIO_INVALID_LINE when the chip has no such line. */
  toSysfs(line: number): number {
    if (!Number.isInteger(line) || line < 0 || line >= this.chip.ngpio) {
      throw new GpioError(
        GpioErrorCode.InvalidLine,
        `GPIO${line} is not a line of ${this.chip.label} (lines 0-${this.chip.ngpio - 1})`,
      );
    }
    return this.chip.base + line;
  }
}
