import { DialogStateError } from './dialog-errors.js';

/** The states of an RFC 3261 §12 dialog. */
export enum DialogState {
  /** Created by a provisional response with a To tag (§12.1: "early dialog"). */
  Early = 'Early',
  /** Created or confirmed by a 2xx (§12.1). */
  Confirmed = 'Confirmed',
  Terminated = 'Terminated',
}

/** Allowed transitions: an early dialog is confirmed by a 2xx or ends with a non-2xx (§12.3). */
export const DIALOG_TRANSITIONS: ReadonlyMap<DialogState, readonly DialogState[]> = new Map([
  [DialogState.Early, [DialogState.Confirmed, DialogState.Terminated]],
  [DialogState.Confirmed, [DialogState.Terminated]],
  [DialogState.Terminated, []],
]);

/** The transition guard: throws a DialogStateError unless the table allows `from` → `to`. */
export function assertDialogTransition(from: DialogState, to: DialogState): void {
  if (!DIALOG_TRANSITIONS.get(from)?.includes(to)) throw new DialogStateError(`dialog: illegal transition ${from} -> ${to}`);
}
