import { parseCSeq, type CSeq } from './cseq.js';
import { backTrimmable, listItemEnd, parseDigits, skipTrimmable, splitOutside } from './grammar.js';
import type { HeaderField } from './header-field.js';
import { headerKey } from './header-names.js';
import { NameAddr } from './name-addr.js';
import { SipParseError } from './sip-parse-error.js';
import { Via } from './via.js';
import { encodeWire } from './wire-encoder.js';

/**
 * What requests and responses share: ordered header fields and a body. Header
 * lookups are case-insensitive and know compact forms. Typed values are parsed on
 * first use and cached, so headers nobody reads cost only their line split.
 */
export abstract class SipMessage {
  /** The body bytes (Content-Length is derived from them on serialization). */
  body: Buffer;
  protected fields: HeaderField[];
  private keys: string[];
  // Typed views, parsed on first read; any header mutation drops them all (dropCache).
  private viasCache: Via[] | undefined = undefined;
  private topViaCache: Via | null | undefined = undefined;
  private fromCache: NameAddr | undefined = undefined;
  private toCache: NameAddr | undefined = undefined;
  private cseqCache: CSeq | undefined = undefined;
  private contactsCache: NameAddr[] | undefined = undefined;
  private routesCache: NameAddr[] | undefined = undefined;
  private recordRoutesCache: NameAddr[] | undefined = undefined;

  protected constructor(fields: HeaderField[], body: Buffer, keys?: string[]) {
    this.fields = fields;
    this.keys = keys ?? fields.map((f) => headerKey(f.name));
    this.body = body;
  }

  /** The header fields in wire order. Change them through the methods so caches stay right. */
  get headers(): readonly HeaderField[] {
    return this.fields;
  }

  /** The start line without CRLF. */
  abstract startLine(): string;

  getHeader(name: string): string | undefined {
    const i = this.indexOfName(name);
    return i < 0 ? undefined : this.fields[i]!.value;
  }

  getHeaders(name: string): string[] {
    const key = headerKey(name);
    const out: string[] = [];
    for (let i = 0; i < this.keys.length; i++) if (this.keys[i] === key) out.push(this.fields[i]!.value);
    return out;
  }

  getHeaderValues(name: string): string[] {
    const out: string[] = [];
    for (const v of this.getHeaders(name)) {
      for (const part of splitOutside(v, 44 /* , */)) if (part.length > 0) out.push(part);
    }
    return out;
  }

  hasHeader(name: string): boolean {
    return this.indexOfName(name) >= 0;
  }

  setHeader(name: string, value: string): this {
    const key = headerKey(name);
    const first = this.keys.indexOf(key);
    if (first < 0) return this.appendHeader(name, value);
    this.fields[first] = { name: this.fields[first]!.name, value };
    for (let i = this.keys.length - 1; i > first; i--) {
      if (this.keys[i] === key) {
        this.keys.splice(i, 1);
        this.fields.splice(i, 1);
      }
    }
    this.dropCache();
    return this;
  }

  appendHeader(name: string, value: string): this {
    this.fields.push({ name, value });
    this.keys.push(headerKey(name));
    this.dropCache();
    return this;
  }

  prependHeader(name: string, value: string): this {
    this.fields.unshift({ name, value });
    this.keys.unshift(headerKey(name));
    this.dropCache();
    return this;
  }

  removeHeader(name: string): number {
    const key = headerKey(name);
    let n = 0;
    for (let i = this.keys.length - 1; i >= 0; i--) {
      if (this.keys[i] === key) {
        this.keys.splice(i, 1);
        this.fields.splice(i, 1);
        n++;
      }
    }
    if (n > 0) this.dropCache();
    return n;
  }

  get vias(): Via[] {
    let vias = this.viasCache;
    if (vias === undefined) {
      vias = [];
      // The top Via is usually parsed already (the parser checks it): reuse it.
      const top = this.topViaCache ?? undefined;
      for (let i = 0; i < this.keys.length; i++) {
        if (this.keys[i] !== 'via') continue;
        const text = this.fields[i]!.value;
        for (let pos = 0; pos <= text.length; ) {
          const comma = listItemEnd(text, pos);
          const s = skipTrimmable(text, pos, comma);
          if (s < comma) vias.push(vias.length === 0 && top !== undefined ? top : Via.parseAt(text, s, comma));
          pos = comma + 1;
        }
      }
      this.viasCache = vias;
    }
    return vias;
  }

  get topVia(): Via | undefined {
    let top = this.topViaCache;
    if (top === undefined) {
      const first = this.valueOf('via');
      if (first === undefined) top = null;
      else {
        const end = listItemEnd(first, 0);
        top = Via.parseAt(first, 0, end);
      }
      this.topViaCache = top;
    }
    return top ?? undefined;
  }

  /** Replaces the first Via value, splitting a combined `Via: a, b` line if needed. */
  setTopVia(via: Via): this {
    const i = this.keys.indexOf('via');
    if (i < 0) return this.prependHeader('Via', via.toString());
    const parts = splitOutside(this.fields[i]!.value, 44);
    parts[0] = via.toString();
    this.fields[i] = { name: this.fields[i]!.name, value: parts.join(', ') };
    this.dropCache();
    return this;
  }

  removeTopVia(): this {
    const i = this.keys.indexOf('via');
    if (i < 0) return this;
    const parts = splitOutside(this.fields[i]!.value, 44);
    parts.shift();
    if (parts.length === 0) {
      this.fields.splice(i, 1);
      this.keys.splice(i, 1);
    } else {
      this.fields[i] = { name: this.fields[i]!.name, value: parts.join(', ') };
    }
    this.dropCache();
    return this;
  }

  get from(): NameAddr {
    if (this.fromCache === undefined) {
      const text = this.required('from', 'From');
      this.fromCache = NameAddr.parseLazy(text, 0, text.length);
    }
    return this.fromCache;
  }

  get to(): NameAddr {
    if (this.toCache === undefined) {
      const text = this.required('to', 'To');
      this.toCache = NameAddr.parseLazy(text, 0, text.length);
    }
    return this.toCache;
  }

  get callId(): string {
    return this.required('call-id', 'Call-ID');
  }

  get cseq(): CSeq {
    return (this.cseqCache ??= parseCSeq(this.required('cseq', 'CSeq')));
  }

  get contacts(): NameAddr[] {
    return (this.contactsCache ??= this.isWildcardContact ? [] : this.addressList('contact'));
  }

  get isWildcardContact(): boolean {
    // True only for a lone `*` across all Contact values (RFC 3261 §10.2.2).
    let count = 0;
    let star = false;
    for (let i = 0; i < this.keys.length; i++) {
      if (this.keys[i] !== 'contact') continue;
      const text = this.fields[i]!.value;
      for (let pos = 0; pos <= text.length; ) {
        const comma = listItemEnd(text, pos);
        const s = skipTrimmable(text, pos, comma);
        if (s < comma) {
          count++;
          star = backTrimmable(text, s, comma) === s + 1 && text.charCodeAt(s) === 42;
        }
        pos = comma + 1;
      }
    }
    return count === 1 && star;
  }

  get maxForwards(): number | undefined {
    return this.integer('max-forwards', 'Max-Forwards');
  }

  get contentLength(): number | undefined {
    return this.integer('content-length', 'Content-Length');
  }

  get contentType(): string | undefined {
    return this.getHeader('content-type');
  }

  get expires(): number | undefined {
    return this.integer('expires', 'Expires');
  }

  get minExpires(): number | undefined {
    return this.integer('min-expires', 'Min-Expires');
  }

  get routes(): NameAddr[] {
    return (this.routesCache ??= this.addressList('route'));
  }

  get recordRoutes(): NameAddr[] {
    return (this.recordRoutesCache ??= this.addressList('record-route'));
  }

  get supported(): string[] {
    return this.getHeaderValues('supported').map((v) => v.toLowerCase());
  }

  get require(): string[] {
    return this.getHeaderValues('require').map((v) => v.toLowerCase());
  }

  get allow(): string[] {
    return this.getHeaderValues('allow').map((v) => v.toUpperCase());
  }

  get userAgent(): string | undefined {
    return this.getHeader('user-agent');
  }

  get server(): string | undefined {
    return this.getHeader('server');
  }

  /** The message as wire bytes; Content-Length always states the body's byte length. */
  serialize(): Buffer {
    const body = this.body;
    let head = this.startLine() + '\r\n';
    let wroteLength = false;
    for (let i = 0; i < this.fields.length; i++) {
      const f = this.fields[i]!;
      if (this.keys[i] === 'content-length') {
        if (wroteLength) continue;
        wroteLength = true;
        head += f.name + ': ' + body.length + '\r\n';
      } else {
        head += f.name + ': ' + f.value + '\r\n';
      }
    }
    if (!wroteLength) head += 'Content-Length: ' + body.length + '\r\n';
    head += '\r\n';
    return encodeWire(head, body);
  }

  toString(): string {
    return this.serialize().toString('utf8');
  }

  protected copyFields(): { fields: HeaderField[]; keys: string[] } {
    return { fields: this.fields.map((f) => ({ name: f.name, value: f.value })), keys: [...this.keys] };
  }

  /**
   * Index of the first field with this header name. Keys are headerKey's output and
   * headerKey maps a key to itself, so a name found among the keys as given (the
   * lower-case long names callers mostly pass) needs no normalizing.
   */
  private indexOfName(name: string): number {
    const i = this.keys.indexOf(name);
    if (i >= 0) return i;
    const key = headerKey(name);
    return key === name ? -1 : this.keys.indexOf(key);
  }

  /** The first value of the header with this key (already lower-case and long-form). */
  private valueOf(key: string): string | undefined {
    const i = this.keys.indexOf(key);
    return i < 0 ? undefined : this.fields[i]!.value;
  }

  private required(key: string, display: string): string {
    const v = this.valueOf(key);
    if (v === undefined || v.length === 0) throw new SipParseError(`missing ${display} header`);
    return v;
  }

  private integer(key: string, display: string): number | undefined {
    const v = this.valueOf(key);
    if (v === undefined) return undefined;
    const t = v.trim();
    const n = parseDigits(t);
    if (n === undefined) throw new SipParseError(`bad ${display} "${t}"`);
    return n;
  }

  /** Every name-addr of every field with this key, in order, parsed in place with their URIs left for later. */
  private addressList(key: string): NameAddr[] {
    const out: NameAddr[] = [];
    for (let i = 0; i < this.keys.length; i++) {
      if (this.keys[i] !== key) continue;
      const text = this.fields[i]!.value;
      for (let pos = 0; pos <= text.length; ) {
        const comma = listItemEnd(text, pos);
        const s = skipTrimmable(text, pos, comma);
        if (s < comma) out.push(NameAddr.parseLazy(text, s, comma));
        pos = comma + 1;
      }
    }
    return out;
  }

  private dropCache(): void {
    this.viasCache = undefined;
    this.topViaCache = undefined;
    this.fromCache = undefined;
    this.toCache = undefined;
    this.cseqCache = undefined;
    this.contactsCache = undefined;
    this.routesCache = undefined;
    this.recordRoutesCache = undefined;
  }
}

/** Normalizes header input given as tuples or fields. */
export function toFields(headers: Array<[string, string]> | HeaderField[] | undefined): HeaderField[] {
  if (!headers) return [];
  return headers.map((h) => (Array.isArray(h) ? { name: h[0], value: h[1] } : { name: h.name, value: h.value }));
}

/** Normalizes a body given as a string or bytes. */
export function toBody(body: Buffer | string | undefined): Buffer {
  if (body === undefined) return Buffer.alloc(0);
  return typeof body === 'string' ? Buffer.from(body, 'utf8') : body;
}
