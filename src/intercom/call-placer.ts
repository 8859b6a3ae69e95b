/**
 * The little the intercom policy needs from the SIP call layer to place calls.
 * The real SIP sessions (src/sip/sessions) are adapted to this by the app.
 */

/** Events of one outgoing call attempt. */
export type OutgoingCallEvents = {
  /** A provisional response showed the callee is being alerted (180/183). */
  ringing: [];
  /** A 2xx arrived: the call is established. */
  answered: [];
  /** The attempt ended without being established; `status` is the final SIP status (408 for a timeout, 0 for a transport error). */
  failed: [status: number, reason?: string];
  /** An established call ended (either side hung up). */
  ended: [reason?: string];
};

/** Something that can be listened to with typed events (a TypedEmitter satisfies it). */
export interface OutgoingCallListenable {
  on<K extends keyof OutgoingCallEvents>(event: K, fn: (...args: OutgoingCallEvents[K]) => void): unknown;
  off<K extends keyof OutgoingCallEvents>(event: K, fn: (...args: OutgoingCallEvents[K]) => void): unknown;
}

/** One INVITE placed to one target. */
export interface OutgoingCallHandle extends OutgoingCallListenable {
  /** Gives up an attempt not yet answered (CANCEL, RFC 3261 §9); does nothing once it ended. */
  cancel(): void;
  /** Ends an established call (BYE, RFC 3261 §15); does nothing once it ended. */
  hangUp(): void;
}

/** Options of one placed call. */
export interface PlaceCallOptions {
  /** Account id to call from; the app's default when unset. */
  account?: string;
}

/** Places outgoing calls. */
export interface CallPlacer {
  placeCall(target: string, options: PlaceCallOptions): OutgoingCallHandle;
}
