export { Dialog, type DialogRequestVerdict, type InDialogRequestInit } from './dialog.js';
export { DialogState, DIALOG_TRANSITIONS, assertDialogTransition } from './dialog-state.js';
export { DialogStateError, DialogCreationError } from './dialog-errors.js';
export { dialogKey, incomingRequestDialogKey, responseDialogKey } from './dialog-key.js';
