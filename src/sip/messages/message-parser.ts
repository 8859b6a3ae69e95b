import { parseCSeq } from './cseq.js';
import { backTrimmable, isToken, isTokenAt, isTrimmable, parseDigits, skipTrimmable } from './grammar.js';
import type { HeaderField } from './header-field.js';
import { headerKey, knownHeaderAt } from './header-names.js';
import { NameAddr } from './name-addr.js';
import { SipParseError } from './sip-parse-error.js';
import { SipRequest } from './sip-request.js';
import { SipResponse } from './sip-response.js';
import { parseUri, type Uri } from './uri.js';
import { Via } from './via.js';

/** Size bounds that keep a hostile peer from making us allocate without limit. */
export interface ParseLimits {
  maxMessageBytes: number;
  maxHeaders: number;
  maxLineLength: number;
}

export const DEFAULT_PARSE_LIMITS: ParseLimits = { maxMessageBytes: 65536, maxHeaders: 256, maxLineLength: 8192 };

/** Either kind of SIP message. */
export type SipMessageAny = SipRequest | SipResponse;

/** Whether a message is a request. */
export function isRequest(m: SipMessageAny): m is SipRequest {
  return m instanceof SipRequest;
}

/**
 * Parses one whole SIP message (a datagram, or what the stream framer cut out).
 * Only the start line, the header split and the headers every layer needs (top Via,
 * From, To, Call-ID, CSeq, Content-Length) are checked here; the rest is parsed on
 * first access. Throws SipParseError, never anything else.
 */
export function parseMessage(data: Buffer, limits?: Partial<ParseLimits>): SipMessageAny {
  try {
    return parseUnchecked(data, limits === undefined ? DEFAULT_PARSE_LIMITS : { ...DEFAULT_PARSE_LIMITS, ...limits });
  } catch (error) {
    if (error instanceof SipParseError) throw error;
    throw new SipParseError('unparseable message', { cause: error });
  }
}

function parseUnchecked(data: Buffer, limits: ParseLimits): SipMessageAny {
  if (data.length > limits.maxMessageBytes) throw new SipParseError(`message larger than ${limits.maxMessageBytes} bytes`, { status: 513 });
  // RFC 3261 §7.5: CRLFs before the start line are ignored.
  let start = 0;
  while (start < data.length && (data[start] === 13 || data[start] === 10)) start++;
  // Decoding the whole datagram at once is cheaper than searching the bytes and then
  // decoding the head. When it decodes to as many characters as it has bytes, every
  // byte became one character, so character offsets are byte offsets. Otherwise (a
  // UTF-8 display name, a binary body) fall back to searching the bytes.
  let text = data.toString('utf8', start);
  let headerEnd: number;
  let bodyStart: number;
  if (text.length === data.length - start) {
    headerEnd = text.indexOf('\r\n\r\n');
    if (headerEnd >= 0) bodyStart = start + headerEnd + 4;
    else {
      // Tolerate bare-LF line ends from sloppy peers.
      headerEnd = text.indexOf('\n\n');
      if (headerEnd < 0) throw new SipParseError('no empty line after the headers');
      bodyStart = start + headerEnd + 2;
    }
  } else {
    let end = data.indexOf('\r\n\r\n', start, 'latin1');
    if (end >= 0) bodyStart = end + 4;
    else {
      end = data.indexOf('\n\n', start, 'latin1');
      if (end < 0) throw new SipParseError('no empty line after the headers');
      bodyStart = end + 2;
    }
    text = data.toString('utf8', start, end);
    headerEnd = text.length;
  }
  const fields: HeaderField[] = [];
  const keys: string[] = [];
  const startLine = splitHeaders(text, headerEnd, limits, fields, keys);
  if (fields.length > limits.maxHeaders) throw new SipParseError(`more than ${limits.maxHeaders} header fields`);

  const message = parseStartLine(startLine, fields, keys);
  message.body = extractBody(data, bodyStart, message);
  validateMandatory(message);
  return message;
}

/**
 * Cuts the header block `text[0, headEnd)` into the start line (returned) and header
 * fields (appended to `fields`/`keys`), unfolding continuation lines (RFC 3261
 * §7.3.1). A line is only looked at once it is known not to continue on the next one.
 */
function splitHeaders(text: string, headEnd: number, limits: ParseLimits, fields: HeaderField[], keys: string[]): string {
  let nl = text.indexOf('\n');
  if (nl < 0 || nl > headEnd) nl = headEnd;
  let lineEnd = nl > 0 && text.charCodeAt(nl - 1) === 13 ? nl - 1 : nl;
  if (lineEnd > limits.maxLineLength) throw new SipParseError(`header line longer than ${limits.maxLineLength} characters`);
  if (lineEnd === 0) throw new SipParseError('empty line inside the headers');
  const c0 = text.charCodeAt(0);
  if (c0 === 32 || c0 === 9) throw new SipParseError('white space before the start line');
  const startLine = text.slice(0, lineEnd);
  let lines = 1;
  let pos = nl + 1;
  while (pos <= headEnd) {
    const lineStart = pos;
    nl = text.indexOf('\n', pos);
    if (nl < 0 || nl > headEnd) nl = headEnd;
    lineEnd = nl > lineStart && text.charCodeAt(nl - 1) === 13 ? nl - 1 : nl;
    pos = nl + 1;
    if (lineEnd - lineStart > limits.maxLineLength) throw new SipParseError(`header line longer than ${limits.maxLineLength} characters`);
    if (lineEnd === lineStart) throw new SipParseError('empty line inside the headers');
    const c = text.charCodeAt(lineStart);
    if (c === 32 || c === 9) throw new SipParseError('continuation line without a header');
    if (++lines > limits.maxHeaders + 1) throw new SipParseError(`more than ${limits.maxHeaders} header fields`);
    const next = pos <= headEnd ? text.charCodeAt(pos) : 0;
    if (next === 32 || next === 9) {
      // Folded: gather the continuation lines, then split the unfolded line.
      let folded = text.slice(lineStart, lineEnd);
      while (pos <= headEnd && (text.charCodeAt(pos) === 32 || text.charCodeAt(pos) === 9)) {
        const contStart = pos;
        nl = text.indexOf('\n', pos);
        if (nl < 0 || nl > headEnd) nl = headEnd;
        const contEnd = nl > contStart && text.charCodeAt(nl - 1) === 13 ? nl - 1 : nl;
        pos = nl + 1;
        if (contEnd - contStart > limits.maxLineLength) throw new SipParseError(`header line longer than ${limits.maxLineLength} characters`);
        folded += ' ' + text.slice(contStart, contEnd).trim();
        if (folded.length > limits.maxLineLength) throw new SipParseError('folded header too long');
      }
      addField(folded, 0, folded.length, fields, keys);
    } else addField(text, lineStart, lineEnd, fields, keys);
  }
  return startLine;
}

/** Adds the header line `text[start, end)` as a field: name as written, value trimmed. */
function addField(text: string, start: number, end: number, fields: HeaderField[], keys: string[]): void {
  const colon = text.indexOf(':', start);
  if (colon <= start || colon >= end) throw new SipParseError(`malformed header line "${clip(text.slice(start, end))}"`);
  let nameEnd = colon;
  if (isTrimmable(text.charCodeAt(nameEnd - 1))) nameEnd = backTrimmable(text, start, nameEnd);
  let vs = colon + 1;
  if (vs < end && isTrimmable(text.charCodeAt(vs))) {
    // Usually exactly one space after the colon.
    vs = vs + 1 < end && text.charCodeAt(vs) === 32 && !isTrimmable(text.charCodeAt(vs + 1)) ? vs + 1 : skipTrimmable(text, vs, end);
  }
  let ve = end;
  if (ve > vs && isTrimmable(text.charCodeAt(ve - 1))) ve = backTrimmable(text, vs, ve);
  const value = text.slice(vs, ve);
  // A known spelling is a valid token by construction and brings its key along.
  const known = knownHeaderAt(text, start, nameEnd);
  if (known !== undefined) {
    fields.push({ name: known[0], value });
    keys.push(known[1]);
    return;
  }
  const name = text.slice(start, nameEnd);
  if (!isTokenAt(text, start, nameEnd)) throw new SipParseError(`bad header name "${clip(name)}"`);
  fields.push({ name, value });
  keys.push(headerKey(name));
}

function parseStartLine(line: string, fields: HeaderField[], keys: string[]): SipMessageAny {
  if (line.startsWith('SIP/')) {
    // Status-Line = SIP-Version SP Status-Code SP Reason-Phrase
    let status: number;
    let reason: string;
    if (isPlainStatusLine(line)) {
      status = (line.charCodeAt(8) - 48) * 100 + (line.charCodeAt(9) - 48) * 10 + (line.charCodeAt(10) - 48);
      reason = line.length > 11 ? line.slice(12) : '';
    } else {
      const m = /^SIP\/(\d+\.\d+) (\d{3})(?: (.*))?$/.exec(line);
      if (!m) throw new SipParseError(`bad status line "${clip(line)}"`);
      if (m[1] !== '2.0') throw new SipParseError(`unsupported SIP version ${m[1]}`);
      status = Number(m[2]);
      reason = m[3] ?? '';
    }
    if (status < 100 || status > 699) throw new SipParseError(`bad status code ${status}`);
    return new SipResponse(status, reason, fields, NO_BODY, keys);
  }
  // Request-Line = Method SP Request-URI SP SIP-Version
  const sp1 = line.indexOf(' ');
  const sp2 = line.lastIndexOf(' ');
  if (sp1 <= 0 || sp2 === sp1) throw new SipParseError(`bad request line "${clip(line)}"`);
  const method = line.slice(0, sp1);
  const uriText = line.slice(sp1 + 1, sp2);
  if (!isToken(method)) throw new SipParseError(`bad method "${clip(method)}"`);
  if (uriText.length === 0 || uriText.includes(' ') || uriText.includes('\t')) {
    throw new SipParseError('bad Request-URI (white space inside)');
  }
  if (!(line.length - sp2 === 8 && line.endsWith(' SIP/2.0'))) {
    const version = line.slice(sp2 + 1);
    const request = unparsedRequest(method, fields, keys);
    if (!/^SIP\/\d+\.\d+$/.test(version)) throw new SipParseError(`bad SIP version "${clip(version)}"`, answerable(request));
    throw new SipParseError(`unsupported SIP version ${version.slice(4)}`, { ...answerable(request), status: 505 });
  }
  let uri: Uri;
  try {
    uri = parseUri(uriText);
  } catch (error) {
    throw new SipParseError((error as SipParseError).reason ?? 'bad Request-URI', answerable(unparsedRequest(method, fields, keys)));
  }
  return new SipRequest(method, uri, fields, NO_BODY, keys);
}

/** A request whose Request-URI could not be used, built only to go into an error so that the error can be answered. */
function unparsedRequest(method: string, fields: HeaderField[], keys: string[]): SipRequest {
  return new SipRequest(method, parseUri('sip:invalid'), fields, NO_BODY, keys);
}

/**
 * `SIP/2.0 ddd` optionally followed by ` reason` without the characters `.` refuses
 * in the full regular expression: the shape of nearly every status line.
 */
function isPlainStatusLine(line: string): boolean {
  if (line.length < 11 || !line.startsWith('SIP/2.0 ')) return false;
  for (let i = 8; i < 11; i++) {
    const c = line.charCodeAt(i);
    if (c < 48 || c > 57) return false;
  }
  if (line.length === 11) return true;
  if (line.charCodeAt(11) !== 32) return false;
  for (let i = 12; i < line.length; i++) {
    const c = line.charCodeAt(i);
    if (c === 10 || c === 13 || c === 0x2028 || c === 0x2029) return false;
  }
  return true;
}

function extractBody(data: Buffer, bodyStart: number, message: SipMessageAny): Buffer {
  const available = data.length - bodyStart;
  const cl = message.getHeader('content-length');
  if (cl === undefined) return data.subarray(bodyStart);
  const t = cl.trim();
  const length = parseDigits(t);
  if (length === undefined) throw new SipParseError(`bad Content-Length "${clip(t)}"`, answerableMessage(message));
  // RFC 3261 §18.3: on datagrams, bytes beyond Content-Length are discarded; a shorter body is an error.
  if (length > available) throw new SipParseError('Content-Length larger than the body', answerableMessage(message));
  return length === 0 ? Buffer.alloc(0) : data.subarray(bodyStart, bodyStart + length);
}

function validateMandatory(message: SipMessageAny): void {
  for (const [key, display] of MANDATORY) {
    const v = message.getHeader(key);
    if (v === undefined || v.length === 0) throw new SipParseError(`missing ${display} header`, answerableMessage(message));
  }
  try {
    // What every layer reads of these is checked here, so that it cannot fail later:
    // the top Via with its parameters (branch), From and To with theirs (tags, read
    // by every layer, so cut out now). The From/To URIs are left for their first
    // reader (NameAddr.parseLazy).
    message.topVia!.params.check();
    void message.from.tag;
    void message.to.tag;
    const cseq = message.cseq;
    if (message instanceof SipRequest && cseq.method !== message.method) {
      throw new SipParseError(`CSeq method ${cseq.method} does not match ${message.method}`);
    }
    const mf = message.getHeader('max-forwards');
    if (mf !== undefined && parseDigits(mf.trim()) === undefined) throw new SipParseError(`bad Max-Forwards "${clip(mf)}"`);
  } catch (error) {
    if (error instanceof SipParseError) throw new SipParseError(error.reason, answerableMessage(message));
    throw error;
  }
}

/** Stands in until extractBody has run. */
const NO_BODY = Buffer.alloc(0);

const MANDATORY = [['via', 'Via'], ['from', 'From'], ['to', 'To'], ['call-id', 'Call-ID'], ['cseq', 'CSeq']] as const;

/** A request can be answered when its top Via parses and the headers a response copies are there. */
function answerableMessage(message: SipMessageAny): { request?: SipRequest } {
  return message instanceof SipRequest ? answerable(message) : {};
}

function answerable(request: SipRequest): { request?: SipRequest } {
  for (const key of ['via', 'from', 'to', 'call-id', 'cseq']) if (!request.getHeader(key)) return {};
  try {
    Via.parse(request.getHeader('via')!.split(',')[0]!);
    NameAddr.parse(request.getHeader('from')!);
    NameAddr.parse(request.getHeader('to')!);
    parseCSeq(request.getHeader('cseq')!);
  } catch {
    return {};
  }
  return { request };
}

function clip(s: string): string {
  return s.length > 60 ? s.slice(0, 57) + '...' : s;
}
