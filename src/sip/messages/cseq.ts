import { isToken, isTrimmable, parseDigits } from './grammar.js';
import { SipParseError } from './sip-parse-error.js';

/** The CSeq header value (RFC 3261 §20.16). */
export interface CSeq {
  seq: number;
  method: string;
}

/** Parses `4711 INVITE`; the number must be below 2**31. */
export function parseCSeq(text: string): CSeq {
  const s = text.trim();
  let sp = -1;
  for (let i = 0; i < s.length; i++) {
    const c = s.charCodeAt(i);
    if (c === 32 || c === 9) {
      sp = i;
      break;
    }
  }
  if (sp < 0) throw new SipParseError(`bad CSeq "${s}"`);
  const num = s.slice(0, sp);
  let ms = sp + 1;
  while (ms < s.length && isTrimmable(s.charCodeAt(ms))) ms++;
  const method = s.slice(ms);
  const seq = parseDigits(num);
  if (seq === undefined || seq > 0x7fffffff) throw new SipParseError(`bad CSeq number "${num}"`);
  if (!isToken(method)) throw new SipParseError(`bad CSeq method "${method}"`);
  return { seq, method };
}
