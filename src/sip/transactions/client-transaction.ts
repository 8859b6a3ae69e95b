import type { SipRequest, SipResponse } from '../messages/index.js';
import type { SendTarget } from '../transport/transport-types.js';
import type { TransactionTimers } from './timer-settings.js';
import { Transaction } from './transaction.js';
import type { TransactionOptions } from './transaction.js';
import type { TransactionState, TransitionTable } from './transaction-state.js';

/**
 * Where a request moved to TCP for its size (RFC 3261 §18.1.1) goes when the TCP connection cannot
 * be made: the UDP target it was meant for, with the unreliable-transport timers.
 */
export interface ClientTransactionFallback {
  target: SendTarget;
  timers: TransactionTimers;
}

/** Events of a client transaction, on top of the common ones. */
export type ClientTransactionEvents = {
  /** A response the TU must see (RFC 3261 §17.1): provisional, final, and under RFC 6026 every 2xx in Accepted. */
  response: [response: SipResponse];
};

/** Common part of the INVITE and non-INVITE client transactions (RFC 3261 §17.1). */
export abstract class ClientTransaction extends Transaction<ClientTransactionEvents> {
  private currentTarget: SendTarget;
  private fallback: ClientTransactionFallback | undefined;

  protected constructor(
    id: string,
    kind: string,
    table: TransitionTable,
    initial: TransactionState,
    /** The request as handed to the transport; its top Via carries the branch. */
    readonly request: SipRequest,
    target: SendTarget,
    options: TransactionOptions,
    fallback?: ClientTransactionFallback,
  ) {
    super(id, kind, table, initial, options);
    this.currentTarget = target;
    this.fallback = fallback;
  }

  /**
   * Where the request goes; the ACK for a non-2xx goes to the same place (§17.1.1.3), and so does a
   * CANCEL (§9.1). Changes only when a request sent over TCP for its size falls back to UDP.
   */
  get target(): SendTarget {
    return this.currentTarget;
  }

  /** A response that the transaction layer matched to this transaction (§17.1.3). */
  abstract receiveResponse(response: SipResponse): void;

  protected sendToTarget(request: SipRequest): void {
    const target = this.currentTarget;
    this.guardSend(
      async () => {
        await this.transport.sendRequest(request, target);
        // The connection stands: later failures on it are the transaction's to report.
        if (this.currentTarget === target) this.fallback = undefined;
      },
      (error) => this.fallBack(error, target),
    );
  }

  /** Restarts the retransmission timer of the current state after the switch to UDP. */
  protected abstract onFallback(): void;

  /**
   * A request sent over TCP only for its size whose connection could not be made goes out over UDP
   * after all, in the same transaction (same branch: the peer never saw it). This is our policy, not
   * RFC 3261 text: §18.1.1 says nothing of a failed connection, and a request sent nowhere would
   * fail a call that UDP, fragmented or not, may well carry (PJSIP does the same).
   */
  private fallBack(error: unknown, failed: SendTarget): boolean {
    const fallback = this.fallback;
    if (!fallback || failed !== this.currentTarget || (error as { code?: unknown } | undefined)?.code !== 'SIP_ERR_TRANSPORT_CONNECT') return false;
    this.fallback = undefined;
    this.currentTarget = fallback.target;
    this.timers = fallback.timers;
    this.logger.info('TCP connection for a large request failed; sending it over UDP', { error });
    this.onFallback();
    this.sendToTarget(this.request);
    return true;
  }

  protected deliver(response: SipResponse): void {
    this.emit('response', response);
  }
}
