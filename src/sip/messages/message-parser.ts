import { isAscii } from 'node:buffer';
import { parseCSeq } from './cseq.js';
import { backTrimmable, isToken, isTokenAt, isTokenChar, isTrimmable, parseDigits, skipTrimmable } from './grammar.js';
import { headerKey, hotSlot, knownHeaderAt, knownHeaderAtBytes, knownHeaderAtLine, SLOT_CALL_ID, SLOT_CONTENT_LENGTH, SLOT_CSEQ, SLOT_FROM, SLOT_MAX_FORWARDS, SLOT_TO, SLOT_VIA } from './header-names.js';
import { digitsAt, methodAt, sipUriAt } from './header-byte-scanner.js';
import { HeaderTable } from './header-table.js';
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
  // Decoding the whole datagram at once is cheaper than finding the end of the head in
  // the bytes and then decoding the head. Nearly every datagram is all ASCII: then a
  // latin1 decode (a plain byte copy, cheaper than UTF-8 decoding) gives the same text,
  // character offsets are byte offsets, and no invalid byte can hide in it.
  if (isAscii(data)) {
    const text = (data as LatinSlicing).latin1Slice(start, data.length);
    const table = HeaderTable.forParse(data, text, start);
    const headEnd = splitAsciiHeaders(text, limits, table, data, start);
    return finish(data, text, start + afterEmptyLine(text, headEnd), table);
  }
  // When it decodes to as many characters as it has bytes, every byte became one
  // character, so character offsets are byte offsets. Otherwise (a UTF-8 display name,
  // a binary body) the head is found in the bytes.
  let text = data.toString('utf8', start);
  if (text.length === data.length - start) {
    const table = HeaderTable.forParse(data, text, start);
    const headEnd = splitHeaders(text, limits, table);
    // One character per byte may still hide an invalid UTF-8 byte (decoded as U+FFFD, which
    // re-encodes as three bytes): lines are copied only from an all-ASCII header section.
    const bad = text.indexOf('\ufffd');
    if (bad >= 0 && bad < headEnd) table.neverCopy();
    return finish(data, text, start + afterEmptyLine(text, headEnd), table);
  }
  const bodyStart = bodyStartInBytes(data, start);
  text = data.toString('utf8', start, bodyStart);
  const table = HeaderTable.forParse(data, text, -1);
  splitHeaders(text, limits, table);
  return finish(data, text, bodyStart, table);
}

/**
 * Buffer's latin1 decoder without toString's argument handling. Node has it on every
 * Buffer (toString('latin1') calls it), but its typings do not declare it.
 */
interface LatinSlicing extends Buffer {
  latin1Slice(start: number, end: number): string;
}

/** Builds the message from its split head: start line, body, source layout, mandatory checks. */
function finish(data: Buffer, text: string, bodyStart: number, table: HeaderTable): SipMessageAny {
  let startLineEnd = text.indexOf('\n');
  const crlf = startLineEnd > 0 && text.charCodeAt(startLineEnd - 1) === 13;
  if (crlf) startLineEnd--;
  const sourceBytes = crlf ? startLineEnd + 2 : 0;
  const message =
    (table.base >= 0 ? parseUsualStartLine(data, text, table.base, startLineEnd, table, sourceBytes) : undefined) ??
    parseStartLine(text.slice(0, startLineEnd), table, sourceBytes);
  const bodyEnd = bodyEndOf(data, bodyStart, message, table);
  message.adoptSourceBody(bodyStart, bodyEnd, table.first(SLOT_CONTENT_LENGTH) >= 0);
  validateMandatory(message, table);
  return message;
}

/** Index just past the empty line at `headEnd` (CRLF or a bare LF). */
function afterEmptyLine(text: string, headEnd: number): number {
  return text.charCodeAt(headEnd) === 13 ? headEnd + 2 : headEnd + 1;
}

/** Byte offset of the body: just past the first empty line (CRLF or bare LF) after `start`. */
function bodyStartInBytes(data: Buffer, start: number): number {
  for (let nl = data.indexOf(10, start); nl >= 0; nl = data.indexOf(10, nl + 1)) {
    if (data[nl + 1] === 10) return nl + 2;
    if (data[nl + 1] === 13 && data[nl + 2] === 10) return nl + 3;
  }
  throw new SipParseError('no empty line after the headers');
}

/**
 * Cuts the head of `text` into the start line (left for parseStartLine) and header
 * fields (added to `table`) up to the first empty line, whose index it returns,
 * unfolding continuation lines (RFC 3261 §7.3.1). A line is only looked at once it is
 * known not to continue on the next one. Lines that a fresh encoding would write
 * identically (`Name: value` and CRLF, not folded) are marked to be copied on
 * serialization. `bytes`, when given, holds the same characters one per byte with
 * `text[i]` at `bytes[offset + i]`.
 */
function splitHeaders(text: string, limits: ParseLimits, table: HeaderTable, bytes?: Uint8Array, offset = 0): number {
  const end = text.length;
  let nl = text.indexOf('\n');
  if (nl < 0) throw new SipParseError('no empty line after the headers');
  const startLineEnd = nl > 0 && text.charCodeAt(nl - 1) === 13 ? nl - 1 : nl;
  if (startLineEnd > limits.maxLineLength) throw new SipParseError(`header line longer than ${limits.maxLineLength} characters`);
  if (startLineEnd === 0) throw new SipParseError('empty line inside the headers');
  const c0 = text.charCodeAt(0);
  if (c0 === 32 || c0 === 9) throw new SipParseError('white space before the start line');
  let lines = 1;
  let pos = nl + 1;
  for (;;) {
    const lineStart = pos;
    nl = text.indexOf('\n', pos);
    if (nl < 0) {
      if (end - lineStart > limits.maxLineLength) throw new SipParseError(`header line longer than ${limits.maxLineLength} characters`);
      throw new SipParseError('no empty line after the headers');
    }
    const cr = nl > lineStart && text.charCodeAt(nl - 1) === 13;
    const lineEnd = cr ? nl - 1 : nl;
    if (lineEnd === lineStart) return lineStart;
    pos = nl + 1;
    if (lineEnd - lineStart > limits.maxLineLength) throw new SipParseError(`header line longer than ${limits.maxLineLength} characters`);
    const c = text.charCodeAt(lineStart);
    if (c === 32 || c === 9) throw new SipParseError('continuation line without a header');
    if (++lines > limits.maxHeaders + 1) throw new SipParseError(`more than ${limits.maxHeaders} header fields`);
    const next = text.charCodeAt(pos);
    if (next === 32 || next === 9) pos = addFoldedLines(text, lineStart, lineEnd, pos, limits, table);
    else addField(text, lineStart, lineEnd, table, cr, bytes, offset);
  }
}

/**
 * Adds the header line `text[lineStart, lineEnd)` and its continuation lines from
 * `pos` on, unfolded; returns the index just past the last one.
 */
function addFoldedLines(text: string, lineStart: number, lineEnd: number, pos: number, limits: ParseLimits, table: HeaderTable): number {
  let folded = text.slice(lineStart, lineEnd);
  while (text.charCodeAt(pos) === 32 || text.charCodeAt(pos) === 9) {
    const contStart = pos;
    const nl = text.indexOf('\n', pos);
    if (nl < 0) throw new SipParseError('no empty line after the headers');
    const contEnd = nl > contStart && text.charCodeAt(nl - 1) === 13 ? nl - 1 : nl;
    pos = nl + 1;
    if (contEnd - contStart > limits.maxLineLength) throw new SipParseError(`header line longer than ${limits.maxLineLength} characters`);
    folded += ' ' + text.slice(contStart, contEnd).trim();
    if (folded.length > limits.maxLineLength) throw new SipParseError('folded header too long');
  }
  addFoldedField(folded, table);
  return pos;
}

/**
 * splitHeaders for an all-ASCII datagram, `text[i]` being `bytes[offset + i]`: the same
 * cuts and checks, with the characters read from the bytes (cheaper than charCodeAt)
 * and the usual line (a known name, `: `, a value with nothing to trim) added here;
 * any other line goes through addField.
 */
function splitAsciiHeaders(text: string, limits: ParseLimits, table: HeaderTable, bytes: Uint8Array, offset: number): number {
  const maxLine = limits.maxLineLength;
  const maxLines = limits.maxHeaders + 1;
  const end = text.length;
  let nl = text.indexOf('\n');
  if (nl < 0) throw new SipParseError('no empty line after the headers');
  const startLineEnd = nl > 0 && bytes[offset + nl - 1] === 13 ? nl - 1 : nl;
  if (startLineEnd > maxLine) throw new SipParseError(`header line longer than ${maxLine} characters`);
  if (startLineEnd === 0) throw new SipParseError('empty line inside the headers');
  const c0 = bytes[offset];
  if (c0 === 32 || c0 === 9) throw new SipParseError('white space before the start line');
  let lines = 1;
  let pos = nl + 1;
  for (;;) {
    const lineStart = pos;
    nl = text.indexOf('\n', pos);
    if (nl < 0) {
      if (end - lineStart > maxLine) throw new SipParseError(`header line longer than ${maxLine} characters`);
      throw new SipParseError('no empty line after the headers');
    }
    const cr = nl > lineStart && bytes[offset + nl - 1] === 13;
    const lineEnd = cr ? nl - 1 : nl;
    if (lineEnd === lineStart) return lineStart;
    pos = nl + 1;
    if (lineEnd - lineStart > maxLine) throw new SipParseError(`header line longer than ${maxLine} characters`);
    const c = bytes[offset + lineStart];
    if (c === 32 || c === 9) throw new SipParseError('continuation line without a header');
    if (++lines > maxLines) throw new SipParseError(`more than ${limits.maxHeaders} header fields`);
    const next = pos < end ? bytes[offset + pos] : 0;
    if (next === 32 || next === 9) {
      pos = addFoldedLines(text, lineStart, lineEnd, pos, limits, table);
      continue;
    }
    const known = knownHeaderAtBytes(bytes, offset + lineStart);
    const colon = known === undefined ? lineEnd : lineStart + known[0].length;
    // `Name: value` with one space and nothing to trim; anything else the general way.
    if (colon + 2 < lineEnd && bytes[offset + colon + 1] === 32 && !asciiTrimmable(bytes[offset + colon + 2]!) && !asciiTrimmable(bytes[offset + lineEnd - 1]!)) {
      table.addSpan(known![0], known![1], known![2], cr ? lineStart : -1, colon + 2, lineEnd);
    } else addField(text, lineStart, lineEnd, table, cr, bytes, offset);
  }
}

/** isTrimmable for a character below 128. */
function asciiTrimmable(c: number): boolean {
  return c === 32 || (c >= 9 && c <= 13);
}

/**
 * Adds the header line `text[start, end)` as a field: name as written, value trimmed.
 * With `crlf` (the line ends in CRLF), the line is marked for copying if it is exactly
 * `name: value`.
 */
function addField(text: string, start: number, end: number, table: HeaderTable, crlf: boolean, bytes: Uint8Array | undefined, offset: number): void {
  let known = bytes !== undefined ? knownHeaderAtBytes(bytes, start + offset) : knownHeaderAtLine(text, start);
  let colon: number;
  let nameEnd: number;
  if (known !== undefined && start + known[0].length < end) {
    colon = nameEnd = start + known[0].length;
  } else {
    colon = text.indexOf(':', start);
    if (colon <= start || colon >= end) throw new SipParseError(`malformed header line "${clip(text.slice(start, end))}"`);
    nameEnd = colon;
    if (isTrimmable(text.charCodeAt(nameEnd - 1))) nameEnd = backTrimmable(text, start, nameEnd);
    known = knownHeaderAt(text, start, nameEnd);
  }
  let vs = colon + 1;
  if (vs < end && isTrimmable(text.charCodeAt(vs))) {
    // Usually exactly one space after the colon.
    vs = vs + 1 < end && text.charCodeAt(vs) === 32 && !isTrimmable(text.charCodeAt(vs + 1)) ? vs + 1 : skipTrimmable(text, vs, end);
  }
  let ve = end;
  if (ve > vs && isTrimmable(text.charCodeAt(ve - 1))) ve = backTrimmable(text, vs, ve);
  // `Name: value` exactly (an empty value would be written `Name: `, so it is never copied).
  const lineStart = crlf && nameEnd === colon && vs === colon + 2 && text.charCodeAt(colon + 1) === 32 && ve === end && ve > vs ? start : -1;
  // A known spelling is a valid token by construction and brings its key along.
  if (known !== undefined) {
    table.addSpan(known[0], known[1], known[2], lineStart, vs, ve);
    return;
  }
  const name = text.slice(start, nameEnd);
  if (!isTokenAt(text, start, nameEnd)) throw new SipParseError(`bad header name "${clip(name)}"`);
  const key = headerKey(name);
  table.addSpan(name, key, hotSlot(key), lineStart, vs, ve);
}

/** Adds an unfolded header line; it is always encoded anew. */
function addFoldedField(line: string, table: HeaderTable): void {
  const colon = line.indexOf(':');
  if (colon <= 0) throw new SipParseError(`malformed header line "${clip(line)}"`);
  const name = line.slice(0, backTrimmable(line, 0, colon));
  if (!isToken(name)) throw new SipParseError(`bad header name "${clip(name)}"`);
  table.push(name, line.slice(colon + 1).trim());
}

/**
 * Parses the start line. `sourceBytes` is its length with CRLF in the source (0 when it
 * does not end in CRLF); the message may copy it on serialization while unchanged if a
 * fresh encoding would write it identically: a request line always (compared there), a
 * status line when it is plain and has its reason.
 */
function parseStartLine(line: string, table: HeaderTable, sourceBytes: number): SipMessageAny {
  if (line.charCodeAt(0) === 83 && line.charCodeAt(1) === 73 && line.charCodeAt(2) === 80 && line.charCodeAt(3) === 47) {
    // Status-Line = SIP-Version SP Status-Code SP Reason-Phrase
    let status: number;
    let reason: string;
    const plain = isPlainStatusLine(line);
    if (plain) {
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
    const response = new SipResponse(status, reason, table, NO_BODY);
    if (plain && line.length > 11) response.adoptSourceStartLine(sourceBytes);
    return response;
  }
  // Request-Line = Method SP Request-URI SP SIP-Version
  const sp1 = line.indexOf(' ');
  // Nearly every request line ends in " SIP/2.0": then that is the last space, found without a search.
  const plainVersion = endsWithSip20(line);
  const sp2 = plainVersion ? line.length - 8 : line.lastIndexOf(' ');
  if (sp1 <= 0 || sp2 <= sp1) throw new SipParseError(`bad request line "${clip(line)}"`);
  const method = line.slice(0, sp1);
  const uriText = line.slice(sp1 + 1, sp2);
  if (!isToken(method)) throw new SipParseError(`bad method "${clip(method)}"`);
  if (uriText.length === 0 || uriText.indexOf(' ') >= 0 || uriText.indexOf('\t') >= 0) {
    throw new SipParseError('bad Request-URI (white space inside)');
  }
  if (!plainVersion) {
    const version = line.slice(sp2 + 1);
    const request = unparsedRequest(method, table);
    if (!/^SIP\/\d+\.\d+$/.test(version)) throw new SipParseError(`bad SIP version "${clip(version)}"`, answerable(request));
    throw new SipParseError(`unsupported SIP version ${version.slice(4)}`, { ...answerable(request), status: 505 });
  }
  let uri: Uri;
  try {
    uri = parseUri(uriText);
  } catch (error) {
    throw new SipParseError((error as SipParseError).reason ?? 'bad Request-URI', answerable(unparsedRequest(method, table)));
  }
  const request = new SipRequest(method, uri, table, NO_BODY, uriText);
  request.adoptSourceStartLine(sourceBytes);
  return request;
}

/**
 * parseStartLine for the usual start line of an all-ASCII head (`text[i]` is
 * `bytes[base + i]`), read from the bytes: `SIP/2.0 ddd reason`, or
 * `METHOD sip-uri SIP/2.0` with a plain sip: URI (sipUriAt). Undefined for anything
 * else, which parseStartLine then takes (and reports errors for).
 */
function parseUsualStartLine(bytes: Uint8Array, text: string, base: number, lineEnd: number, table: HeaderTable, sourceBytes: number): SipMessageAny | undefined {
  const e = base + lineEnd;
  if (bytes[base] === 83 && bytes[base + 1] === 73 && bytes[base + 2] === 80 && bytes[base + 3] === 47) {
    // isPlainStatusLine with a reason, read from the bytes.
    if (lineEnd < 12 || bytes[base + 4] !== 50 || bytes[base + 5] !== 46 || bytes[base + 6] !== 48 || bytes[base + 7] !== 32 || bytes[base + 11] !== 32) return undefined;
    let status = 0;
    for (let i = base + 8; i < base + 11; i++) {
      const c = bytes[i]!;
      if (c < 48 || c > 57) return undefined;
      status = status * 10 + (c - 48);
    }
    if (status < 100 || status > 699) return undefined;
    for (let i = base + 12; i < e; i++) if (bytes[i] === 13 || bytes[i] === 10) return undefined;
    const response = new SipResponse(status, text.slice(12, lineEnd), table, NO_BODY);
    response.adoptSourceStartLine(sourceBytes);
    return response;
  }
  let sp = base;
  for (; sp < e; sp++) {
    const c = bytes[sp]!;
    if (c === 32) break;
    if (!isTokenChar(c)) return undefined;
  }
  const ue = e - 8;
  if (sp === base || ue <= sp + 1) return undefined;
  if (bytes[ue] !== 32 || bytes[ue + 1] !== 83 || bytes[ue + 2] !== 73 || bytes[ue + 3] !== 80 || bytes[ue + 4] !== 47 || bytes[ue + 5] !== 50 || bytes[ue + 6] !== 46 || bytes[ue + 7] !== 48) return undefined;
  const uri = sipUriAt(bytes, text, base, sp + 1, ue);
  if (uri === undefined) return undefined;
  const request = new SipRequest(methodAt(bytes, text, base, base, sp), uri, table, NO_BODY, text.slice(sp + 1 - base, ue - base));
  request.adoptSourceStartLine(sourceBytes);
  request.adoptCanonicalUri();
  return request;
}

/** A request whose Request-URI could not be used, built only to go into an error so that the error can be answered. */
function unparsedRequest(method: string, table: HeaderTable): SipRequest {
  return new SipRequest(method, parseUri('sip:invalid'), table, NO_BODY);
}

/** Whether `line` ends in " SIP/2.0". */
function endsWithSip20(line: string): boolean {
  const n = line.length - 8;
  return (
    n > 0 &&
    line.charCodeAt(n) === 32 &&
    line.charCodeAt(n + 1) === 83 &&
    line.charCodeAt(n + 2) === 73 &&
    line.charCodeAt(n + 3) === 80 &&
    line.charCodeAt(n + 4) === 47 &&
    line.charCodeAt(n + 5) === 50 &&
    line.charCodeAt(n + 6) === 46 &&
    line.charCodeAt(n + 7) === 48
  );
}

/**
 * `SIP/2.0 ddd` optionally followed by ` reason` without the characters `.` refuses
 * in the full regular expression: the shape of nearly every status line.
 */
function isPlainStatusLine(line: string): boolean {
  if (line.length < 11 || line.charCodeAt(4) !== 50 || line.charCodeAt(5) !== 46 || line.charCodeAt(6) !== 48 || line.charCodeAt(7) !== 32) return false;
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

/**
 * Where the body ends, per Content-Length. The first Content-Length line is marked to
 * be encoded anew unless it states the body length exactly as serialize() would write it.
 */
function bodyEndOf(data: Buffer, bodyStart: number, message: SipMessageAny, table: HeaderTable): number {
  const available = data.length - bodyStart;
  const clField = table.first(SLOT_CONTENT_LENGTH);
  if (clField < 0) return data.length;
  // Read from the bytes when it can be (a parsed value is trimmed already): no string needed.
  const at = table.sourceValueStart(clField);
  const atEnd = at < 0 ? -1 : table.sourceValueEnd(clField);
  const quick = at < 0 ? -1 : digitsAt(data, at, atEnd);
  if (quick >= 0 && quick <= available) {
    // Copied only when written as serialize() would write it: no leading zero.
    if (data[at] === 48 && atEnd - at > 1) table.forgetLine(clField);
    return bodyStart + quick;
  }
  const cl = table.value(clField);
  const t = cl.trim();
  const length = parseDigits(t);
  if (length === undefined) throw new SipParseError(`bad Content-Length "${clip(t)}"`, answerableMessage(message));
  // RFC 3261 §18.3: on datagrams, bytes beyond Content-Length are discarded; a shorter body is an error.
  if (length > available) throw new SipParseError('Content-Length larger than the body', answerableMessage(message));
  if (t !== cl || String(length) !== t) table.forgetLine(clField);
  return bodyStart + length;
}

function validateMandatory(message: SipMessageAny, table: HeaderTable): void {
  for (let i = 0; i < MANDATORY.length; i++) {
    const at = table.first(MANDATORY[i]![0]);
    if (at < 0 || table.valueLength(at) === 0) throw new SipParseError(`missing ${MANDATORY[i]![1]} header`, answerableMessage(message));
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
    const mfAt = table.first(SLOT_MAX_FORWARDS);
    const mfBytes = mfAt < 0 ? -1 : table.sourceValueStart(mfAt);
    const mf = mfAt < 0 || (mfBytes >= 0 && digitsAt(table.source!, mfBytes, table.sourceValueEnd(mfAt)) >= 0) ? undefined : table.value(mfAt);
    if (mf !== undefined && parseDigits(mf.trim()) === undefined) throw new SipParseError(`bad Max-Forwards "${clip(mf)}"`);
  } catch (error) {
    if (error instanceof SipParseError) throw new SipParseError(error.reason, answerableMessage(message));
    throw error;
  }
}

/** Stands in until extractBody has run, and is the empty body (zero bytes: nothing to share by mistake). */
const NO_BODY = Buffer.alloc(0);

const MANDATORY = [[SLOT_VIA, 'Via'], [SLOT_FROM, 'From'], [SLOT_TO, 'To'], [SLOT_CALL_ID, 'Call-ID'], [SLOT_CSEQ, 'CSeq']] as const;

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
