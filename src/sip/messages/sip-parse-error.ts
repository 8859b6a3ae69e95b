import { PortierError } from '../../util/portier-error.js';
import type { SipRequest } from './sip-request.js';

/**
 * Raised for any SIP text that cannot be understood. `reason` is short and safe to
 * send as a 400 reason phrase; `request` is set when the input was a request with
 * enough of it intact (top Via, From, To, Call-ID, CSeq) to send that 400.
 */
export class SipParseError extends PortierError {
  readonly reason: string;
  readonly request?: SipRequest;
  /** The status a server should answer with: 400, or 505 for an unsupported SIP version. */
  readonly status: number;

  constructor(reason: string, options?: { request?: SipRequest; status?: number; cause?: unknown }) {
    super('SIP_ERR_PARSE', `malformed SIP: ${reason}`, { cause: options?.cause });
    this.reason = reason;
    this.status = options?.status ?? 400;
    if (options?.request) this.request = options.request;
  }

  /** The same error, now carrying the request it came from. */
  withRequest(request: SipRequest): SipParseError {
    return new SipParseError(this.reason, { request, status: this.status, cause: this.cause });
  }
}
