import type { SipRequest, SipResponse } from '../messages/index.js';

/**
 * The dialog ID (RFC 3261 §12): "A dialog is identified at each UA with a dialog ID, which
 * consists of a Call-ID value, a local tag and a remote tag." Tags compare case-sensitively;
 * Call-IDs too (§20.8: byte-by-byte).
 */
export function dialogKey(callId: string, localTag: string, remoteTag: string): string {
  return `${callId}\u0000${localTag}\u0000${remoteTag}`;
}

/**
 * The dialog an incoming request belongs to (§12.2.2): our tag is in To, the peer's in From.
 * Undefined for a request outside a dialog (no To tag) or without a From tag (RFC 2543 peers).
 */
export function incomingRequestDialogKey(request: SipRequest): string | undefined {
  const local = request.to.tag;
  const remote = request.from.tag;
  if (local === undefined || remote === undefined) return undefined;
  return dialogKey(request.callId, local, remote);
}

/** The dialog a response to our request belongs to: our tag is in From, the peer's in To. */
export function responseDialogKey(response: SipResponse): string | undefined {
  const local = response.from.tag;
  const remote = response.to.tag;
  if (local === undefined || remote === undefined) return undefined;
  return dialogKey(response.callId, local, remote);
}
