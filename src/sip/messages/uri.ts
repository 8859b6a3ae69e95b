import { GenericUri } from './generic-uri.js';
import { isHost, isTrimmable, parsePortAt, unescapeUriPart } from './grammar.js';
import { Parameters } from './parameters.js';
import { SipParseError } from './sip-parse-error.js';
import { SipUri } from './sip-uri.js';
import { TelUri } from './tel-uri.js';

/** Any URI a SIP message can carry. */
export type Uri = SipUri | TelUri | GenericUri;

/** Parses an absolute URI; `sip`, `sips` and `tel` get typed forms. Throws SipParseError. */
export function parseUri(text: string): Uri {
  const colon = text.indexOf(':');
  if (colon <= 0) throw new SipParseError(`bad URI "${clip(text)}"`);
  const scheme = schemeOf(text, colon);
  if (scheme === undefined) throw new SipParseError(`bad URI scheme in "${clip(text)}"`);
  if (scheme === 'sip' || scheme === 'sips') return parseSipParts(scheme, text, colon + 1);
  const rest = text.slice(colon + 1);
  if (scheme === 'tel') return parseTel(rest, text);
  if (rest.length === 0 || hasSpaceQuoteOrAngle(text, colon + 1, text.length)) throw new SipParseError(`bad URI "${clip(text)}"`);
  return new GenericUri(scheme, rest);
}

/**
 * Whether `text` starts with a well-formed scheme and colon: the check done on a URI
 * whose full parse is left for later (NameAddr), so that plain garbage such as `*` is
 * still refused when the header is parsed.
 */
export function hasUriScheme(text: string): boolean {
  const colon = text.indexOf(':');
  return colon > 0 && schemeOf(text, colon) !== undefined;
}

/** Parses a `sip:`/`sips:` URI; anything else is an error. */
export function parseSipUri(text: string): SipUri {
  const uri = parseUri(text);
  if (!(uri instanceof SipUri)) throw new SipParseError(`expected a sip: or sips: URI, got "${clip(text)}"`);
  return uri;
}

/**
 * The lower-cased scheme `text[0, colon)` (RFC 3986 §3.1: ALPHA *( ALPHA / DIGIT / "+" / "-" / "." )),
 * or undefined if it is not one. The common schemes come back as literals, without slicing.
 */
function schemeOf(text: string, colon: number): string | undefined {
  // Nearly every URI: lower-case "sip:".
  if (colon === 3 && text.charCodeAt(0) === 115 && text.charCodeAt(1) === 105 && text.charCodeAt(2) === 112) return 'sip';
  let upper = false;
  for (let i = 0; i < colon; i++) {
    const c = text.charCodeAt(i);
    if (c >= 97 && c <= 122) continue;
    if (c >= 65 && c <= 90) upper = true;
    else if (i === 0 || !((c >= 48 && c <= 57) || c === 43 || c === 45 || c === 46)) {
      // Outside ASCII, toLowerCase can still map a character into the grammar (U+212A KELVIN SIGN → "k").
      if (c < 128) return undefined;
      const lower = text.slice(0, colon).toLowerCase();
      return /^[a-z][a-z0-9+.-]*$/.test(lower) ? lower : undefined;
    }
  }
  if (colon === 3 && (text.charCodeAt(0) | 32) === 115 && (text.charCodeAt(1) | 32) === 105 && (text.charCodeAt(2) | 32) === 112) return 'sip';
  if (colon === 4 && (text.charCodeAt(0) | 32) === 115 && (text.charCodeAt(1) | 32) === 105 && (text.charCodeAt(2) | 32) === 112 && (text.charCodeAt(3) | 32) === 115) return 'sips';
  const s = text.slice(0, colon);
  return upper ? s.toLowerCase() : s;
}

/** Whether `text[start, end)` holds white space (as /\s/ means it), `<`, `>` or `"`. */
function hasSpaceQuoteOrAngle(text: string, start: number, end: number): boolean {
  for (let i = start; i < end; i++) {
    const c = text.charCodeAt(i);
    if (c === 60 || c === 62 || c === 34 || isTrimmable(c)) return true;
  }
  return false;
}

/** Parses the part of a `sip:`/`sips:` URI that starts at `from` (after the colon). */
function parseSipParts(scheme: 'sip' | 'sips', text: string, from: number): SipUri {
  const end = text.length;
  // '@' may appear only as the userinfo delimiter: RFC 3261 §25.1 requires it escaped elsewhere.
  const at = text.indexOf('@', from);
  let user: string | undefined;
  let password: string | undefined;
  let hostStart = from;
  if (at >= 0) {
    const pc = text.indexOf(':', from);
    const userEnd = pc >= 0 && pc < at ? pc : at;
    if (userEnd === from) throw new SipParseError(`empty user in URI "${clip(text)}"`);
    user = text.slice(from, userEnd);
    if (userEnd < at) password = text.slice(userEnd + 1, at);
    if (hasSpaceQuoteOrAngle(text, from, at)) throw new SipParseError(`bad character in URI user part "${clip(text)}"`);
    hostStart = at + 1;
  }
  const q = text.indexOf('?', hostStart);
  const paramsEnd = q < 0 ? end : q;
  let semi = text.indexOf(';', hostStart);
  if (semi >= paramsEnd) semi = -1;
  const hostEnd = semi < 0 ? paramsEnd : semi;
  let host: string;
  let port: number | undefined;
  if (text.charCodeAt(hostStart) === 91 /* [ */) {
    const close = text.indexOf(']', hostStart);
    if (close < 0 || close >= hostEnd) throw new SipParseError(`unterminated IPv6 reference in URI "${clip(text)}"`);
    host = text.slice(hostStart, close + 1);
    if (close + 1 < hostEnd) {
      if (text.charCodeAt(close + 1) !== 58) throw new SipParseError(`bad host in URI "${clip(text)}"`);
      port = parsePortAt(text, close + 2, hostEnd);
      if (port === undefined) throw new SipParseError(`bad port in URI "${clip(text)}"`);
    }
  } else {
    // A host other than an IPv6 reference has no colon: the first one after it starts the port.
    const pc = text.indexOf(':', hostStart);
    if (pc >= 0 && pc < hostEnd) {
      host = text.slice(hostStart, pc);
      port = parsePortAt(text, pc + 1, hostEnd);
      if (port === undefined) throw new SipParseError(`bad port in URI "${clip(text)}"`);
    } else host = text.slice(hostStart, hostEnd);
  }
  if (!isHost(host)) throw new SipParseError(`bad host "${clip(host)}" in URI`);
  const init: ConstructorParameters<typeof SipUri>[0] = {
    scheme,
    host,
    params: Parameters.parse(semi < 0 ? '' : text.slice(semi, paramsEnd), ';', 'URI parameter'),
    headers: Parameters.parse(q < 0 ? '' : text.slice(q + 1), '&', 'URI header'),
  };
  if (user !== undefined) init.user = user;
  if (password !== undefined) init.password = password;
  if (port !== undefined) init.port = port;
  return new SipUri(init);
}

function parseTel(rest: string, whole: string): TelUri {
  const semi = rest.indexOf(';');
  const number = semi < 0 ? rest : rest.slice(0, semi);
  if (!/^\+?[0-9A-Fa-f*#().\-]+$/.test(number) || !/[0-9A-Fa-f*#]/.test(number)) {
    throw new SipParseError(`bad telephone number in "${clip(whole)}"`);
  }
  return new TelUri(number, Parameters.parse(semi < 0 ? '' : rest.slice(semi), ';', 'tel URI parameter'));
}

/** Parameters that must match when present in either URI (RFC 3261 §19.1.4). */
const SIGNIFICANT_PARAMS = ['user', 'ttl', 'method', 'maddr', 'transport'];

/**
 * URI equivalence: RFC 3261 §19.1.4 for sip/sips, RFC 3966 §4 for tel, and exact
 * text otherwise.
 */
export function uriEquals(a: Uri, b: Uri): boolean {
  if (a instanceof SipUri && b instanceof SipUri) return sipUriEquals(a, b);
  if (a instanceof TelUri && b instanceof TelUri) return telUriEquals(a, b);
  if (a instanceof GenericUri && b instanceof GenericUri) {
    return a.scheme === b.scheme && a.value === b.value;
  }
  return false;
}

function sipUriEquals(a: SipUri, b: SipUri): boolean {
  if (a.scheme !== b.scheme) return false;
  // "Comparison of the userinfo of SIP and SIPS URIs is case-sensitive."
  if (unescapeOpt(a.user) !== unescapeOpt(b.user)) return false;
  if (unescapeOpt(a.password) !== unescapeOpt(b.password)) return false;
  if (a.host.toLowerCase() !== b.host.toLowerCase()) return false;
  // "A URI omitting any component with a default value will not match a URI explicitly containing that component."
  if (a.port !== b.port) return false;
  for (const name of SIGNIFICANT_PARAMS) {
    const av = a.params.get(name);
    const bv = b.params.get(name);
    if (av === undefined && bv === undefined) continue;
    if (av === undefined || bv === undefined) return false;
    if (!sameValue(av, bv)) return false;
  }
  // "Any other uri-parameter appearing in only one URI is ignored when comparing the two URIs."
  for (const [name, av] of a.params.entries()) {
    const bv = b.params.get(name);
    if (bv !== undefined && !sameValue(av, bv)) return false;
  }
  // "URI header components are never ignored."
  if (a.headers.size !== b.headers.size) return false;
  for (const [name, av] of a.headers.entries()) {
    const bv = b.headers.get(name);
    if (bv === undefined) return false;
    if (unescapeUriPart(av ?? '') !== unescapeUriPart(bv ?? '')) return false;
  }
  return true;
}

function telUriEquals(a: TelUri, b: TelUri): boolean {
  // RFC 3966 §4: visual separators are not significant; parameters must match as a set.
  const strip = (n: string) => n.replace(/[-.()]/g, '').toLowerCase();
  if (strip(a.number) !== strip(b.number)) return false;
  if (a.params.size !== b.params.size) return false;
  for (const [name, av] of a.params.entries()) {
    const bv = b.params.get(name);
    if (bv === undefined || !sameValue(av, bv)) return false;
  }
  return true;
}

function sameValue(a: string | null, b: string | null): boolean {
  if (a === null || b === null) return a === b;
  return unescapeUriPart(a).toLowerCase() === unescapeUriPart(b).toLowerCase();
}

function unescapeOpt(s: string | undefined): string | undefined {
  return s === undefined ? undefined : unescapeUriPart(s);
}

function clip(s: string): string {
  return s.length > 60 ? s.slice(0, 57) + '...' : s;
}
