import type { SipRequest, SipResponse } from '../messages/index.js';
import type { SendTarget } from '../transport/transport-types.js';
import { Transaction } from './transaction.js';
import type { TransactionOptions } from './transaction.js';
import type { TransactionState, TransitionTable } from './transaction-state.js';

/** Events of a client transaction, on top of the common ones. */
export type ClientTransactionEvents = {
  /** A response the TU must see (RFC 3261 §17.1): provisional, final, and under RFC 6026 every 2xx in Accepted. */
  response: [response: SipResponse];
};

/** Common part of the INVITE and non-INVITE client transactions (RFC 3261 §17.1). */
export abstract class ClientTransaction extends Transaction<ClientTransactionEvents> {
  protected constructor(
    id: string,
    kind: string,
    table: TransitionTable,
    initial: TransactionState,
    /** The request as handed to the transport; its top Via carries the branch. */
    readonly request: SipRequest,
    /** Where the request goes; the ACK for a non-2xx goes to the same place (§17.1.1.3). */
    readonly target: SendTarget,
    options: TransactionOptions,
  ) {
    super(id, kind, table, initial, options);
  }

  /** A response that the transaction layer matched to this transaction (§17.1.3). */
  abstract receiveResponse(response: SipResponse): void;

  protected sendToTarget(request: SipRequest): void {
    this.guardSend(() => this.transport.sendRequest(request, this.target));
  }

  protected deliver(response: SipResponse): void {
    this.emit('response', response);
  }
}
