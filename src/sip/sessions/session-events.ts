import type { SipResponse } from '../messages/index.js';
import type { MediaDirection } from './sdp-direction.js';

/** Why a session ended. */
export type SessionEndReason =
  | 'bye-local'
  | 'bye-remote'
  | 'cancelled'
  | 'rejected'
  | 'timeout'
  | 'session-expired'
  | 'max-duration'
  | 'error'
  /** close() without signalling (shutdown). */
  | 'closed';

/** The `ended` event's payload. */
export interface SessionEndedInfo {
  reason: SessionEndReason;
  /** The final status behind it (rejected, cancelled → 487, a failed refresh). */
  status?: number;
  /** Human-readable detail for logs. */
  detail?: string;
}

/** The `progress` event's payload: a provisional response received (UAC). */
export interface SessionProgressInfo {
  status: number;
  reason: string;
  /** The response carried SDP (early media; the answer went to the handler). */
  earlyMedia: boolean;
  /** Sent reliably (RFC 3262) and PRACKed. */
  reliable: boolean;
  response: SipResponse;
}

/** A peer's re-INVITE or UPDATE as reported to the app. */
export interface SessionRenegotiationInfo {
  /** The peer's SDP offer, when the request had one. */
  offer?: string;
  /** The offer's media direction, seen from the peer (`sendonly` = the peer holds us). */
  direction?: MediaDirection;
  /** The peer put the call on hold (sendonly/inactive or a zero connection address). */
  hold: boolean;
  /** Whether we accepted the offer (false: answered 488). */
  accepted: boolean;
}

/** An INFO received in the dialog. */
export interface SessionInfoMessage {
  contentType: string | undefined;
  body: Buffer;
}

/** Typed events of an INVITE session. */
export type InviteSessionEvents = {
  progress: [info: SessionProgressInfo];
  /** The session is up (UAC: 2xx ACKed; UAS: ACK received). */
  accepted: [];
  ended: [info: SessionEndedInfo];
  info: [message: SessionInfoMessage];
  reinvite: [info: SessionRenegotiationInfo];
  update: [info: SessionRenegotiationInfo];
  /** A session timer (RFC 4028) was (re)negotiated; interval in seconds, who refreshes. */
  sessionTimer: [info: { interval: number; refresher: 'local' | 'remote' }];
};
