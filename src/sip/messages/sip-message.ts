import { parseCSeq, type CSeq } from './cseq.js';
import { backTrimmable, listItemEnd, parseDigits, skipTrimmable, splitOutside } from './grammar.js';
import type { HeaderField } from './header-field.js';
import { headerKey, SLOT_CALL_ID, SLOT_CONTACT, SLOT_CONTENT_LENGTH, SLOT_CSEQ, SLOT_FROM, SLOT_MAX_FORWARDS, SLOT_TO, SLOT_VIA } from './header-names.js';
import { cseqAt, nameAddrAt, scanEnd, viaAt } from './header-byte-scanner.js';
import { HeaderTable } from './header-table.js';
import { NameAddr } from './name-addr.js';
import { SipParseError } from './sip-parse-error.js';
import { Via } from './via.js';
import { abortWire, beginWire, endWire, putBytes, putString } from './wire-encoder.js';

/**
 * What requests and responses share: ordered header fields and a body. Header
 * lookups are case-insensitive and know compact forms. Typed values are parsed on
 * first use and cached, so headers nobody reads cost only their line split.
 *
 * A parsed message keeps the bytes it was parsed from (see HeaderTable): serialize()
 * copies the start line and every header line that has not changed since, and encodes
 * only what did. Every change goes through this class's methods or its public
 * primitive fields (`body`, and the start-line fields of the subclasses), which
 * serialize() compares with what was parsed, so nothing stale can be written.
 */
export abstract class SipMessage {
  /** The body as set, or undefined while it is the parsed source's, not yet asked for. */
  private bodyBytes: Buffer | undefined;
  protected table: HeaderTable;
  /** Bytes of the start line and its CRLF at the start of the source (table.base), when they may be copied; else 0. */
  private sourceStartLine = 0;
  /** The body length the source's Content-Length line states when that line may be copied; else -1. */
  private sourceBodyLength = -1;
  /** Where the parsed body lies in the source, and the view of it once made: while `body` is still that, it is copied with the head. */
  private sourceBodyStart = -1;
  private sourceBodyEnd = -1;
  private sourceBody: Buffer | undefined = undefined;
  // Typed views, parsed on first read; any header mutation drops them all (dropCache).
  private viasCache: Via[] | undefined = undefined;
  private topViaCache: Via | null | undefined = undefined;
  /** Byte offset in the source where the top Via's list item ends, when the byte scanner read it; else -1. */
  private topViaEnd = -1;
  private fromCache: NameAddr | undefined = undefined;
  private toCache: NameAddr | undefined = undefined;
  private cseqCache: CSeq | undefined = undefined;
  private contactsCache: NameAddr[] | undefined = undefined;
  private routesCache: NameAddr[] | undefined = undefined;
  private recordRoutesCache: NameAddr[] | undefined = undefined;

  protected constructor(table: HeaderTable, body: Buffer) {
    this.table = table;
    this.bodyBytes = body;
  }

  /** The body bytes (Content-Length is derived from them on serialization). A parsed message's body is a view of its source, made when first read. */
  get body(): Buffer {
    let body = this.bodyBytes;
    if (body === undefined) {
      body = this.table.source!.subarray(this.sourceBodyStart, this.sourceBodyEnd);
      this.bodyBytes = this.sourceBody = body;
    }
    return body;
  }

  set body(body: Buffer) {
    this.bodyBytes = body;
  }

  /** The header fields in wire order, frozen: change them through the methods below. */
  get headers(): ReadonlyArray<Readonly<HeaderField>> {
    return this.table.fields();
  }

  /** The start line without CRLF. */
  abstract startLine(): string;

  /** Whether the start-line fields still hold what was parsed (only asked when the source line may be copied). */
  protected abstract startLineUnchanged(): boolean;

  /**
   * For the parser: the first `bytes` bytes of the source (from table.base) are the
   * start line with its CRLF and may be copied while it is unchanged.
   * @internal
   */
  adoptSourceStartLine(bytes: number): void {
    this.sourceStartLine = this.table.base < 0 ? 0 : bytes;
  }

  /**
   * For the parser: the body is the source's bytes [bodyStart, bodyEnd); the source's
   * Content-Length line states that length and may be copied while the body has it,
   * unless `lengthLine` is false (no such line, or it must be written anew).
   * @internal
   */
  adoptSourceBody(bodyStart: number, bodyEnd: number, lengthLine: boolean): void {
    this.bodyBytes = undefined;
    this.sourceBodyStart = bodyStart;
    this.sourceBodyEnd = bodyEnd;
    this.sourceBodyLength = lengthLine ? bodyEnd - bodyStart : -1;
  }

  getHeader(name: string): string | undefined {
    const i = this.indexOfName(name);
    return i < 0 ? undefined : this.table.value(i);
  }

  getHeaders(name: string): string[] {
    const key = headerKey(name);
    const t = this.table;
    const out: string[] = [];
    for (let i = t.indexOf(key); i >= 0; i = t.indexOf(key, i + 1)) out.push(t.value(i));
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
    const t = this.table;
    const first = t.indexOf(key);
    if (first < 0) return this.appendHeader(name, value);
    t.replace(first, value);
    for (let i = t.length - 1; i > first; i--) if (t.key(i) === key) t.removeAt(i);
    this.dropCache();
    return this;
  }

  appendHeader(name: string, value: string): this {
    this.table.push(name, value);
    this.dropCache();
    return this;
  }

  prependHeader(name: string, value: string): this {
    this.table.insert(0, name, value);
    this.dropCache();
    return this;
  }

  removeHeader(name: string): number {
    const key = headerKey(name);
    const t = this.table;
    let n = 0;
    for (let i = t.length - 1; i >= 0; i--) {
      if (t.key(i) === key) {
        t.removeAt(i);
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
      const t = this.table;
      const last = t.last(SLOT_VIA);
      for (let i = t.first(SLOT_VIA); i >= 0 && i <= last; i++) {
        if (t.key(i) !== 'via') continue;
        let pos = 0;
        const at = t.sourceValueStart(i);
        if (at >= 0 && (vias.length > 0 || top === undefined || this.topViaEnd >= 0)) {
          // Read from the bytes while the items have the usual shape; the rest (if any) below.
          const b = t.source!;
          const end = t.sourceValueEnd(i);
          let p = at;
          while (p < end) {
            let via: Via | undefined;
            let next: number;
            if (vias.length === 0 && top !== undefined) {
              via = top;
              next = this.topViaEnd;
            } else {
              via = viaAt(b, t.text, t.base, p, end, false);
              next = scanEnd();
            }
            if (via === undefined) break;
            vias.push(via);
            p = nextListItem(b, next, end);
          }
          if (p >= end) continue;
          pos = p - at;
        }
        const text = t.value(i);
        while (pos <= text.length) {
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
      const t = this.table;
      const i = t.first(SLOT_VIA);
      this.topViaEnd = -1;
      if (i < 0) top = null;
      else {
        const at = t.sourceValueStart(i);
        // Its parameters are checked and cut now: the parser checks them anyway, and the branch is read by every layer.
        const quick = at >= 0 ? viaAt(t.source!, t.text, t.base, at, t.sourceValueEnd(i), true) : undefined;
        if (quick !== undefined) {
          top = quick;
          this.topViaEnd = scanEnd();
        } else {
          const first = t.value(i);
          top = Via.parseAt(first, 0, listItemEnd(first, 0));
        }
      }
      this.topViaCache = top;
    }
    return top ?? undefined;
  }

  /** Replaces the first Via value, splitting a combined `Via: a, b` line if needed. */
  setTopVia(via: Via): this {
    const i = this.table.first(SLOT_VIA);
    if (i < 0) return this.prependHeader('Via', via.toString());
    const parts = splitOutside(this.table.value(i), 44);
    parts[0] = via.toString();
    this.table.replace(i, parts.join(', '));
    this.dropCache();
    return this;
  }

  removeTopVia(): this {
    const i = this.table.first(SLOT_VIA);
    if (i < 0) return this;
    const parts = splitOutside(this.table.value(i), 44);
    parts.shift();
    if (parts.length === 0) this.table.removeAt(i);
    else this.table.replace(i, parts.join(', '));
    this.dropCache();
    return this;
  }

  get from(): NameAddr {
    return (this.fromCache ??= this.address('from', 'From', SLOT_FROM));
  }

  get to(): NameAddr {
    return (this.toCache ??= this.address('to', 'To', SLOT_TO));
  }

  get callId(): string {
    return this.required('call-id', 'Call-ID', SLOT_CALL_ID);
  }

  get cseq(): CSeq {
    let cseq = this.cseqCache;
    if (cseq === undefined) {
      const t = this.table;
      const i = t.first(SLOT_CSEQ);
      const at = i < 0 ? -1 : t.sourceValueStart(i);
      cseq = (at >= 0 ? cseqAt(t.source!, t.text, t.base, at, t.sourceValueEnd(i)) : undefined) ?? parseCSeq(this.required('cseq', 'CSeq', SLOT_CSEQ));
      this.cseqCache = cseq;
    }
    return cseq;
  }

  get contacts(): NameAddr[] {
    return (this.contactsCache ??= this.isWildcardContact ? [] : this.addressList('contact', SLOT_CONTACT));
  }

  get isWildcardContact(): boolean {
    // True only for a lone `*` across all Contact values (RFC 3261 §10.2.2).
    let count = 0;
    let star = false;
    const t = this.table;
    const last = t.last(SLOT_CONTACT);
    for (let i = t.first(SLOT_CONTACT); i >= 0 && i <= last; i++) {
      if (t.key(i) !== 'contact') continue;
      // A value that starts with '<' or '"' holds an item other than '*': not a wildcard.
      const at = t.sourceValueStart(i);
      if (at >= 0 && (t.source![at] === 60 || t.source![at] === 34)) return false;
      const text = t.value(i);
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
    return this.integer('max-forwards', 'Max-Forwards', SLOT_MAX_FORWARDS);
  }

  get contentLength(): number | undefined {
    return this.integer('content-length', 'Content-Length', SLOT_CONTENT_LENGTH);
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

  /**
   * The message as wire bytes; Content-Length always states the body's byte length.
   * Unchanged parts of a parsed message are copied from its source, the rest encoded;
   * the bytes are the same as those of a message built afresh from the same fields.
   */
  serialize(): Buffer {
    const t = this.table;
    // The body still as parsed: its bytes are copied from the source, maybe with the head.
    const sourceBody = this.bodyBytes === undefined || (this.bodyBytes === this.sourceBody && this.sourceBody !== undefined);
    const body = this.bodyBytes;
    const bodyLength = sourceBody ? this.sourceBodyEnd - this.sourceBodyStart : body!.length;
    const n = t.length;
    // Content-Length is written for the first such field only, with the body's length; its
    // source line is copied only while it states that length.
    const lengthLineOk = bodyLength === this.sourceBodyLength;
    const copyStart = this.sourceStartLine > 0 && this.startLineUnchanged();
    const src = t.source;
    if (copyStart && sourceBody && lengthLineOk && t.copiesWhole) {
      // Nothing changed since the parse: unless Content-Length was written twice or the
      // empty line is not CRLF (cases the general path below handles), the message is
      // its source bytes from the start line to the body's end, in one copy.
      const lengthAt = t.first(SLOT_CONTENT_LENGTH);
      const headEnd = t.lineEnd(n - 1);
      if (lengthAt >= 0 && lengthAt === t.last(SLOT_CONTENT_LENGTH) && headEnd + 2 === this.sourceBodyStart && src![headEnd] === 13 && src![headEnd + 1] === 10) {
        beginWire(this.sourceBodyEnd - t.base);
        putBytes(src!, t.base, this.sourceBodyEnd);
        return endWire();
      }
    }
    const startLine = copyStart ? '' : this.startLine() + '\r\n';

    // First pass: an upper bound of the size (3 UTF-8 bytes per UTF-16 unit of text).
    let room = (copyStart ? this.sourceStartLine : 3 * startLine.length) + 2 + bodyLength;
    // Content-Length fields lie within [lengthAt, lastLength]; only the first is written.
    const lengthAt = t.first(SLOT_CONTENT_LENGTH);
    const lastLength = t.last(SLOT_CONTENT_LENGTH);
    for (let i = 0; i < n; i++) {
      const ls = t.lineStart(i);
      if (i >= lengthAt && i <= lastLength && lengthAt >= 0 && (i === lengthAt || t.key(i) === 'content-length')) {
        if (i === lengthAt) room += ls >= 0 && lengthLineOk ? t.lineEnd(i) - ls : 3 * t.name(i).length + 14;
      } else room += ls >= 0 ? t.lineEnd(i) - ls : 3 * (t.name(i).length + t.value(i).length + 4);
    }
    if (lengthAt < 0) room += 28;

    // Second pass: runs of adjacent copyable lines become one copy; text between them one write.
    let runStart = copyStart ? t.base : -1;
    let runEnd = copyStart ? t.base + this.sourceStartLine : -1;
    let text = startLine;
    beginWire(room);
    try {
      for (let i = 0; i < n; i++) {
        let ls = t.lineStart(i);
        let line: string | undefined;
        if (i >= lengthAt && i <= lastLength && lengthAt >= 0 && (i === lengthAt || t.key(i) === 'content-length')) {
          if (i !== lengthAt) continue;
          if (ls < 0 || !lengthLineOk) {
            ls = -1;
            line = t.name(i) + ': ' + bodyLength + '\r\n';
          }
        } else if (ls < 0) line = t.name(i) + ': ' + t.value(i) + '\r\n';
        if (ls >= 0) {
          if (text.length > 0) {
            putString(text);
            text = '';
          }
          if (ls !== runEnd) {
            if (runStart >= 0) putBytes(src!, runStart, runEnd);
            runStart = ls;
          }
          runEnd = t.lineEnd(i);
        } else {
          if (runStart >= 0) {
            putBytes(src!, runStart, runEnd);
            runStart = runEnd = -1;
          }
          text += line;
        }
      }
      if (lengthAt < 0) text += 'Content-Length: ' + bodyLength + '\r\n';
      if (text.length === 0 && runStart >= 0 && src![runEnd] === 13 && src![runEnd + 1] === 10) {
        // The last header line was copied and the source's empty line follows it; often the body follows that.
        runEnd += 2;
        const bodyFollows = sourceBody && runEnd === this.sourceBodyStart;
        putBytes(src!, runStart, bodyFollows ? runEnd + bodyLength : runEnd);
        if (!bodyFollows) this.putBody(sourceBody, body);
      } else {
        if (runStart >= 0) putBytes(src!, runStart, runEnd);
        putString(text + '\r\n');
        this.putBody(sourceBody, body);
      }
    } catch (error) {
      abortWire();
      throw error;
    }
    return endWire();
  }

  private putBody(fromSource: boolean, body: Buffer | undefined): void {
    if (fromSource) {
      if (this.sourceBodyEnd > this.sourceBodyStart) putBytes(this.table.source!, this.sourceBodyStart, this.sourceBodyEnd);
    } else if (body!.length > 0) putBytes(body!, 0, body!.length);
  }

  toString(): string {
    return this.serialize().toString('utf8');
  }

  /** For clone(): the copy shares the source bytes and copies what may be copied from them. */
  protected copySourceLayoutTo(copy: SipMessage): void {
    copy.sourceStartLine = this.sourceStartLine;
    copy.sourceBodyLength = this.sourceBodyLength;
    // The copy's body is its own buffer, so it is never copied together with the head.
  }

  /**
   * Index of the first field with this header name. Keys are headerKey's output and
   * headerKey maps a key to itself, so a name found among the keys as given (the
   * lower-case long names callers mostly pass) needs no normalizing.
   */
  private indexOfName(name: string): number {
    const i = this.table.indexOf(name);
    if (i >= 0) return i;
    const key = headerKey(name);
    return key === name ? -1 : this.table.indexOf(key);
  }

  /** The first value of the header with this key (already lower-case and long-form) and HOT_KEYS slot, if any. */
  private valueOf(key: string, slot = -1): string | undefined {
    const i = slot >= 0 ? this.table.first(slot) : this.table.indexOf(key);
    return i < 0 ? undefined : this.table.value(i);
  }

  private required(key: string, display: string, slot = -1): string {
    const v = this.valueOf(key, slot);
    if (v === undefined || v.length === 0) throw new SipParseError(`missing ${display} header`);
    return v;
  }

  private integer(key: string, display: string, slot = -1): number | undefined {
    const v = this.valueOf(key, slot);
    if (v === undefined) return undefined;
    const t = v.trim();
    const n = parseDigits(t);
    if (n === undefined) throw new SipParseError(`bad ${display} "${t}"`);
    return n;
  }

  /** From or To: the byte scanner's reading (parameters checked, for the tag) or the string parser's. */
  private address(key: string, display: string, slot: number): NameAddr {
    const t = this.table;
    const i = t.first(slot);
    const at = i < 0 ? -1 : t.sourceValueStart(i);
    const quick = at >= 0 ? nameAddrAt(t.source!, t.text, t.base, at, t.sourceValueEnd(i), false) : undefined;
    if (quick !== undefined) return quick;
    const text = this.required(key, display, slot);
    return NameAddr.parseLazy(text, 0, text.length);
  }

  /** Every name-addr of every field with this key, in order, parsed in place with their URIs left for later. */
  private addressList(key: string, slot = -1): NameAddr[] {
    const out: NameAddr[] = [];
    const t = this.table;
    const last = slot >= 0 ? t.last(slot) : t.length - 1;
    for (let i = slot >= 0 ? t.first(slot) : t.indexOf(key); i >= 0 && i <= last; i++) {
      if (t.key(i) !== key) continue;
      let pos = 0;
      const at = t.sourceValueStart(i);
      if (at >= 0) {
        // Read from the bytes while the items have the usual shape; the rest (if any) below.
        const b = t.source!;
        const end = t.sourceValueEnd(i);
        let p = at;
        while (p < end) {
          const a = nameAddrAt(b, t.text, t.base, p, end, true);
          if (a === undefined) break;
          out.push(a);
          p = nextListItem(b, scanEnd(), end);
        }
        if (p >= end) continue;
        pos = p - at;
      }
      const text = t.value(i);
      while (pos <= text.length) {
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
    this.topViaEnd = -1;
    this.fromCache = undefined;
    this.toCache = undefined;
    this.cseqCache = undefined;
    this.contactsCache = undefined;
    this.routesCache = undefined;
    this.recordRoutesCache = undefined;
  }
}

/** A header table from header input given as tuples or fields. */
export function toTable(headers: Array<[string, string]> | HeaderField[] | undefined): HeaderTable {
  const t = new HeaderTable();
  if (headers) for (const h of headers) Array.isArray(h) ? t.push(h[0], h[1]) : t.push(h.name, h.value);
  return t;
}

/** Normalizes a body given as a string or bytes. */
export function toBody(body: Buffer | string | undefined): Buffer {
  if (body === undefined) return Buffer.alloc(0);
  return typeof body === 'string' ? Buffer.from(body, 'utf8') : body;
}

/**
 * Where the next item of a comma list in `b` starts, given where the last one stopped
 * (`stop`: the ',' or `end`): past the ',' and the white space after it. A ',' followed
 * by nothing but white space gives back `stop`, so that the string parser sees (and
 * judges) the empty item.
 */
function nextListItem(b: Uint8Array, stop: number, end: number): number {
  if (stop >= end) return stop;
  let p = stop + 1;
  while (p < end && (b[p] === 32 || b[p] === 9)) p++;
  return p === end ? stop : p;
}
