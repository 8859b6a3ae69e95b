import { type DtmfDigit, dtmfEventToDigit, toDtmfDigit } from './dtmf-digit.js';
import { DtmfInfoBodyError } from './dtmf-errors.js';

/** A key carried in a SIP INFO body. */
export interface DtmfInfoSignal {
  digit: DtmfDigit;
  /** Tone length in ms, when the body says (application/dtmf-relay `Duration`). */
  durationMs?: number;
}

/** Content type of the common (undocumented, Cisco-originated) INFO DTMF body. */
export const DTMF_RELAY_CONTENT_TYPE = 'application/dtmf-relay';
/** Content type of the bare-digit INFO DTMF body. */
export const DTMF_CONTENT_TYPE = 'application/dtmf';

/** True when a Content-Type (parameters allowed) is one of the two INFO DTMF types. */
export function isDtmfInfoContentType(contentType: string): boolean {
  const type = mediaType(contentType);
  return type === DTMF_RELAY_CONTENT_TYPE || type === DTMF_CONTENT_TYPE;
}

/** Parses an INFO body by its Content-Type; throws DtmfInfoBodyError when it holds no valid key. */
export function parseDtmfInfoBody(contentType: string, body: string | Uint8Array): DtmfInfoSignal {
  const text = typeof body === 'string' ? body : Buffer.from(body).toString('latin1');
  const type = mediaType(contentType);
  if (type === DTMF_RELAY_CONTENT_TYPE) return parseDtmfRelayBody(text);
  if (type === DTMF_CONTENT_TYPE) return parseDtmfBody(text);
  throw new DtmfInfoBodyError(`not a DTMF content type: ${contentType}`);
}

/**
 * Parses `application/dtmf-relay` (`Signal=5\r\nDuration=160`): any line ending,
 * any case and whitespace, Duration optional, and `10`/`11` for `*`/`#` as some
 * PBXs send (12–15 likewise for A–D).
 */
export function parseDtmfRelayBody(text: string): DtmfInfoSignal {
  let signal: string | undefined;
  let duration: string | undefined;
  for (const line of text.split(/\r\n|\r|\n/)) {
    const eq = line.indexOf('=');
    if (eq < 0) continue;
    const name = line.slice(0, eq).trim().toLowerCase();
    const value = line.slice(eq + 1).trim();
    if (name === 'signal' && signal === undefined) signal = value;
    else if (name === 'duration' && duration === undefined) duration = value;
  }
  if (signal === undefined) throw new DtmfInfoBodyError('dtmf-relay body has no Signal line');
  const digit = signalToDigit(signal);
  if (digit === undefined) throw new DtmfInfoBodyError(`dtmf-relay Signal is not a DTMF key: ${JSON.stringify(signal)}`);
  const result: DtmfInfoSignal = { digit };
  if (duration !== undefined && /^\d+$/.test(duration)) {
    const ms = Number(duration);
    if (ms > 0) result.durationMs = ms;
  }
  return result;
}

/** Parses `application/dtmf`: the key alone (surrounding whitespace allowed). */
export function parseDtmfBody(text: string): DtmfInfoSignal {
  const digit = signalToDigit(text.trim());
  if (digit === undefined) throw new DtmfInfoBodyError(`dtmf body is not a DTMF key: ${JSON.stringify(text)}`);
  return { digit };
}

/** Writes an `application/dtmf-relay` body (CRLF lines, as the PBXs that originated it do). */
export function serializeDtmfRelayBody(signal: DtmfInfoSignal): string {
  const duration = Math.max(1, Math.round(signal.durationMs ?? 160));
  return `Signal=${signal.digit}\r\nDuration=${duration}\r\n`;
}

function signalToDigit(value: string): DtmfDigit | undefined {
  // Numeric forms are event codes: '5' is 5, '10' is '*', '11' is '#'.
  if (/^\d{1,2}$/.test(value)) return dtmfEventToDigit(Number(value));
  return toDtmfDigit(value);
}

function mediaType(contentType: string): string {
  return (contentType.split(';')[0] ?? '').trim().toLowerCase();
}
