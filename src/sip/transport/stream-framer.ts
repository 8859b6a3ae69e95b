import { PortierError } from '../../util/portier-error.js';

/** Why a byte stream could not be cut into SIP messages; the connection must be closed. */
export class StreamFramingError extends PortierError {
  constructor(
    code: 'SIP_ERR_FRAMING' | 'SIP_ERR_MESSAGE_TOO_LARGE',
    message: string,
  ) {
    super(code, message);
  }
}

/** One unit cut from a stream: a whole message, a keep-alive ping or pong, or the error that ended the stream. */
export type FramedItem =
  | { kind: 'message'; data: Buffer }
  | { kind: 'ping' }
  | { kind: 'pong' }
  | { kind: 'error'; error: StreamFramingError };

/** Size caps of the framer. */
export interface StreamFramerLimits {
  /** Header section plus body, in bytes (default 65536). */
  maxMessageBytes: number;
  /** Longest start line before it is taken for garbage (default 8192). */
  maxStartLineBytes: number;
}

const DEFAULT_LIMITS: StreamFramerLimits = { maxMessageBytes: 65536, maxStartLineBytes: 8192 };

const CR = 0x0d;
const LF = 0x0a;
const HEADER_END = Buffer.from('\r\n\r\n');
const INITIAL_CAPACITY = 4096;

/**
 * Cuts a TCP/TLS byte stream into SIP messages by Content-Length (RFC 3261 §18.3,
 * mandatory on streams) and recognises RFC 5626 §4.4.1 keep-alives between messages:
 * CRLFCRLF is a ping, a lone CRLF a pong.
 *
 * Pure and synchronous. Bytes are kept in one growable buffer (doubling, compacted
 * when consumed) and the header-end search resumes where it stopped, so feeding a
 * message one byte at a time stays linear. After an error the framer is poisoned:
 * every later `push` returns nothing, as the connection is being closed.
 *
 * Deviation: a lone CRLF at the end of the received bytes is reported as a pong at
 * once (pongs arrive alone); a ping split between its two CRLFs therefore reads as
 * two pongs. Peers write a ping in one piece.
 */
export class StreamFramer {
  private readonly limits: StreamFramerLimits;
  private buf = Buffer.allocUnsafe(INITIAL_CAPACITY);
  private start = 0;
  private end = 0;
  /** Offset (relative to `start`) where the search for CRLFCRLF resumes. */
  private searchFrom = 0;
  /** Header length and Content-Length of the message in progress, once its header is complete. */
  private pending: { headerBytes: number; bodyBytes: number } | undefined;
  private failed: StreamFramingError | undefined;
  private startLineChecked = false;

  constructor(limits: Partial<StreamFramerLimits> = {}) {
    this.limits = { ...DEFAULT_LIMITS, ...limits };
  }

  /** The error that poisoned the framer, if any. */
  get error(): StreamFramingError | undefined {
    return this.failed;
  }

  /** Bytes received but not yet part of a returned item. */
  get bufferedBytes(): number {
    return this.end - this.start;
  }

  /** Feeds bytes; returns everything that became complete, in stream order. */
  push(chunk: Buffer): FramedItem[] {
    if (this.failed) return [];
    this.append(chunk);
    const out: FramedItem[] = [];
    for (;;) {
      let item: FramedItem | undefined;
      try {
        item = this.next();
      } catch (error) {
        if (!(error instanceof StreamFramingError)) throw error;
        this.failed = error;
        this.buf = Buffer.alloc(0);
        this.start = this.end = 0;
        out.push({ kind: 'error', error });
        return out;
      }
      if (!item) break;
      out.push(item);
    }
    if (this.start === this.end) {
      this.start = this.end = 0;
      this.searchFrom = 0;
    }
    return out;
  }

  private next(): FramedItem | undefined {
    const avail = this.end - this.start;
    if (avail === 0) return undefined;
    if (!this.pending) {
      const first = this.buf[this.start];
      if (first === CR || first === LF) return this.keepAlive(avail);
      const headerBytes = this.findHeaderEnd();
      if (headerBytes === undefined) return undefined;
      const bodyBytes = this.contentLength(headerBytes);
      if (headerBytes + bodyBytes > this.limits.maxMessageBytes) {
        throw new StreamFramingError(
          'SIP_ERR_MESSAGE_TOO_LARGE',
          `message of ${headerBytes + bodyBytes} bytes exceeds the ${this.limits.maxMessageBytes}-byte limit`,
        );
      }
      this.pending = { headerBytes, bodyBytes };
    }
    const total = this.pending.headerBytes + this.pending.bodyBytes;
    if (this.end - this.start < total) return undefined;
    // A buffer of its own and of exact size: a parsed message keeps its source bytes for as long
    // as it lives (HeaderTable), so a view of `buf`, or a slice of Node's shared 8 KiB pool
    // (allocUnsafe), would keep a larger buffer alive with it.
    const data = Buffer.allocUnsafeSlow(total);
    this.buf.copy(data, 0, this.start, this.start + total);
    this.start += total;
    this.pending = undefined;
    this.searchFrom = 0;
    this.startLineChecked = false;
    return { kind: 'message', data };
  }

  /** Between messages only CRLF pairs may appear (RFC 3261 §7.5 leading CRLF; RFC 5626 keep-alives). */
  private keepAlive(avail: number): FramedItem | undefined {
    const b = this.buf;
    const s = this.start;
    if (avail < 2) return undefined;
    if (b[s] !== CR || b[s + 1] !== LF) {
      throw new StreamFramingError('SIP_ERR_FRAMING', 'stray line break between messages');
    }
    if (avail === 2) {
      this.start += 2;
      return { kind: 'pong' };
    }
    if (b[s + 2] !== CR) {
      this.start += 2;
      return { kind: 'pong' };
    }
    if (avail === 3) return undefined;
    if (b[s + 3] !== LF) throw new StreamFramingError('SIP_ERR_FRAMING', 'stray line break between messages');
    this.start += 4;
    return { kind: 'ping' };
  }

  /** Length of the header section including CRLFCRLF, or undefined while incomplete. */
  private findHeaderEnd(): number | undefined {
    const avail = this.end - this.start;
    const window = this.buf.subarray(this.start, this.end);
    const at = window.indexOf(HEADER_END, this.searchFrom);
    if (at < 0) {
      // The terminator may straddle the next chunk: resume three bytes back.
      this.searchFrom = Math.max(0, avail - 3);
      this.checkStartLine(window);
      if (avail > this.limits.maxMessageBytes) {
        throw new StreamFramingError(
          'SIP_ERR_MESSAGE_TOO_LARGE',
          `header section exceeds the ${this.limits.maxMessageBytes}-byte limit`,
        );
      }
      return undefined;
    }
    this.checkStartLine(window);
    return at + HEADER_END.length;
  }

  /** Rejects garbage early: the first line must look like a SIP request or status line. */
  private checkStartLine(window: Buffer): void {
    if (this.startLineChecked) return;
    const eol = window.indexOf(CR);
    if (eol < 0) {
      if (window.length > this.limits.maxStartLineBytes) {
        throw new StreamFramingError('SIP_ERR_FRAMING', 'start line too long');
      }
      return;
    }
    const line = window.toString('latin1', 0, eol);
    // Any SIP version frames (a request for SIP/3.0 is answered 505 by the layer above, RFC 3261 §8.2 / §21.5.7).
    if (!/^SIP\/\d{1,3}\.\d{1,3} \d{3}(?: |$)/.test(line) && !/^[A-Za-z!%'*+\-.`~_0-9]+ \S+ SIP\/\d{1,3}\.\d{1,3}$/.test(line)) {
      throw new StreamFramingError('SIP_ERR_FRAMING', 'not a SIP start line');
    }
    this.startLineChecked = true;
  }

  /** Reads Content-Length (or its compact form `l`) from the header section; mandatory on streams. */
  private contentLength(headerBytes: number): number {
    const text = this.buf.toString('latin1', this.start, this.start + headerBytes);
    let value: number | undefined;
    for (const line of text.split('\r\n')) {
      const colon = line.indexOf(':');
      if (colon <= 0 || line[0] === ' ' || line[0] === '\t') continue;
      const name = line.slice(0, colon).trim().toLowerCase();
      if (name !== 'content-length' && name !== 'l') continue;
      const raw = line.slice(colon + 1).trim();
      if (!/^\d{1,10}$/.test(raw)) throw new StreamFramingError('SIP_ERR_FRAMING', `invalid Content-Length '${raw}'`);
      const n = Number(raw);
      if (value !== undefined && value !== n) {
        throw new StreamFramingError('SIP_ERR_FRAMING', 'conflicting Content-Length headers');
      }
      value = n;
    }
    if (value === undefined) throw new StreamFramingError('SIP_ERR_FRAMING', 'missing Content-Length on a stream');
    return value;
  }

  private append(chunk: Buffer): void {
    if (chunk.length === 0) return;
    const used = this.end - this.start;
    if (this.end + chunk.length > this.buf.length) {
      const needed = used + chunk.length;
      if (needed * 2 <= this.buf.length) {
        // At least half the buffer is free once consumed bytes are dropped, so compaction is amortised.
        this.buf.copy(this.buf, 0, this.start, this.end);
      } else {
        let capacity = Math.max(this.buf.length, INITIAL_CAPACITY);
        while (capacity < needed * 2) capacity *= 2;
        const next = Buffer.allocUnsafe(capacity);
        this.buf.copy(next, 0, this.start, this.end);
        this.buf = next;
      }
      this.start = 0;
      this.end = used;
    }
    chunk.copy(this.buf, this.end);
    this.end += chunk.length;
  }
}
