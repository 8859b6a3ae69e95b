import type { DtmfDigit } from '../media/dtmf/dtmf-digit.js';

/** Where a received key press came from. */
export type DtmfSource = 'rfc4733' | 'info' | 'inband';

/** How an account sends DTMF (receiving accepts RFC 4733 and INFO always, in-band only in `inband`). */
export type DtmfMode = 'rfc4733' | 'info' | 'inband' | 'auto';

/** One key press at the far end, reported once. */
export interface DtmfPress {
  digit: DtmfDigit;
  source: DtmfSource;
  durationMs?: number;
}
