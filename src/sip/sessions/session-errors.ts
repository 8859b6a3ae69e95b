import { PortierError } from '../../util/portier-error.js';

/** A session was driven into a state its machine does not allow: a bug, never a network event. */
export class SessionStateError extends PortierError {
  constructor(message: string) {
    super('SIP_ERR_SESSION_STATE', message);
  }
}

/** An operation is not possible in the session's current state (e.g. re-INVITE before the call is up). */
export class SessionOperationError extends PortierError {
  constructor(message: string) {
    super('SIP_ERR_SESSION_OPERATION', message);
  }
}

/** The session ended while the operation was pending. */
export class SessionEndedError extends PortierError {
  constructor(message = 'the session ended') {
    super('SIP_ERR_SESSION_ENDED', message);
  }
}
