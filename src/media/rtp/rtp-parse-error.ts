import { PortierError } from '../../util/portier-error.js';

/** Why an RTP packet was rejected; stable, for counters and logs. */
export type RtpParseFailure = 'truncated' | 'version' | 'padding';

/** A datagram that is not a well-formed RTP packet (RFC 3550 §5.1, A.1 validity checks). */
export class RtpParseError extends PortierError {
  readonly reason: RtpParseFailure;

  constructor(reason: RtpParseFailure, message: string) {
    super('RTP_ERR_MALFORMED', message);
    this.reason = reason;
  }
}
