import type { SipRequest, SipResponse } from '../messages/index.js';
import type { ReceivedInfo } from '../transport/transport-types.js';
import { Transaction } from './transaction.js';
import type { TransactionOptions } from './transaction.js';
import type { TransactionState, TransitionTable } from './transaction-state.js';

/** Events of a server transaction, on top of the common ones. */
export type ServerTransactionEvents = {
  /** RFC 6026 §8.7: an ACK that matched an INVITE server transaction in Accepted, for the TU. */
  ack: [ack: SipRequest, info: ReceivedInfo];
};

/** Common part of the INVITE and non-INVITE server transactions (RFC 3261 §17.2). */
export abstract class ServerTransaction extends Transaction<ServerTransactionEvents> {
  private replyInfo: ReceivedInfo;
  private last: SipResponse | undefined;

  protected constructor(
    id: string,
    kind: string,
    table: TransitionTable,
    initial: TransactionState,
    /** The request that created the transaction. */
    readonly request: SipRequest,
    info: ReceivedInfo,
    options: TransactionOptions,
  ) {
    super(id, kind, table, initial, options);
    this.replyInfo = info;
  }

  /** Where responses go: how the latest copy of the request arrived. */
  get replyTo(): ReceivedInfo {
    return this.replyInfo;
  }

  /** The most recent response passed to the transport. */
  get lastResponse(): SipResponse | undefined {
    return this.last;
  }

  /** The TU's response to the request. Returns false when the state discards it. */
  abstract respond(response: SipResponse): boolean;

  /** A request the transaction layer matched to this transaction (§17.2.3): a retransmission or an ACK. */
  abstract receiveRequest(request: SipRequest, info: ReceivedInfo): void;

  /** Retransmissions over a new connection are answered on that connection. */
  protected noteArrival(info: ReceivedInfo): void {
    this.replyInfo = info;
  }

  protected sendResponse(response: SipResponse): void {
    this.last = response;
    this.guardSend(() => this.transport.sendResponse(response, this.replyInfo));
  }

  /** Passes the last response to the transport again. */
  protected resendLast(): void {
    if (this.last) this.sendResponse(this.last);
  }
}
