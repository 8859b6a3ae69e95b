import { parseMessage } from '../messages/index.js';
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
  /** The last response sent, as the TU passed it; undefined when only its bytes are kept. */
  private last: SipResponse | undefined;
  /** The last response's bytes, kept instead of it once only retransmissions need them. */
  private lastWire: Buffer | undefined;
  private lastStatusCode: number | undefined;

  protected constructor(id: string, kind: string, table: TransitionTable, initial: TransactionState, info: ReceivedInfo, options: TransactionOptions) {
    super(id, kind, table, initial, options);
    this.replyInfo = info;
  }

  /**
   * The request that created the transaction; undefined once a non-INVITE server transaction
   * over UDP has its final response (it keeps only what retransmissions need then).
   */
  abstract get request(): SipRequest | undefined;

  /** Where responses go: how the latest copy of the request arrived. */
  get replyTo(): ReceivedInfo {
    return this.replyInfo;
  }

  /**
   * The most recent response passed to the transport. Once the transaction keeps only its bytes,
   * a copy parsed from them, not the object the TU passed (lastStatus is the cheap test).
   */
  get lastResponse(): SipResponse | undefined {
    return this.last ?? (this.lastWire && (parseMessage(this.lastWire) as SipResponse));
  }

  /** The status of the most recent response passed to the transport. */
  get lastStatus(): number | undefined {
    return this.lastStatusCode;
  }

  /** The TU's response to the request. Returns false when the state discards it. */
  abstract respond(response: SipResponse): boolean;

  /** A request the transaction layer matched to this transaction (§17.2.3): a retransmission or an ACK. */
  abstract receiveRequest(request: SipRequest, info: ReceivedInfo): void;

  /** Retransmissions over a new connection are answered on that connection. */
  protected noteArrival(info: ReceivedInfo): void {
    this.replyInfo = info;
  }

  /**
   * Passes `response` to the transport. With `keepBytes` (a final response the transaction will
   * only ever retransmit), keeps its bytes rather than the message when the transport can make
   * them; a response it cannot encode fails like a failed send.
   */
  protected sendResponse(response: SipResponse, keepBytes = false): void {
    this.last = response;
    this.lastWire = undefined;
    this.lastStatusCode = response.status;
    if (keepBytes && this.transport.encodeResponse) {
      let wire: Buffer;
      try {
        wire = this.transport.encodeResponse(response);
      } catch (error) {
        this.watchSend(Promise.reject(error));
        return;
      }
      this.last = undefined;
      this.lastWire = wire;
      this.pass(response, wire);
      return;
    }
    this.pass(response);
  }

  /**
   * Passes the last response to the transport again. Kept as bytes, it is parsed back first: the
   * transport routes a response by its top Via, and a retransmission is rare enough to pay for it.
   */
  protected resendLast(): void {
    const last = this.last;
    const wire = this.lastWire;
    if (last !== undefined) {
      this.pass(last);
    } else if (wire !== undefined) {
      let copy: SipResponse;
      try {
        copy = parseMessage(wire) as SipResponse;
      } catch (error) {
        this.watchSend(Promise.reject(error));
        return;
      }
      this.pass(copy, wire);
    }
  }

  /** One send to where the request came from, its failure handled as guardSend() does. */
  private pass(response: SipResponse, wire?: Buffer): void {
    let pending: Promise<void>;
    try {
      pending = this.transport.sendResponse(response, this.replyInfo, wire);
    } catch (error) {
      pending = Promise.reject(error);
    }
    this.watchSend(pending);
  }
}
