import { defaultReason } from './reason-phrases.js';
import type { SipRequest } from './sip-request.js';
import { SipResponse } from './sip-response.js';
import { toBody } from './sip-message.js';
import { HeaderTable } from './header-table.js';
import type { HeaderField } from './header-field.js';

/**
 * Builds a response to `request` per RFC 3261 §8.2.6.2: Via (all, in order), From,
 * To (with our tag when given and none is there yet), Call-ID and CSeq copied.
 * Works from raw header text, so it also answers requests whose headers are
 * only partly parseable (for 400s).
 */
export function createResponse(
  request: SipRequest,
  status: number,
  options: {
    reason?: string;
    toTag?: string;
    headers?: Array<[string, string]>;
    body?: Buffer | string;
    contentType?: string;
  } = {},
): SipResponse {
  const fields: HeaderField[] = [];
  for (const value of request.getHeaders('via')) fields.push({ name: 'Via', value });
  fields.push({ name: 'From', value: request.getHeader('from') ?? '' });
  let to = request.getHeader('to') ?? '';
  // "a 100 (Trying) response … MUST NOT" carry a tag we invent (§8.2.6.2, §17.2.1).
  if (options.toTag !== undefined && status > 100 && !hasTag(to)) to += `;tag=${options.toTag}`;
  fields.push({ name: 'To', value: to });
  fields.push({ name: 'Call-ID', value: request.getHeader('call-id') ?? '' });
  fields.push({ name: 'CSeq', value: request.getHeader('cseq') ?? '' });
  if (status === 100) {
    const ts = request.getHeader('timestamp');
    if (ts !== undefined) fields.push({ name: 'Timestamp', value: ts });
  }
  for (const [name, value] of options.headers ?? []) fields.push({ name, value });
  const body = toBody(options.body);
  if (options.contentType !== undefined) fields.push({ name: 'Content-Type', value: options.contentType });
  return new SipResponse(status, options.reason ?? defaultReason(status), HeaderTable.of(fields), body);
}

function hasTag(to: string): boolean {
  // A ';tag=' after the closing '>' (or anywhere in an addr-spec) is the header's tag.
  const gt = to.lastIndexOf('>');
  return /;\s*tag\s*=/i.test(gt >= 0 ? to.slice(gt) : to);
}
