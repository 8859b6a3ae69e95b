/** The peer's offer was refused: the request gets 488 Not Acceptable Here (RFC 3261 §13.3.1.1, §14.2). */
export interface OfferRejection {
  reject: 488;
}

/** How an answer reached us. */
export interface AnswerOptions {
  /**
   * The answer came before the 2xx (an unreliable 1xx, or an early dialog that may not win
   * a forked INVITE): use it for early media, but keep the offer open — the final answer,
   * perhaps from another dialog, follows with the 2xx.
   */
  provisional?: boolean;
}

/**
 * The offer/answer model (RFC 3264) as the SIP layer needs it: SDP texts go in and out,
 * their meaning (codecs, RTP ports, hold) stays with the media layer that implements this.
 * `receiveOffer` and `receiveAnswer` may throw on SDP they cannot read; the session treats
 * that as a refused offer or an unusable answer.
 */
export interface SessionDescriptionHandler {
  /** Our SDP offer, for an INVITE, a re-INVITE, an UPDATE, or a 2xx to an INVITE without SDP. */
  createOffer(): Promise<string> | string;
  /** The peer's offer (INVITE, re-INVITE, UPDATE): our answer, or a refusal. */
  receiveOffer(sdp: string): { answer: string } | OfferRejection;
  /**
   * The peer's answer to our last offer (1xx with SDP = early media, 2xx, ACK, PRACK). A final
   * answer may follow a provisional one for the same offer, and may arrive when an earlier
   * final answer (a reliable 1xx of a fork that lost) already closed it.
   */
  receiveAnswer(sdp: string, options?: AnswerOptions): void;
  /**
   * Our last offer got no answer (its re-INVITE or UPDATE failed: 488, 491, timeout): forget
   * it, keeping the media as it was (RFC 3261 §14.1), so that a new offer can be made.
   * Optional: a handler that keeps no offer state needs none.
   */
  rollbackOffer?(): void;
}
