import { PortierError } from '../../util/portier-error.js';

/** Why an RTP session operation failed; stable, for logs and tests. */
export type RtpSessionFailure =
  /** No free even/odd port pair in the configured range, or the address cannot be bound. */
  | 'bind'
  /** DTMF asked for, but the peer did not negotiate telephone-event (use SIP INFO instead). */
  | 'no-telephone-event'
  /** The session is closed. */
  | 'closed';

/** An RTP session could not do what was asked. */
export class RtpSessionError extends PortierError {
  readonly reason: RtpSessionFailure;

  constructor(reason: RtpSessionFailure, message: string, options?: { cause?: unknown }) {
    super('PORTIER_ERR_RTP_SESSION', message, options);
    this.reason = reason;
  }
}
