import { PRODUCT_TOKEN } from '../../version.js';
import { createResponse, type SipRequest, type SipResponse } from '../messages/index.js';

/** How a session builds one response. */
export interface SessionResponseInit {
  toTag: string;
  reason?: string;
  headers?: Array<[string, string]>;
  /** SDP body (Content-Type application/sdp). */
  sdp?: string;
  /**
   * The response establishes or belongs to the dialog (1xx with tag, 2xx to INVITE): copy
   * Record-Route. §12.1.1: "the UAS MUST copy all Record-Route header field values from the
   * request into the response (including the URIs, URI parameters, and any Record-Route
   * header field parameters, whether they are known or unknown to the UAS) and MUST maintain
   * the order of those values."
   */
  dialogForming?: boolean;
}

/** A response of the session's UAS side, with our tag and Server header. */
export function sessionResponse(request: SipRequest, status: number, init: SessionResponseInit): SipResponse {
  const headers: Array<[string, string]> = [];
  if (init.dialogForming) for (const rr of request.getHeaders('Record-Route')) headers.push(['Record-Route', rr]);
  headers.push(...(init.headers ?? []), ['Server', PRODUCT_TOKEN]);
  return createResponse(request, status, {
    toTag: init.toTag,
    headers,
    ...(init.reason !== undefined ? { reason: init.reason } : {}),
    ...(init.sdp !== undefined ? { body: init.sdp, contentType: 'application/sdp' } : {}),
  });
}

/** The SDP body of a message, if it has one. */
export function sdpBody(message: { body: Buffer; contentType: string | undefined }): string | undefined {
  if (message.body.length === 0) return undefined;
  const type = message.contentType?.split(';')[0]?.trim().toLowerCase();
  if (type !== undefined && type !== 'application/sdp') return undefined;
  return message.body.toString('utf8');
}
