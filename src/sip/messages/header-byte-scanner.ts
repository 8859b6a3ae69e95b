import type { CSeq } from './cseq.js';
import { isTokenChar } from './grammar.js';
import { NameAddr } from './name-addr.js';
import { PARAM_NAME_CLASS, Parameters } from './parameters.js';
import { SipUri } from './sip-uri.js';
import { Via } from './via.js';

/**
 * Quick paths for the header values every message is asked for (Via, From/To/Contact,
 * CSeq), read straight from the bytes of an all-ASCII head instead of from value
 * strings: reading a byte array is about half the cost of charCodeAt, and the only
 * strings made are those kept (host, URI text, display name, parameter values).
 *
 * Each scanner takes the usual, plain shape only and returns undefined for anything
 * else (quoted strings with escapes, IPv6, white space, comments, odd parameters …),
 * leaving it to the string parsers, which then report errors as they always did. For
 * every input a scanner accepts, it gives what the string parser gives (the property
 * tests in test/sip/messages/header-byte-scanner.test.ts hold them to that).
 *
 * Offsets are byte offsets into `b`; `text` holds the same characters one per byte
 * with `text[i - base]` = `b[i]` (the decoded head; see HeaderTable).
 */

/** Where the last successful viaAt or nameAddrAt stopped: the end it was given, or the ',' that ends the list item. */
let stoppedAt = 0;

/** Where the last successful viaAt or nameAddrAt stopped (the item's end). */
export function scanEnd(): number {
  return stoppedAt;
}

/**
 * The Via at `b[s, e)` if it has the usual shape `SIP/2.0/TRANSPORT host[:port][;params]`,
 * ending at `e` or at a ',' (then another Via follows). With `cut`, the parameters
 * are checked and cut out now; otherwise kept as text for their first read, as
 * Via.parseAt does.
 */
export function viaAt(b: Uint8Array, text: string, base: number, s: number, e: number, cut: boolean): Via | undefined {
  if (e - s < 10 || b[s] !== 83 || b[s + 1] !== 73 || b[s + 2] !== 80 || b[s + 3] !== 47 || b[s + 4] !== 50 || b[s + 5] !== 46 || b[s + 6] !== 48 || b[s + 7] !== 47) return undefined;
  // Transport: upper-case letters and digits up to one space (parseCommonVia's shape).
  let i = s + 8;
  let c = 0;
  for (; i < e; i++) {
    c = b[i]!;
    if (c === 32) break;
    if (!((c >= 65 && c <= 90) || (c >= 48 && c <= 57))) return undefined;
  }
  if (i === s + 8 || i >= e) return undefined;
  const transport = transportAt(b, text, base, s + 8, i);
  // Host: a name or IPv4 address (isHost's characters); IPv6 references go the long way.
  i = hostPortAt(b, text, base, i + 1, e, true, false);
  if (i < 0) return undefined;
  const host = scannedHost;
  const port = scannedPort;
  c = i < e ? b[i]! : 0;
  let params: Parameters;
  if (i >= e || c === 44) params = new Parameters();
  else if (cut) {
    const list: Array<string | null> = [];
    const stop = paramsAt(b, text, base, i, e, list, true);
    if (stop < 0) return undefined;
    params = Parameters.ofCheckedEntries(list);
    i = stop;
  } else {
    const stop = paramsAt(b, text, base, i, e, undefined, true);
    if (stop < 0) return undefined;
    params = Parameters.lazy(text.slice(i - base, stop - base), ';', 'Via parameter');
    i = stop;
  }
  stoppedAt = i;
  // The same keys in the same order as the string parsers pass: one shape for the constructor.
  return new Via({ protocol: 'SIP/2.0', transport, host, port, params });
}

/**
 * The name-addr at `b[s, e)` if it has the usual shape `"Name" <uri>;params` or
 * `<uri>;params` (a display name without escapes, a URI with a scheme and no white
 * space or quotes). With `list`, it may end at a ',' outside quotes and `<…>` (a
 * Contact or Route list; the parameters are then kept as text for their first read);
 * otherwise it runs to `e` and its parameters are checked and cut out now (From, To).
 */
export function nameAddrAt(b: Uint8Array, text: string, base: number, s: number, e: number, list: boolean): NameAddr | undefined {
  if (s >= e) return undefined;
  let displayName: string | undefined;
  let lt = s;
  let c = b[s]!;
  if (c === 34) {
    let i = s + 1;
    for (; i < e; i++) {
      c = b[i]!;
      if (c === 34) break;
      if (c === 92 || c >= 128) return undefined;
    }
    if (i + 2 >= e || b[i + 1] !== 32 || b[i + 2] !== 60) return undefined;
    displayName = text.slice(s + 1 - base, i - base);
    lt = i + 2;
  } else if (c !== 60) return undefined;
  // Scheme (RFC 3986 §3.1), then the rest of the URI up to '>'.
  let i = lt + 1;
  c = i < e ? b[i]! : 0;
  if (!((c >= 97 && c <= 122) || (c >= 65 && c <= 90))) return undefined;
  for (i++; i < e; i++) {
    c = b[i]!;
    if (c === 58) break;
    if (!((c >= 97 && c <= 122) || (c >= 65 && c <= 90) || (c >= 48 && c <= 57) || c === 43 || c === 45 || c === 46)) return undefined;
  }
  let gt: number;
  if (list) {
    // In a list, a quote inside <…> would change where the item ends: leave such URIs to the string path.
    for (i++; i < e; i++) {
      c = b[i]!;
      if (c === 62) break;
      if (c <= 32 || c >= 127 || c === 34) return undefined;
    }
    gt = i;
  } else {
    // As scanCommon: the first '>' closes the URI, which must not end in white space.
    gt = text.indexOf('>', i - base) + base;
    if (gt < i || (gt < e && asciiSpace(b[gt - 1]!))) return undefined;
  }
  if (gt >= e) return undefined;
  const uriText = text.slice(lt + 1 - base, gt - base);
  let params: Parameters;
  let end = gt + 1;
  if (end < e && b[end] !== 59 && !(list && b[end] === 44)) return undefined;
  if (list) {
    end = listItemEndAt(b, end, e);
    // White space before the ',' is trimmed by the string path: leave that to it.
    if (end < e && end > gt + 1 && b[end - 1]! <= 32) return undefined;
    params = end > gt + 1 ? Parameters.lazy(text.slice(gt + 1 - base, end - base), ';', 'header parameter') : new Parameters();
  } else if (end < e) {
    const entries: Array<string | null> = [];
    if (paramsAt(b, text, base, end, e, entries, false) !== e) return undefined;
    params = Parameters.ofCheckedEntries(entries);
    end = e;
  } else params = new Parameters();
  stoppedAt = end;
  return NameAddr.ofParts(displayName, uriText, params);
}

/** isTrimmable for a character below 128. */
function asciiSpace(c: number): boolean {
  return c === 32 || (c >= 9 && c <= 13);
}

/** The CSeq at `b[s, e)` if it is `digits SP method` exactly (parseCSeq's usual input). */
export function cseqAt(b: Uint8Array, text: string, base: number, s: number, e: number): CSeq | undefined {
  let seq = 0;
  let i = s;
  for (; i < e; i++) {
    const c = b[i]!;
    if (c === 32) break;
    if (c < 48 || c > 57) return undefined;
    seq = seq * 10 + (c - 48);
  }
  if (i === s || i - s > 10 || i + 1 >= e || seq > 0x7fffffff) return undefined;
  const ms = i + 1;
  for (i = ms; i < e; i++) if (!isTokenChar(b[i]!)) return undefined;
  return { seq, method: methodAt(b, text, base, ms, e) };
}

/**
 * The `sip:`/`sips:` URI at `b[s, e)` if it has the usual shape `sip:[user@]host[:port][;params]`
 * (a name or IPv4 host, a port without leading zeros, no password, no `?headers`, plain
 * parameters): what parseUri gives for it, parameters checked, and it encodes back to
 * exactly this text. Undefined for anything else.
 */
export function sipUriAt(b: Uint8Array, text: string, base: number, s: number, e: number): SipUri | undefined {
  if (e - s < 5 || b[s] !== 115 || b[s + 1] !== 105 || b[s + 2] !== 112) return undefined;
  let scheme: 'sip' | 'sips';
  let from: number;
  if (b[s + 3] === 58) {
    scheme = 'sip';
    from = s + 4;
  } else if (b[s + 3] === 115 && b[s + 4] === 58) {
    scheme = 'sips';
    from = s + 5;
  } else return undefined;
  // One pass for the first '@' (parseUri's user delimiter) and for what only parseUri handles.
  let at = -1;
  for (let i = from; i < e; i++) {
    const c = b[i]!;
    if (c <= 32 || c >= 127 || c === 34 || c === 60 || c === 62 || c === 63 || c === 91 || c === 93) return undefined;
    if (c === 64 && at < 0) at = i;
  }
  let user: string | undefined;
  let hs = from;
  if (at >= 0) {
    if (at === from) return undefined;
    for (let i = from; i < at; i++) if (b[i] === 58) return undefined;
    user = text.slice(from - base, at - base);
    hs = at + 1;
  }
  const i = hostPortAt(b, text, base, hs, e, false, true);
  if (i < 0) return undefined;
  const host = scannedHost;
  const port = scannedPort;
  let params: Parameters;
  if (i < e) {
    if (paramsAt(b, text, base, i, e, undefined, false) !== e) return undefined;
    params = Parameters.ofCheckedText(text.slice(i - base, e - base), 'URI parameter');
  } else params = new Parameters();
  // The same init, keys in the same order, as parseUri builds: one shape.
  const init: ConstructorParameters<typeof SipUri>[0] = { scheme, host, params, headers: new Parameters() };
  if (user !== undefined) init.user = user;
  if (port !== undefined) init.port = port;
  return new SipUri(init);
}

/** What the last successful hostPortAt found. */
let scannedHost = '';
let scannedPort: number | undefined;

/**
 * Cuts `host[:port]` at `b[hs, e)` — a name or IPv4 address (isHost's characters, so an
 * IPv6 reference is left to the string parsers) and 1–5 digits up to 65535 — stopping at
 * `e`, ';' or, with `stopAtComma`, ','. With `plainPort`, a port with leading zeros is
 * refused (parseUri would not encode it back the same). Returns where it stopped, or -1;
 * the parts are left in scannedHost and scannedPort.
 */
function hostPortAt(b: Uint8Array, text: string, base: number, hs: number, e: number, stopAtComma: boolean, plainPort: boolean): number {
  let i = hs;
  let c = 0;
  for (; i < e; i++) {
    c = b[i]!;
    if (c === 58 || c === 59 || (c === 44 && stopAtComma)) break;
    if (!((c >= 97 && c <= 122) || (c >= 65 && c <= 90) || (c >= 48 && c <= 57) || c === 45 || c === 46 || c === 95)) return -1;
  }
  if (i === hs) return -1;
  scannedHost = text.slice(hs - base, i - base);
  scannedPort = undefined;
  if (i < e && c === 58) {
    const ps = ++i;
    let n = 0;
    for (; i < e; i++) {
      c = b[i]!;
      if (c === 59 || (c === 44 && stopAtComma)) break;
      if (c < 48 || c > 57) return -1;
      n = n * 10 + (c - 48);
    }
    if (i === ps || i - ps > 5 || n > 65535 || (plainPort && b[ps] === 48 && i - ps > 1)) return -1;
    scannedPort = n;
  }
  return i;
}

/**
 * The number written as 1–10 decimal digits at `b[s, e)` (parseDigits' input), or -1
 * for anything else.
 */
export function digitsAt(b: Uint8Array, s: number, e: number): number {
  if (e <= s || e - s > 10) return -1;
  let n = 0;
  for (let i = s; i < e; i++) {
    const c = b[i]!;
    if (c < 48 || c > 57) return -1;
    n = n * 10 + (c - 48);
  }
  return n;
}

/**
 * Checks the `;name[=value]` list at `b[pos, e)` (b[pos] is ';') the way the plain
 * parameter scan does, stopping at `e` or, with `atComma`, at a ','; returns where it
 * stopped, or -1 for anything that scan would not take as plain (quotes, `<`, white
 * space or control characters, an empty or bad name). With `out`, appends the entries.
 */
function paramsAt(b: Uint8Array, text: string, base: number, pos: number, e: number, out: Array<string | null> | undefined, atComma: boolean): number {
  while (pos < e) {
    const c0 = b[pos]!;
    if (c0 !== 59) return atComma && c0 === 44 ? pos : -1;
    const ns = ++pos;
    let classes = 3;
    let c = 0;
    for (; pos < e; pos++) {
      c = b[pos]!;
      if (c === 59 || c === 61 || (c === 44 && atComma)) break;
      classes &= c < 128 ? PARAM_NAME_CLASS[c]! : 0;
    }
    if (pos === ns || classes === 0) return -1;
    const ne = pos;
    let value: string | null = null;
    if (pos < e && c === 61) {
      const vs = ++pos;
      for (; pos < e; pos++) {
        c = b[pos]!;
        if (c === 59 || (c === 44 && atComma)) break;
        if (c <= 32 || c >= 127 || c === 34 || c === 60) return -1;
      }
      if (out !== undefined) value = text.slice(vs - base, pos - base);
    }
    if (out !== undefined) out.push(paramNameAt(b, text, base, ns, ne), value);
  }
  return pos;
}

/**
 * End of the list item whose parameters start at `pos`: the next ',' outside quotes
 * and `<…>` (as indexOutsideUntil finds it), or `e`.
 */
function listItemEndAt(b: Uint8Array, pos: number, e: number): number {
  let quoted = false;
  let angle = false;
  for (; pos < e; pos++) {
    const c = b[pos]!;
    if (quoted) {
      if (c === 92) pos++;
      else if (c === 34) quoted = false;
    } else if (c === 34) quoted = true;
    else if (c === 60) angle = true;
    else if (c === 62) angle = false;
    else if (c === 44 && !angle) return pos;
  }
  return e;
}

/** The parameter names read in nearly every message, as shared literals. */
function paramNameAt(b: Uint8Array, text: string, base: number, s: number, e: number): string {
  switch (e - s) {
    case 3:
      if (b[s] === 116 && b[s + 1] === 97 && b[s + 2] === 103) return 'tag';
      break;
    case 5:
      if (b[s] === 114 && b[s + 1] === 112 && b[s + 2] === 111 && b[s + 3] === 114 && b[s + 4] === 116) return 'rport';
      break;
    case 6:
      if (b[s] === 98 && b[s + 1] === 114 && b[s + 2] === 97 && b[s + 3] === 110 && b[s + 4] === 99 && b[s + 5] === 104) return 'branch';
      break;
    case 8:
      if (b[s] === 114 && b[s + 1] === 101 && b[s + 2] === 99 && b[s + 3] === 101 && b[s + 4] === 105 && b[s + 5] === 118 && b[s + 6] === 101 && b[s + 7] === 100) return 'received';
      break;
  }
  return text.slice(s - base, e - base);
}

/** The transport token (already upper case), as a literal for the usual ones. */
function transportAt(b: Uint8Array, text: string, base: number, s: number, e: number): string {
  if (e - s === 3) {
    const c0 = b[s];
    const c1 = b[s + 1];
    const c2 = b[s + 2];
    if (c0 === 85 && c1 === 68 && c2 === 80) return 'UDP';
    if (c0 === 84 && c1 === 67 && c2 === 80) return 'TCP';
    if (c0 === 84 && c1 === 76 && c2 === 83) return 'TLS';
  }
  return text.slice(s - base, e - base);
}

/** Methods as shared literals (compared with the request's method at parse time and by every layer after). */
const METHODS = ['INVITE', 'ACK', 'BYE', 'CANCEL', 'REGISTER', 'OPTIONS', 'INFO', 'UPDATE', 'PRACK', 'SUBSCRIBE', 'NOTIFY', 'REFER', 'MESSAGE', 'PUBLISH'];
const METHOD_CODES = METHODS.map((m) => Uint8Array.from(m, (ch) => ch.charCodeAt(0)));

/** The method token at `b[s, e)`: a shared literal when it is a known one. */
export function methodAt(b: Uint8Array, text: string, base: number, s: number, e: number): string {
  const n = e - s;
  next: for (let k = 0; k < METHOD_CODES.length; k++) {
    const codes = METHOD_CODES[k]!;
    if (codes.length !== n || codes[0] !== b[s]) continue;
    for (let j = 1; j < n; j++) if (codes[j] !== b[s + j]) continue next;
    return METHODS[k]!;
  }
  return text.slice(s - base, e - base);
}
