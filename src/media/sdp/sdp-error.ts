import { PortierError } from '../../util/portier-error.js';

/** Why a session description could not be used; stable, for logs and tests. */
export type SdpFailure =
  /** Not parseable as SDP (RFC 4566 §5), or a field we need is missing or out of range. */
  | 'malformed'
  /** No audio stream at all (only video, T.38, …). */
  | 'no-audio'
  /** Audio offered, but with no codec we speak (PCMU/PCMA) or no transport we speak (RTP/AVP). */
  | 'no-common-codec'
  /** An answer that breaks RFC 3264 §6 (m-line count, formats that were not offered) or rejects our audio. */
  | 'bad-answer';

/**
 * A session description we cannot accept. `sipStatus` is the response the
 * INVITE/UPDATE layer should send when the description came in an offer:
 * 488 Not Acceptable Here (RFC 3261 §21.4.26) for every failure, since a body
 * that parses as SIP but not as usable SDP is a media refusal, not a SIP syntax error.
 */
export class SdpError extends PortierError {
  readonly reason: SdpFailure;
  readonly sipStatus = 488;

  constructor(reason: SdpFailure, message: string) {
    super('PORTIER_ERR_SDP', message);
    this.reason = reason;
  }
}
