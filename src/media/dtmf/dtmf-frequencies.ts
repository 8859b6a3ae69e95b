import type { DtmfDigit } from './dtmf-digit.js';

/** Low-group (row) frequencies in Hz, ITU-T Q.23. */
export const DTMF_ROW_FREQUENCIES = [697, 770, 852, 941] as const;
/** High-group (column) frequencies in Hz, ITU-T Q.23. */
export const DTMF_COLUMN_FREQUENCIES = [1209, 1336, 1477, 1633] as const;

// The keypad as rows × columns.
const KEYPAD: readonly (readonly DtmfDigit[])[] = [
  ['1', '2', '3', 'A'],
  ['4', '5', '6', 'B'],
  ['7', '8', '9', 'C'],
  ['*', '0', '#', 'D'],
];

/** The key at a keypad row and column (0–3 each). */
export function dtmfDigitAt(row: number, column: number): DtmfDigit | undefined {
  return KEYPAD[row]?.[column];
}

/** The [row, column] frequencies in Hz of a key. */
export function dtmfFrequencies(digit: DtmfDigit): [low: number, high: number] {
  for (let row = 0; row < KEYPAD.length; row++) {
    const column = KEYPAD[row]!.indexOf(digit);
    if (column >= 0) return [DTMF_ROW_FREQUENCIES[row]!, DTMF_COLUMN_FREQUENCIES[column]!];
  }
  throw new RangeError(`not a DTMF key: ${digit}`);
}
