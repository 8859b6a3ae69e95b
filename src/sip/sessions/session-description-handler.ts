/** The peer's offer was refused: the request gets 488 Not Acceptable Here (RFC 3261 §13.3.1.1, §14.2). */
export interface OfferRejection {
  reject: 488;
}

/**
 * The offer/answer model (RFC 3264) as the SIP layer needs it: SDP texts go in and out,
 * their meaning (codecs, RTP ports, hold) stays with the media layer that implements this.
 */
export interface SessionDescriptionHandler {
  /** Our SDP offer, for an INVITE, a re-INVITE, an UPDATE, or a 2xx to an INVITE without SDP. */
  createOffer(): Promise<string> | string;
  /** The peer's offer (INVITE, re-INVITE, UPDATE): our answer, or a refusal. */
  receiveOffer(sdp: string): { answer: string } | OfferRejection;
  /** The peer's answer to our last offer (1xx with SDP = early media, 2xx, ACK, PRACK). */
  receiveAnswer(sdp: string): void;
}
