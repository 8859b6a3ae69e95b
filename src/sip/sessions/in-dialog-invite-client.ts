import type { DigestAuthenticator } from '../auth/digest-authenticator.js';
import type { Dialog } from '../dialogs/dialog.js';
import type { SipRequest, SipResponse } from '../messages/index.js';
import type { InviteClientTransaction } from '../transactions/invite-client-transaction.js';
import type { SendTarget } from '../transport/transport-types.js';
import type { UserAgentCore } from '../user-agent/user-agent-core.js';

/** Challenge rounds per in-dialog INVITE. */
const MAX_CHALLENGES = 3;

/**
 * Sends a re-INVITE of `dialog` to its next hop and resolves with the final response, answering
 * 401/407 with a new CSeq from the dialog's space (§22.2). `onTwoXx` is called with the request
 * and the response for every 2xx copy, which the caller must ACK (§13.2.2.4). Rejects when no response came.
 */
export async function sendInDialogInvite(
  core: UserAgentCore,
  dialog: Dialog,
  first: SipRequest,
  authenticator: DigestAuthenticator | undefined,
  onTwoXx: (sent: SipRequest, response: SipResponse) => void,
): Promise<SipResponse> {
  let request = first;
  const targets = await core.sender.resolveTargets(request);
  const target = targets[0]!;
  for (let challenges = 0; ; challenges++) {
    const response = await inviteTransaction(core, request, target, onTwoXx);
    const status = response.status;
    if ((status === 401 || status === 407) && authenticator && challenges < MAX_CHALLENGES) {
      const fields = authenticator.respond(status, response.getHeaders(status === 401 ? 'WWW-Authenticate' : 'Proxy-Authenticate'), {
        method: 'INVITE',
        uri: request.uri.toString(),
        body: request.body,
      });
      const next = request.clone();
      next.removeHeader('via');
      dialog.localSeq += 1;
      next.setHeader('CSeq', `${dialog.localSeq} INVITE`);
      for (const f of fields) next.setHeader(f.name, f.value);
      request = next;
      continue;
    }
    if (authenticator && status !== 401 && status !== 407) authenticator.accepted();
    return response;
  }
}

/** One INVITE client transaction, to its first final response. */
function inviteTransaction(core: UserAgentCore, request: SipRequest, target: SendTarget, onTwoXx: (sent: SipRequest, response: SipResponse) => void): Promise<SipResponse> {
  return new Promise((resolve, reject) => {
    let transaction: InviteClientTransaction;
    try {
      transaction = core.transactions.sendRequest(request, target) as InviteClientTransaction;
    } catch (error) {
      reject(error);
      return;
    }
    let settled = false;
    transaction.on('response', (response) => {
      if (response.status < 200) return;
      if (response.status < 300) onTwoXx(request, response);
      if (!settled) {
        settled = true;
        resolve(response);
      }
    });
    const fail = (error: Error) => {
      if (settled) return;
      settled = true;
      reject(error);
    };
    transaction.on('timeout', fail);
    transaction.on('transportError', fail);
  });
}
