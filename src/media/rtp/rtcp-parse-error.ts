import { PortierError } from '../../util/portier-error.js';

/** Why an RTCP packet was rejected; stable, for counters and logs. */
export type RtcpParseFailure = 'truncated' | 'version' | 'length' | 'padding' | 'type' | 'compound';

/** A datagram that is not a well-formed RTCP packet or compound packet (RFC 3550 §6, A.2). */
export class RtcpParseError extends PortierError {
  readonly reason: RtcpParseFailure;

  constructor(reason: RtcpParseFailure, message: string) {
    super('RTCP_ERR_MALFORMED', message);
    this.reason = reason;
  }
}
