import { SessionStateError } from './session-errors.js';

/** Where an INVITE session stands (the INVITE usage of a dialog, RFC 3261 §13–§15). */
export enum SessionState {
  /** Created, INVITE not sent yet (outgoing) . */
  Initial = 'Initial',
  /** UAC: INVITE sent, no provisional response with a To tag yet. */
  Calling = 'Calling',
  /** UAS: INVITE received, nothing but 100 sent. */
  Incoming = 'Incoming',
  /** A provisional response with a To tag was received (UAC) or sent (UAS): early dialog(s). */
  Early = 'Early',
  /** UAS: 2xx sent, retransmitted until the ACK arrives (§13.3.1.4). */
  AwaitingAck = 'AwaitingAck',
  /** The session is up: 2xx ACKed. */
  Confirmed = 'Confirmed',
  Terminated = 'Terminated',
}

const S = SessionState;

/** Allowed transitions. */
export const SESSION_TRANSITIONS: ReadonlyMap<SessionState, readonly SessionState[]> = new Map([
  [S.Initial, [S.Calling, S.Incoming, S.Terminated]],
  [S.Calling, [S.Early, S.Confirmed, S.Terminated]],
  [S.Incoming, [S.Early, S.AwaitingAck, S.Terminated]],
  [S.Early, [S.AwaitingAck, S.Confirmed, S.Terminated]],
  [S.AwaitingAck, [S.Confirmed, S.Terminated]],
  [S.Confirmed, [S.Terminated]],
  [S.Terminated, []],
]);

/** The transition guard. */
export function assertSessionTransition(from: SessionState, to: SessionState): void {
  if (!SESSION_TRANSITIONS.get(from)?.includes(to)) throw new SessionStateError(`session: illegal transition ${from} -> ${to}`);
}
