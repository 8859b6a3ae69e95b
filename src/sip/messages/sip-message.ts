import { parseCSeq, type CSeq } from './cseq.js';
import { splitOutside } from './grammar.js';
import type { HeaderField } from './header-field.js';
import { headerKey } from './header-names.js';
import { NameAddr } from './name-addr.js';
import { SipParseError } from './sip-parse-error.js';
import { Via } from './via.js';

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
  private cache: Map<string, unknown> | undefined;

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
    const i = this.keys.indexOf(headerKey(name));
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
    return this.keys.indexOf(headerKey(name)) >= 0;
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
    this.cache = undefined;
    return this;
  }

  appendHeader(name: string, value: string): this {
    this.fields.push({ name, value });
    this.keys.push(headerKey(name));
    this.cache = undefined;
    return this;
  }

  prependHeader(name: string, value: string): this {
    this.fields.unshift({ name, value });
    this.keys.unshift(headerKey(name));
    this.cache = undefined;
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
    if (n > 0) this.cache = undefined;
    return n;
  }

  get vias(): Via[] {
    return this.cached('via', () => this.getHeaderValues('via').map((v) => Via.parse(v)));
  }

  get topVia(): Via | undefined {
    return this.cached('topvia', () => {
      const first = this.getHeader('via');
      if (first === undefined) return undefined;
      const comma = splitOutside(first, 44)[0] ?? '';
      return Via.parse(comma);
    });
  }

  /** Replaces the first Via value, splitting a combined `Via: a, b` line if needed. */
  setTopVia(via: Via): this {
    const i = this.keys.indexOf('via');
    if (i < 0) return this.prependHeader('Via', via.toString());
    const parts = splitOutside(this.fields[i]!.value, 44);
    parts[0] = via.toString();
    this.fields[i] = { name: this.fields[i]!.name, value: parts.join(', ') };
    this.cache = undefined;
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
    this.cache = undefined;
    return this;
  }

  get from(): NameAddr {
    return this.cached('from', () => NameAddr.parse(this.required('from', 'From')));
  }

  get to(): NameAddr {
    return this.cached('to', () => NameAddr.parse(this.required('to', 'To')));
  }

  get callId(): string {
    return this.required('call-id', 'Call-ID');
  }

  get cseq(): CSeq {
    return this.cached('cseq', () => parseCSeq(this.required('cseq', 'CSeq')));
  }

  get contacts(): NameAddr[] {
    return this.cached('contact', () => {
      if (this.isWildcardContact) return [];
      return this.getHeaderValues('contact').map((v) => NameAddr.parse(v));
    });
  }

  get isWildcardContact(): boolean {
    const values = this.getHeaderValues('contact');
    return values.length === 1 && values[0] === '*';
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
    return this.cached('route', () => this.getHeaderValues('route').map((v) => NameAddr.parse(v)));
  }

  get recordRoutes(): NameAddr[] {
    return this.cached('record-route', () => this.getHeaderValues('record-route').map((v) => NameAddr.parse(v)));
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
    let head = this.startLine() + '\r\n';
    let wroteLength = false;
    for (let i = 0; i < this.fields.length; i++) {
      const f = this.fields[i]!;
      if (this.keys[i] === 'content-length') {
        if (wroteLength) continue;
        wroteLength = true;
        head += `${f.name}: ${this.body.length}\r\n`;
      } else {
        head += `${f.name}: ${f.value}\r\n`;
      }
    }
    if (!wroteLength) head += `Content-Length: ${this.body.length}\r\n`;
    head += '\r\n';
    if (this.body.length === 0) return Buffer.from(head, 'utf8');
    return Buffer.concat([Buffer.from(head, 'utf8'), this.body]);
  }

  toString(): string {
    return this.serialize().toString('utf8');
  }

  protected copyFields(): { fields: HeaderField[]; keys: string[] } {
    return { fields: this.fields.map((f) => ({ name: f.name, value: f.value })), keys: [...this.keys] };
  }

  private required(key: string, display: string): string {
    const v = this.getHeader(key);
    if (v === undefined || v.length === 0) throw new SipParseError(`missing ${display} header`);
    return v;
  }

  private integer(key: string, display: string): number | undefined {
    const v = this.getHeader(key);
    if (v === undefined) return undefined;
    const t = v.trim();
    if (!/^[0-9]{1,10}$/.test(t)) throw new SipParseError(`bad ${display} "${t}"`);
    return Number(t);
  }

  private cached<T>(key: string, compute: () => T): T {
    if (this.cache === undefined) this.cache = new Map();
    if (this.cache.has(key)) return this.cache.get(key) as T;
    const v = compute();
    this.cache.set(key, v);
    return v;
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
