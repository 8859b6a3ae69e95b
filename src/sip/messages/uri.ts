import { GenericUri } from './generic-uri.js';
import { isHost, parsePort, unescapeUriPart } from './grammar.js';
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
  const scheme = text.slice(0, colon).toLowerCase();
  if (!/^[a-z][a-z0-9+.-]*$/.test(scheme)) throw new SipParseError(`bad URI scheme in "${clip(text)}"`);
  const rest = text.slice(colon + 1);
  if (scheme === 'sip' || scheme === 'sips') return parseSipParts(scheme, rest, text);
  if (scheme === 'tel') return parseTel(rest, text);
  if (rest.length === 0 || /[\s<>"]/.test(rest)) throw new SipParseError(`bad URI "${clip(text)}"`);
  return new GenericUri(scheme, rest);
}

/** Parses a `sip:`/`sips:` URI; anything else is an error. */
export function parseSipUri(text: string): SipUri {
  const uri = parseUri(text);
  if (!(uri instanceof SipUri)) throw new SipParseError(`expected a sip: or sips: URI, got "${clip(text)}"`);
  return uri;
}

function parseSipParts(scheme: 'sip' | 'sips', rest: string, whole: string): SipUri {
  // '@' may appear only as the userinfo delimiter: RFC 3261 §25.1 requires it escaped elsewhere.
  const at = rest.indexOf('@');
  let user: string | undefined;
  let password: string | undefined;
  let hostPart = rest;
  if (at >= 0) {
    const userinfo = rest.slice(0, at);
    hostPart = rest.slice(at + 1);
    const pc = userinfo.indexOf(':');
    user = pc < 0 ? userinfo : userinfo.slice(0, pc);
    if (pc >= 0) password = userinfo.slice(pc + 1);
    if (user.length === 0) throw new SipParseError(`empty user in URI "${clip(whole)}"`);
    if (/[\s<>"]/.test(userinfo)) throw new SipParseError(`bad character in URI user part "${clip(whole)}"`);
  }
  let headersText = '';
  const q = hostPart.indexOf('?');
  if (q >= 0) {
    headersText = hostPart.slice(q + 1);
    hostPart = hostPart.slice(0, q);
  }
  let paramsText = '';
  const semi = hostPart.indexOf(';');
  if (semi >= 0) {
    paramsText = hostPart.slice(semi);
    hostPart = hostPart.slice(0, semi);
  }
  let host = hostPart;
  let port: number | undefined;
  if (hostPart.charCodeAt(0) === 91 /* [ */) {
    const close = hostPart.indexOf(']');
    if (close < 0) throw new SipParseError(`unterminated IPv6 reference in URI "${clip(whole)}"`);
    host = hostPart.slice(0, close + 1);
    const after = hostPart.slice(close + 1);
    if (after.length > 0) {
      if (after.charCodeAt(0) !== 58) throw new SipParseError(`bad host in URI "${clip(whole)}"`);
      port = parsePort(after.slice(1));
      if (port === undefined) throw new SipParseError(`bad port in URI "${clip(whole)}"`);
    }
  } else {
    const pc = hostPart.lastIndexOf(':');
    if (pc >= 0) {
      host = hostPart.slice(0, pc);
      port = parsePort(hostPart.slice(pc + 1));
      if (port === undefined) throw new SipParseError(`bad port in URI "${clip(whole)}"`);
    }
  }
  if (!isHost(host)) throw new SipParseError(`bad host "${clip(host)}" in URI`);
  const init: ConstructorParameters<typeof SipUri>[0] = {
    scheme,
    host,
    params: Parameters.parse(paramsText, ';', 'URI parameter'),
    headers: Parameters.parse(headersText, '&', 'URI header'),
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
