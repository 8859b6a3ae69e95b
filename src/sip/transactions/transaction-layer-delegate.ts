import type { PortierError } from '../../util/portier-error.js';
import type { SipRequest, SipResponse } from '../messages/index.js';
import type { ReceivedInfo } from '../transport/transport-types.js';
import type { ClientTransaction } from './client-transaction.js';
import type { InviteServerTransaction } from './invite-server-transaction.js';
import type { NonInviteServerTransaction } from './non-invite-server-transaction.js';
import type { ServerTransaction } from './server-transaction.js';

/** How the transaction layer hands the transaction user (UA core) what it cannot handle itself. */
export interface TransactionLayerDelegate {
  /**
   * A new request (not ACK), with the server transaction created for it; the TU answers
   * through `transaction.respond()`. A CANCEL arrives here only when `onCancel` is absent.
   */
  onRequest(request: SipRequest, transaction: ServerTransaction, info: ReceivedInfo): void;
  /**
   * A new CANCEL with its own server transaction (for the 200 to the CANCEL) and the INVITE
   * server transaction it targets (§9.2), or undefined when none matches (the TU answers 481).
   */
  onCancel?(cancel: SipRequest, transaction: NonInviteServerTransaction, target: InviteServerTransaction | undefined, info: ReceivedInfo): void;
  /**
   * An ACK for a 2xx: one that matched no transaction (§17.2.3, the usual case), or one that
   * reached an INVITE server transaction in Accepted (RFC 6026 §8.7).
   */
  onAck?(ack: SipRequest, info: ReceivedInfo): void;
  /** A 2xx to an INVITE that matched no client transaction: a forked or late 2xx (RFC 6026 §8.4). */
  onStrayResponse?(response: SipResponse, info: ReceivedInfo): void;
  /** Any transaction's timeout or transport error (also emitted on the transaction itself). */
  onTransactionError?(error: PortierError, transaction: ClientTransaction | ServerTransaction): void;
}
