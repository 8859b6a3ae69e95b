import { isToken } from './grammar.js';
import { SipParseError } from './sip-parse-error.js';

/** The CSeq header value (RFC 3261 §20.16). */
export interface CSeq {
  seq: number;
  method: string;
}

/** Parses `4711 INVITE`; the number must be below 2**31. */
export function parseCSeq(text: string): CSeq {
  const s = text.trim();
  const sp = s.search(/[ \t]/);
  if (sp < 0) throw new SipParseError(`bad CSeq "${s}"`);
  const num = s.slice(0, sp);
  const method = s.slice(sp).trim();
  if (!/^[0-9]{1,10}$/.test(num) || Number(num) > 0x7fffffff) throw new SipParseError(`bad CSeq number "${num}"`);
  if (!isToken(method)) throw new SipParseError(`bad CSeq method "${method}"`);
  return { seq: Number(num), method };
}
