export type { SessionDescriptionHandler, OfferRejection, AnswerOptions } from './session-description-handler.js';
export { SessionState, SESSION_TRANSITIONS, assertSessionTransition } from './session-state.js';
export { SessionStateError, SessionOperationError, SessionEndedError } from './session-errors.js';
export type {
  InviteSessionEvents,
  SessionEndReason,
  SessionEndedInfo,
  SessionProgressInfo,
  SessionRenegotiationInfo,
  SessionInfoMessage,
} from './session-events.js';
export { resolveSessionOptions, type SessionOptions, type SessionTimerOptions, type ResolvedSessionOptions } from './session-options.js';
export { InviteSession } from './invite-session.js';
export { OutgoingInviteSession, type OutgoingInviteSessionInit } from './outgoing-invite-session.js';
export { IncomingInviteSession, type IncomingInviteSessionInit, type RingOptions } from './incoming-invite-session.js';
export { SessionManager, type SessionManagerOptions, type InviteOptions, type SessionManagerEvents } from './session-manager.js';
export { sdpDirection, isHoldOffer, type MediaDirection } from './sdp-direction.js';
export { glareRetryDelay } from './glare-delay.js';
export { readSessionExpires, readMinSE, formatSessionExpires, expiryDelayMs, refreshDelayMs, type SessionExpires, type Refresher } from './session-expires.js';
