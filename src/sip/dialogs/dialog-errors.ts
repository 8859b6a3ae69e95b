import { PortierError } from '../../util/portier-error.js';

/** A dialog was driven into a state its machine does not allow: a bug, never a network event. */
export class DialogStateError extends PortierError {
  constructor(message: string) {
    super('SIP_ERR_DIALOG_STATE', message);
  }
}

/** A message cannot create a dialog (no tag, no Contact): the peer is broken. */
export class DialogCreationError extends PortierError {
  constructor(message: string) {
    super('SIP_ERR_DIALOG_CREATE', message);
  }
}
