import { backTrimmable, isHost, isTokenAt, isTrimmable, isWsp, parsePort, parsePortAt, skipTrimmable } from './grammar.js';
import { Parameters } from './parameters.js';
import { SipParseError } from './sip-parse-error.js';

/**
 * One Via hop (RFC 3261 §20.42, RFC 3581 `rport`). Via.parse checks everything;
 * the Vias of a parsed message (Via.parseAt) check their parameters on first read,
 * except the top one, which parseMessage checks.
 */
export class Via {
  protocol: string;
  /** Upper case, e.g. `UDP`, `TCP`, `TLS`. */
  transport: string;
  /** As written; an IPv6 reference keeps its brackets. */
  host: string;
  port?: number;
  params: Parameters;

  constructor(init: { protocol?: string; transport: string; host: string; port?: number; params?: Parameters }) {
    this.protocol = init.protocol ?? 'SIP/2.0';
    // Parsed transports arrive upper-cased already; toUpperCase is a runtime call worth skipping for them.
    const t = init.transport;
    this.transport = t === 'UDP' || t === 'TCP' || t === 'TLS' ? t : t.toUpperCase();
    this.host = init.host;
    this.port = init.port;
    this.params = init.params ?? new Parameters();
  }

  get branch(): string | undefined {
    const b = this.params.get('branch');
    return typeof b === 'string' ? b : undefined;
  }

  set branch(v: string | undefined) {
    if (v === undefined) this.params.delete('branch');
    else this.params.set('branch', v);
  }

  get received(): string | undefined {
    const r = this.params.get('received');
    return typeof r === 'string' ? r : undefined;
  }

  set received(v: string | undefined) {
    if (v === undefined) this.params.delete('received');
    else this.params.set('received', v);
  }

  /** The rport value: a number, `null` for the bare flag, `undefined` when absent. */
  get rport(): number | null | undefined {
    const r = this.params.get('rport');
    if (r === undefined || r === null) return r;
    const n = parsePort(r);
    return n === undefined ? null : n;
  }

  set rport(v: number | null | undefined) {
    if (v === undefined) this.params.delete('rport');
    else this.params.set('rport', v === null ? null : String(v));
  }

  /** The host without IPv6 brackets. */
  get hostname(): string {
    return this.host.charCodeAt(0) === 91 ? this.host.slice(1, -1) : this.host;
  }

  static parse(text: string): Via {
    const via = Via.parseAt(text, 0, text.length);
    via.params.check();
    return via;
  }

  /**
   * Parses `text[start, end)`: the form for the values of a comma-separated Via line,
   * which are parsed in place instead of being cut out and trimmed first. The
   * parameters are checked when first read (Parameters.lazy).
   */
  static parseAt(text: string, start: number, end: number): Via {
    const s = skipTrimmable(text, start, end);
    const e = backTrimmable(text, s, end);
    return parseCommonVia(text, s, e) ?? parseAnyVia(text, s, e);
  }

  clone(): Via {
    const init: ConstructorParameters<typeof Via>[0] = {
      protocol: this.protocol,
      transport: this.transport,
      host: this.host,
      params: this.params.clone(),
    };
    if (this.port !== undefined) init.port = this.port;
    return new Via(init);
  }

  toString(): string {
    return `${this.protocol}/${this.transport} ${this.host}${this.port !== undefined ? ':' + this.port : ''}${this.params.toString(';')}`;
  }
}

/**
 * The usual shape, `SIP/2.0/UDP host[:port][;params]` with single spaces, read with a
 * few indexOf calls; undefined for anything else, which parseAnyVia then takes (and
 * reports errors for) with the full grammar. Both give the same Via for input this accepts.
 */
function parseCommonVia(text: string, s: number, e: number): Via | undefined {
  if (!text.startsWith('SIP/2.0/', s)) return undefined;
  const sp = text.indexOf(' ', s + 8);
  if (sp < 0 || sp >= e || sp === s + 8) return undefined;
  for (let i = s + 8; i < sp; i++) {
    const c = text.charCodeAt(i);
    if (!((c >= 65 && c <= 90) || (c >= 48 && c <= 57))) return undefined;
  }
  let semi = text.indexOf(';', sp + 1);
  if (semi < 0 || semi >= e) semi = e;
  let colon = text.indexOf(':', sp + 1);
  if (colon < 0 || colon >= semi) colon = semi;
  const host = text.slice(sp + 1, colon);
  if (!isHost(host)) return undefined;
  let port: number | undefined;
  if (colon < semi) {
    port = parsePortAt(text, colon + 1, semi);
    if (port === undefined) return undefined;
  }
  // Always the same keys in the same order: the constructor then sees one shape.
  return new Via({
    protocol: 'SIP/2.0',
    transport: transportName(text, s + 8, sp),
    host,
    port,
    params: Parameters.lazy(semi < e ? text.slice(semi, e) : '', ';', 'Via parameter'),
  });
}

/** Any Via value, `text[s, e)` already trimmed, per RFC 3261 §20.42 with LWS where the grammar allows it. */
function parseAnyVia(text: string, s: number, e: number): Via {
  // sent-protocol = protocol-name SLASH protocol-version SLASH transport, with LWS allowed around SLASH.
  let nameEnd: number;
  let versionStart: number;
  let versionEnd: number;
  let transportStart: number;
  if (text.startsWith('SIP/2.0/', s)) {
    // Nearly every Via: the name and version need no search and no check.
    nameEnd = s + 3;
    versionStart = s + 4;
    versionEnd = s + 7;
    transportStart = skipWsp(text, s + 8, e);
  } else {
    nameEnd = protocolPartEnd(text, s, e, false);
    let i = skipWsp(text, nameEnd, e);
    if (nameEnd === s || text.charCodeAt(i) !== 47 || i >= e) throw new SipParseError(`bad Via "${clip(text, s, e)}"`);
    versionStart = skipWsp(text, i + 1, e);
    versionEnd = protocolPartEnd(text, versionStart, e, false);
    i = skipWsp(text, versionEnd, e);
    if (versionEnd === versionStart || text.charCodeAt(i) !== 47 || i >= e) throw new SipParseError(`bad Via "${clip(text, s, e)}"`);
    transportStart = skipWsp(text, i + 1, e);
  }
  const transportEnd = protocolPartEnd(text, transportStart, e, true);
  const gap = skipWsp(text, transportEnd, e);
  if (transportEnd === transportStart || gap === transportEnd || gap >= e) throw new SipParseError(`bad Via "${clip(text, s, e)}"`);
  if (!isTokenAt(text, s, nameEnd) || !isTokenAt(text, versionStart, versionEnd) || !isTokenAt(text, transportStart, transportEnd)) {
    throw new SipParseError(`bad Via protocol in "${clip(text, s, e)}"`);
  }
  const sentByStart = isTrimmable(text.charCodeAt(gap)) ? skipTrimmable(text, gap, e) : gap;
  let semi = text.indexOf(';', sentByStart);
  if (semi >= e) semi = -1;
  const sentByEnd = backTrimmable(text, sentByStart, semi < 0 ? e : semi);
  let host: string;
  let port: number | undefined;
  if (text.charCodeAt(sentByStart) === 91) {
    const close = text.indexOf(']', sentByStart);
    if (close < 0 || close >= sentByEnd) throw new SipParseError(`bad Via host in "${clip(text, s, e)}"`);
    host = text.slice(sentByStart, close + 1);
    const after = skipTrimmable(text, close + 1, sentByEnd);
    if (after < sentByEnd) {
      port = text.charCodeAt(after) === 58 ? parsePortAt(text, skipTrimmable(text, after + 1, sentByEnd), sentByEnd) : undefined;
      if (port === undefined) throw new SipParseError(`bad Via port in "${clip(text, s, e)}"`);
    }
  } else {
    let colon = text.indexOf(':', sentByStart);
    if (colon >= sentByEnd) colon = -1;
    if (colon >= 0) {
      host = text.slice(sentByStart, backTrimmable(text, sentByStart, colon));
      port = parsePortAt(text, skipTrimmable(text, colon + 1, sentByEnd), sentByEnd);
      if (port === undefined) throw new SipParseError(`bad Via port in "${clip(text, s, e)}"`);
    } else host = text.slice(sentByStart, sentByEnd);
  }
  if (!isHost(host)) throw new SipParseError(`bad Via host "${clip(host, 0, host.length)}"`);
  return new Via({
    protocol: protocolName(text, s, nameEnd, versionStart, versionEnd),
    transport: transportName(text, transportStart, transportEnd),
    host,
    port,
    params: Parameters.lazy(semi < 0 ? '' : text.slice(semi, e), ';', 'Via parameter'),
  });
}

/**
 * End of one part of sent-protocol starting at `i`: the regular expression it
 * replaces took `[^\s/]+` for name and version and `[^\s/;]+` for the transport.
 */
function protocolPartEnd(text: string, i: number, end: number, transport: boolean): number {
  while (i < end) {
    const c = text.charCodeAt(i);
    if (c === 47 || isTrimmable(c) || (transport && c === 59)) break;
    i++;
  }
  return i;
}

function skipWsp(text: string, i: number, end: number): number {
  while (i < end && isWsp(text.charCodeAt(i))) i++;
  return i;
}

/** `SIP/2.0` as the shared literal in the common case, else `name/version` as written. */
function protocolName(text: string, ns: number, ne: number, vs: number, ve: number): string {
  if (ne - ns === 3 && ve - vs === 3 && text.startsWith('SIP', ns) && text.startsWith('2.0', vs)) return 'SIP/2.0';
  return `${text.slice(ns, ne)}/${text.slice(vs, ve)}`;
}

/** The transport token upper-cased, as a literal for the usual ones. */
function transportName(text: string, start: number, end: number): string {
  if (end - start === 3) {
    if (text.startsWith('UDP', start)) return 'UDP';
    if (text.startsWith('TCP', start)) return 'TCP';
    if (text.startsWith('TLS', start)) return 'TLS';
  }
  return text.slice(start, end).toUpperCase();
}

function clip(text: string, start: number, end: number): string {
  const s = text.slice(start, end);
  return s.length > 60 ? s.slice(0, 57) + '...' : s;
}
