import type { Logger } from '../../log/logger.js';
import { silentLogger } from '../../log/logger.js';
import { PortierError } from '../../util/portier-error.js';
import { Via, generateBranch } from '../messages/index.js';
import type { SipRequest, SipResponse } from '../messages/index.js';
import { isReliable } from '../transport/transport-types.js';
import type { ReceivedInfo, SendTarget } from '../transport/transport-types.js';
import type { ClientTransaction, ClientTransactionFallback } from './client-transaction.js';
import { InviteClientTransaction } from './invite-client-transaction.js';
import { InviteServerTransaction } from './invite-server-transaction.js';
import { NonInviteClientTransaction } from './non-invite-client-transaction.js';
import { NonInviteServerTransaction } from './non-invite-server-transaction.js';
import { ServerTransaction as ServerTransactionBase } from './server-transaction.js';
import type { ServerTransaction } from './server-transaction.js';
import { resolveTimerSettings, transactionTimers } from './timer-settings.js';
import type { TimerSettings } from './timer-settings.js';
import type { TransactionLayerDelegate } from './transaction-layer-delegate.js';
import type { Transaction, TransactionOptions, TransactionOwner } from './transaction.js';
import type { TransactionTransport } from './transaction-transport.js';
import {
  clientKey,
  clientKeyOfResponse,
  legacyAckMatches,
  legacyRequestMatches,
  serverKey,
} from './transaction-key.js';

/** Construction options of the transaction layer. */
export interface TransactionLayerOptions {
  transport: TransactionTransport;
  delegate?: TransactionLayerDelegate;
  timers?: Partial<TimerSettings>;
  logger?: Logger;
}

/** Counters of what the layer dropped, for diagnostics. */
export interface TransactionLayerStats {
  /** Responses that matched no client transaction and were not a 2xx to INVITE (§17.1.3). */
  droppedResponses: number;
  /** Requests the layer could not handle (no delegate, no usable Via, after close). */
  droppedRequests: number;
}

/**
 * The RFC 3261 §17 transaction layer: creates client transactions for the TU's requests,
 * matches incoming messages to transactions (§17.1.3, §17.2.3, with the RFC 2543 fallback),
 * creates server transactions for new requests and hands the TU what belongs to it.
 */
export class TransactionLayer implements TransactionOwner {
  delegate: TransactionLayerDelegate | undefined;
  readonly stats: TransactionLayerStats = { droppedResponses: 0, droppedRequests: 0 };
  private readonly transport: TransactionTransport;
  private readonly settings: TimerSettings;
  private readonly logger: Logger;
  private readonly clients = new Map<string, ClientTransaction>();
  private readonly servers = new Map<string, ServerTransaction>();
  /**
   * Server transactions of RFC 2543 requests (no magic cookie), matched field by field against
   * the request that created each (kept here: a completed non-INVITE transaction drops its own).
   */
  private readonly legacyServers = new Map<ServerTransaction, SipRequest>();
  /** What every transaction over an unreliable / a reliable transport is built from. */
  private readonly unreliableOptions: TransactionOptions;
  private readonly reliableOptions: TransactionOptions;
  private closed = false;

  constructor(options: TransactionLayerOptions) {
    this.transport = options.transport;
    this.delegate = options.delegate;
    this.settings = resolveTimerSettings(options.timers);
    this.logger = (options.logger ?? silentLogger).child({ component: 'transaction' });
    const base = { transport: this.transport, logger: this.logger, owner: this };
    this.unreliableOptions = { ...base, timers: transactionTimers(this.settings, false) };
    this.reliableOptions = { ...base, timers: transactionTimers(this.settings, true) };
  }

  get clientTransactionCount(): number {
    return this.clients.size;
  }

  get serverTransactionCount(): number {
    return this.servers.size + this.legacyServers.size;
  }

  /**
   * Sends `request` in a new client transaction: an INVITE client transaction for INVITE,
   * a non-INVITE one otherwise. Gives the request a fresh branch if its top Via has none
   * (adding `Via: SIP/2.0/<T> 0.0.0.0;branch=…` if it has no Via; the transport fills in
   * sent-by). An ACK is not a transaction: use sendAck().
   *
   * A request too large for UDP goes to the same address and port over TCP (RFC 3261 §18.1.1),
   * back on UDP if that connection fails; a CANCEL follows its INVITE (§9.1). The transaction's
   * `target` says where it went.
   */
  sendRequest(request: SipRequest, target: SendTarget): InviteClientTransaction | NonInviteClientTransaction {
    this.assertOpen();
    if (request.method === 'ACK') {
      throw new PortierError('SIP_ERR_TRANSACTION_ACK', 'an ACK has no client transaction; use sendAck()');
    }
    const branch = this.ensureBranch(request, target);
    const key = clientKey(branch, request.method);
    if (this.clients.has(key)) {
      throw new PortierError('SIP_ERR_TRANSACTION_EXISTS', `a ${request.method} client transaction with branch ${branch} exists already`);
    }
    let sendTo = target;
    let fallback: ClientTransactionFallback | undefined;
    const invite = request.method === 'CANCEL' ? this.clients.get(clientKey(branch, 'INVITE')) : undefined;
    if (invite !== undefined && sameEndpoint(invite.target, target)) {
      // §9.1: "The destination address, port, and transport for the CANCEL MUST be identical to
      // those used to send the original request." The INVITE may have gone over TCP for its size.
      sendTo = invite.target;
    } else if (invite === undefined) {
      const congestionControlled = this.transport.congestionControlledTarget?.(request, target);
      if (congestionControlled !== undefined) {
        sendTo = congestionControlled;
        fallback = { target, timers: transactionTimers(this.settings, isReliable(target.protocol)) };
        this.logger.debug('request too large for UDP; sending it over TCP', { method: request.method });
      }
    }
    const options = this.transactionOptions(isReliable(sendTo.protocol));
    const transaction =
      request.method === 'INVITE'
        ? new InviteClientTransaction(key, request, sendTo, options, fallback)
        : new NonInviteClientTransaction(key, request, sendTo, options, fallback);
    this.clients.set(key, transaction);
    return transaction;
  }

  /**
   * Sends an ACK for a 2xx, which is outside any transaction (§13.2.2.4, §17.1.1.3); gives it
   * a branch if it has none. Rejects with the transport's error.
   */
  sendAck(ack: SipRequest, target: SendTarget): Promise<void> {
    this.assertOpen();
    this.ensureBranch(ack, target);
    return this.transport.sendRequest(ack, target);
  }

  /** A request from the transport: feed it to its server transaction or start a new one. */
  receiveRequest(request: SipRequest, info: ReceivedInfo): void {
    if (this.closed) {
      this.stats.droppedRequests++;
      return;
    }
    let key: string | undefined;
    try {
      key = serverKey(request);
      const existing = key !== undefined ? this.servers.get(key) : this.findLegacy(request);
      if (existing) {
        existing.receiveRequest(request, info);
        return;
      }
    } catch (error) {
      // The parser validates the top Via, From, To and CSeq; this guards hand-made messages.
      this.logger.warn('dropping a request that cannot be matched', { error });
      this.stats.droppedRequests++;
      return;
    }

    if (request.method === 'ACK') {
      // "If the request is an ACK, and no matching transaction exists, the ACK is passed to
      // the TU" (§17.2.3 via §8.2.6 / §13.3.1.4): the ACK for a 2xx is the UA core's.
      if (this.delegate?.onAck) this.delegate.onAck(request, info);
      else this.stats.droppedRequests++;
      return;
    }
    const delegate = this.delegate;
    if (!delegate) {
      this.logger.warn('no transaction user; dropping request', { method: request.method });
      this.stats.droppedRequests++;
      return;
    }

    const options = this.transactionOptions(isReliable(info.protocol));
    const id = key ?? `rfc2543:${request.callId}:${request.cseq.seq}:${request.method}`;
    const transaction =
      request.method === 'INVITE'
        ? new InviteServerTransaction(id, request, info, options)
        : new NonInviteServerTransaction(id, request, info, options);
    if (key !== undefined) this.servers.set(key, transaction);
    else this.legacyServers.set(transaction, request);
    if (transaction instanceof InviteServerTransaction) {
      transaction.on('ack', (ack, ackInfo) => this.delegate?.onAck?.(ack, ackInfo));
    }

    if (request.method === 'CANCEL' && transaction instanceof NonInviteServerTransaction && delegate.onCancel) {
      delegate.onCancel(request, transaction, this.findCancelTarget(request), info);
      return;
    }
    delegate.onRequest(request, transaction, info);
  }

  /** A response from the transport: feed it to its client transaction (§17.1.3) or to the TU, or drop it. */
  receiveResponse(response: SipResponse, info: ReceivedInfo): void {
    let key: string | undefined;
    let isInvite2xx = false;
    try {
      key = clientKeyOfResponse(response);
      isInvite2xx = response.cseq.method === 'INVITE' && response.status >= 200 && response.status < 300;
    } catch (error) {
      this.logger.warn('dropping a response that cannot be matched', { error });
      this.stats.droppedResponses++;
      return;
    }
    const transaction = key !== undefined ? this.clients.get(key) : undefined;
    if (transaction) {
      transaction.receiveResponse(response);
      return;
    }
    // A 2xx that outlived its transaction (Timer M) or came from another fork belongs to the
    // UA core, which ACKs it and may BYE it (RFC 6026 §8.4, RFC 3261 §13.2.2.4).
    if (isInvite2xx && !this.closed && this.delegate?.onStrayResponse) {
      this.delegate.onStrayResponse(response, info);
      return;
    }
    // "Any response received that does not match an existing client transaction state
    // machine is simply dropped." (RFC 6026 §7.2 amending §18.1.2)
    this.logger.debug('dropping stray response', { status: response.status });
    this.stats.droppedResponses++;
  }

  /**
   * The INVITE server transaction a CANCEL targets (§9.2): "the transaction that matches the
   * CANCEL request [...] using the transaction matching procedures of Section 17.2.3 [...]
   * with the exception that the method of the request [...] is INVITE".
   */
  findCancelTarget(cancel: SipRequest): InviteServerTransaction | undefined {
    const key = serverKey(cancel, 'INVITE');
    if (key !== undefined) {
      const found = this.servers.get(key);
      return found instanceof InviteServerTransaction ? found : undefined;
    }
    for (const [transaction, original] of this.legacyServers) {
      if (transaction instanceof InviteServerTransaction && legacyRequestMatches(original, cancel, 'INVITE')) {
        return transaction;
      }
    }
    return undefined;
  }

  /** TransactionOwner: forgets a transaction that ended. */
  transactionTerminated(transaction: Transaction): void {
    const id = transaction.id;
    if (transaction instanceof ServerTransactionBase) {
      if (this.servers.get(id) === transaction) this.servers.delete(id);
      else this.legacyServers.delete(transaction);
    } else if (this.clients.get(id) === transaction) {
      this.clients.delete(id);
    }
  }

  /** TransactionOwner: a timeout or transport error, for the TU. */
  transactionFailed(error: PortierError, transaction: Transaction): void {
    this.delegate?.onTransactionError?.(error, transaction as unknown as ClientTransaction | ServerTransaction);
  }

  /** Ends every transaction and refuses new work. Idempotent. */
  close(): void {
    if (this.closed) return;
    this.closed = true;
    for (const transaction of [...this.clients.values(), ...this.servers.values(), ...this.legacyServers.keys()]) {
      transaction.close();
    }
    this.clients.clear();
    this.servers.clear();
    this.legacyServers.clear();
  }

  private findLegacy(request: SipRequest): ServerTransaction | undefined {
    for (const [transaction, original] of this.legacyServers) {
      if (request.method === 'ACK') {
        if (
          transaction instanceof InviteServerTransaction &&
          legacyAckMatches(original, transaction.lastResponse?.to.tag, request)
        ) {
          return transaction;
        }
      } else if (legacyRequestMatches(original, request)) {
        return transaction;
      }
    }
    return undefined;
  }

  /** Returns the top Via's branch, adding one (and the Via itself) when missing. */
  private ensureBranch(request: SipRequest, target: SendTarget): string {
    const top = request.topVia;
    if (!top) {
      const branch = generateBranch();
      request.prependHeader('Via', `SIP/2.0/${target.protocol.toUpperCase()} 0.0.0.0;branch=${branch}`);
      return branch;
    }
    if (top.branch) return top.branch;
    const via: Via = top.clone();
    via.branch = generateBranch();
    request.setTopVia(via);
    return via.branch;
  }

  private transactionOptions(reliable: boolean): TransactionOptions {
    return reliable ? this.reliableOptions : this.unreliableOptions;
  }

  private assertOpen(): void {
    if (this.closed) throw new PortierError('SIP_ERR_TRANSACTION_LAYER_CLOSED', 'the transaction layer is closed');
  }
}

/** Same address and port, whatever the transport. */
function sameEndpoint(a: SendTarget, b: SendTarget): boolean {
  return a.port === b.port && a.address.toLowerCase() === b.address.toLowerCase();
}
