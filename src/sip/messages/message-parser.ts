import { parseCSeq } from './cseq.js';
import { isToken } from './grammar.js';
import type { HeaderField } from './header-field.js';
import { headerKey } from './header-names.js';
import { NameAddr } from './name-addr.js';
import { SipParseError } from './sip-parse-error.js';
import { SipRequest } from './sip-request.js';
import { SipResponse } from './sip-response.js';
import { parseUri } from './uri.js';
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
    return parseUnchecked(data, { ...DEFAULT_PARSE_LIMITS, ...limits });
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
  let headerEnd = data.indexOf('\r\n\r\n', start, 'latin1');
  let bodyStart: number;
  if (headerEnd >= 0) bodyStart = headerEnd + 4;
  else {
    // Tolerate bare-LF line ends from sloppy peers.
    headerEnd = data.indexOf('\n\n', start, 'latin1');
    if (headerEnd < 0) throw new SipParseError('no empty line after the headers');
    bodyStart = headerEnd + 2;
  }
  const head = data.toString('utf8', start, headerEnd);
  const lines = splitLines(head, limits);
  const startLine = lines[0]!;
  const fields: HeaderField[] = [];
  const keys: string[] = [];
  for (let i = 1; i < lines.length; i++) {
    const line = lines[i]!;
    const colon = line.indexOf(':');
    if (colon <= 0) throw new SipParseError(`malformed header line "${clip(line)}"`);
    const name = line.slice(0, colon).trimEnd();
    if (!isToken(name)) throw new SipParseError(`bad header name "${clip(name)}"`);
    fields.push({ name, value: line.slice(colon + 1).trim() });
    keys.push(headerKey(name));
  }
  if (fields.length > limits.maxHeaders) throw new SipParseError(`more than ${limits.maxHeaders} header fields`);

  const message = parseStartLine(startLine, fields, keys);
  message.body = extractBody(data, bodyStart, message);
  validateMandatory(message);
  return message;
}

/** Splits the header block into lines, unfolding continuation lines (RFC 3261 §7.3.1). */
function splitLines(head: string, limits: ParseLimits): string[] {
  const lines: string[] = [];
  let pos = 0;
  while (pos <= head.length) {
    let nl = head.indexOf('\n', pos);
    if (nl < 0) nl = head.length;
    const line = head.slice(pos, nl > pos && head.charCodeAt(nl - 1) === 13 ? nl - 1 : nl);
    pos = nl + 1;
    if (line.length > limits.maxLineLength) throw new SipParseError(`header line longer than ${limits.maxLineLength} characters`);
    const c = line.charCodeAt(0);
    if ((c === 32 || c === 9) && lines.length > 1) {
      lines[lines.length - 1] += ' ' + line.trim();
      if (lines[lines.length - 1]!.length > limits.maxLineLength) throw new SipParseError('folded header too long');
      continue;
    }
    if (line.length === 0) throw new SipParseError('empty line inside the headers');
    if (c === 32 || c === 9) throw new SipParseError(lines.length === 0 ? 'white space before the start line' : 'continuation line without a header');
    lines.push(line);
    if (lines.length > limits.maxHeaders + 1) throw new SipParseError(`more than ${limits.maxHeaders} header fields`);
  }
  return lines;
}

function parseStartLine(line: string, fields: HeaderField[], keys: string[]): SipMessageAny {
  if (line.startsWith('SIP/')) {
    // Status-Line = SIP-Version SP Status-Code SP Reason-Phrase
    const m = /^SIP\/(\d+\.\d+) (\d{3})(?: (.*))?$/.exec(line);
    if (!m) throw new SipParseError(`bad status line "${clip(line)}"`);
    if (m[1] !== '2.0') throw new SipParseError(`unsupported SIP version ${m[1]}`);
    const status = Number(m[2]);
    if (status < 100 || status > 699) throw new SipParseError(`bad status code ${status}`);
    return new SipResponse(status, m[3] ?? '', fields, Buffer.alloc(0), keys);
  }
  // Request-Line = Method SP Request-URI SP SIP-Version
  const sp1 = line.indexOf(' ');
  const sp2 = line.lastIndexOf(' ');
  if (sp1 <= 0 || sp2 === sp1) throw new SipParseError(`bad request line "${clip(line)}"`);
  const method = line.slice(0, sp1);
  const uriText = line.slice(sp1 + 1, sp2);
  const version = line.slice(sp2 + 1);
  if (!isToken(method)) throw new SipParseError(`bad method "${clip(method)}"`);
  if (uriText.length === 0 || uriText.includes(' ') || uriText.includes('\t')) {
    throw new SipParseError('bad Request-URI (white space inside)');
  }
  const request = new SipRequest(method, parseUri('sip:invalid'), fields, Buffer.alloc(0), keys);
  if (!/^SIP\/\d+\.\d+$/.test(version)) throw new SipParseError(`bad SIP version "${clip(version)}"`, answerable(request));
  if (version !== 'SIP/2.0') {
    throw new SipParseError(`unsupported SIP version ${version.slice(4)}`, { ...answerable(request), status: 505 });
  }
  try {
    request.uri = parseUri(uriText);
  } catch (error) {
    throw new SipParseError((error as SipParseError).reason ?? 'bad Request-URI', answerable(request));
  }
  return request;
}

function extractBody(data: Buffer, bodyStart: number, message: SipMessageAny): Buffer {
  const available = data.length - bodyStart;
  const cl = message.getHeader('content-length');
  if (cl === undefined) return data.subarray(bodyStart);
  const t = cl.trim();
  if (!/^[0-9]{1,10}$/.test(t)) throw new SipParseError(`bad Content-Length "${clip(t)}"`, answerableMessage(message));
  const length = Number(t);
  // RFC 3261 §18.3: on datagrams, bytes beyond Content-Length are discarded; a shorter body is an error.
  if (length > available) throw new SipParseError('Content-Length larger than the body', answerableMessage(message));
  return data.subarray(bodyStart, bodyStart + length);
}

function validateMandatory(message: SipMessageAny): void {
  const opts = answerableMessage(message);
  for (const [key, display] of [['via', 'Via'], ['from', 'From'], ['to', 'To'], ['call-id', 'Call-ID'], ['cseq', 'CSeq']] as const) {
    const v = message.getHeader(key);
    if (v === undefined || v.length === 0) throw new SipParseError(`missing ${display} header`, opts);
  }
  try {
    message.topVia;
    message.from;
    message.to;
    const cseq = message.cseq;
    if (message instanceof SipRequest && cseq.method !== message.method) {
      throw new SipParseError(`CSeq method ${cseq.method} does not match ${message.method}`);
    }
    const mf = message.getHeader('max-forwards');
    if (mf !== undefined && !/^[0-9]{1,10}$/.test(mf.trim())) throw new SipParseError(`bad Max-Forwards "${clip(mf)}"`);
  } catch (error) {
    if (error instanceof SipParseError) throw new SipParseError(error.reason, opts);
    throw error;
  }
}

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
