/** A DTMF key: the 16 keys of the extended keypad (RFC 4733 §3.2 events 0–15). */
export type DtmfDigit =
  | '0' | '1' | '2' | '3' | '4' | '5' | '6' | '7' | '8' | '9'
  | '*' | '#' | 'A' | 'B' | 'C' | 'D';

// Index = RFC 4733 event code (§3.2, Table 3): 0–9, then * (10), # (11), A–D (12–15).
const DIGITS: readonly DtmfDigit[] = [
  '0', '1', '2', '3', '4', '5', '6', '7', '8', '9', '*', '#', 'A', 'B', 'C', 'D',
];

/** True when `value` is one of the 16 DTMF keys (upper-case A–D). */
export function isDtmfDigit(value: string): value is DtmfDigit {
  return value.length === 1 && DIGITS.includes(value as DtmfDigit);
}

/** Accepts a key in any case ('a' → 'A'); returns undefined for anything else. */
export function toDtmfDigit(value: string): DtmfDigit | undefined {
  const upper = value.toUpperCase();
  return isDtmfDigit(upper) ? upper : undefined;
}

/** The RFC 4733 event code of a key. */
export function dtmfDigitToEvent(digit: DtmfDigit): number {
  return DIGITS.indexOf(digit);
}

/** The key of an RFC 4733 event code, or undefined for events that are not keys (16 = flash, …). */
export function dtmfEventToDigit(event: number): DtmfDigit | undefined {
  return Number.isInteger(event) ? DIGITS[event] : undefined;
}
