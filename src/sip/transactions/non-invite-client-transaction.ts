import type { SipRequest, SipResponse } from '../messages/index.js';
import type { SendTarget } from '../transport/transport-types.js';
import { ClientTransaction, type ClientTransactionFallback } from './client-transaction.js';
import { TransactionTimeoutError } from './transaction-errors.js';
import { TransactionState } from './transaction-state.js';
import type { TransitionTable } from './transaction-state.js';
import type { TransactionOptions } from './transaction.js';

const S = TransactionState;

/** RFC 3261 Figure 6. */
export const NON_INVITE_CLIENT_TRANSITIONS: TransitionTable = new Map([
  [S.Trying, [S.Proceeding, S.Completed, S.Terminated]],
  [S.Proceeding, [S.Completed, S.Terminated]],
  [S.Completed, [S.Terminated]],
  [S.Terminated, []],
]);

/**
 * Non-INVITE client transaction (RFC 3261 §17.1.2).
 * Sends the request on construction; emits provisional and the first final response.
 */
export class NonInviteClientTransaction extends ClientTransaction {
  /** Current Timer E interval. */
  private intervalE: number;

  constructor(id: string, request: SipRequest, target: SendTarget, options: TransactionOptions, fallback?: ClientTransactionFallback) {
    super(id, `${request.method} client transaction`, NON_INVITE_CLIENT_TRANSITIONS, S.Trying, request, target, options, fallback);
    this.intervalE = this.timers.E;
    // "The 'Trying' state is entered when the TU initiates a new client transaction with a
    // request. When entering this state, the client transaction SHOULD set timer F to fire in
    // 64*T1 seconds. The request MUST be passed to the transport layer for transmission. If an
    // unreliable transport is in use, the client transaction MUST set timer E to fire in T1
    // seconds." (§17.1.2.2)
    this.onEnter(S.Trying);
    this.sendToTarget(request);
  }

  protected onEnter(state: TransactionState): void {
    switch (state) {
      case S.Trying:
        this.startTimer('F', this.timers.F, () => this.onTimerF());
        if (this.timers.E > 0) this.startTimer('E', this.intervalE, () => this.onTimerE());
        break;
      case S.Proceeding:
        // Timer E keeps running; its next reset uses T2 (see onTimerE).
        break;
      case S.Completed:
        // "Once the client transaction enters the 'Completed' state, it MUST set Timer K to
        // fire in T4 seconds for unreliable transports, and zero seconds for reliable
        // transports." (§17.1.2.2) Zero is handled by the caller after the TU saw the response.
        this.stopTimer('E');
        this.stopTimer('F');
        if (this.timers.K > 0) this.startTimer('K', this.timers.K, () => this.transition(S.Terminated));
        break;
      case S.Calling:
      case S.Accepted:
      case S.Confirmed:
      case S.Terminated:
        break;
    }
  }

  receiveResponse(response: SipResponse): void {
    const status = response.status;
    switch (this.state) {
      case S.Trying:
      case S.Proceeding:
        if (status < 200) {
          // "If a provisional response is received while in the 'Trying' state, the response
          // MUST be passed to the TU, and then the client transaction SHOULD move to the
          // 'Proceeding' state." / "Any further provisional responses MUST be passed up to the
          // TU while in the 'Proceeding' state." (§17.1.2.2)
          this.deliver(response);
          if (this.state === S.Trying) this.transition(S.Proceeding);
          return;
        }
        // "If a final response (status codes 200-699) is received while in the 'Trying' state,
        // the response MUST be passed to the TU, and the client transaction MUST transition to
        // the 'Completed' state." (§17.1.2.2; the same for 'Proceeding')
        this.transition(S.Completed);
        this.deliver(response);
        if (this.timers.K === 0 && this.inState(S.Completed)) this.transition(S.Terminated);
        return;
      case S.Completed:
        // "The 'Completed' state exists to buffer any additional response retransmissions that
        // may be received" (§17.1.2.2): absorbed.
        return;
      case S.Calling:
      case S.Accepted:
      case S.Confirmed:
      case S.Terminated:
        return;
    }
  }

  protected onFallback(): void {
    // Now on UDP: "If an unreliable transport is in use, the client transaction MUST set timer E
    // to fire in T1 seconds." (§17.1.2.2) Timer F keeps running from the first attempt.
    if (this.state !== S.Trying && this.state !== S.Proceeding) return;
    this.intervalE = this.timers.E;
    if (this.timers.E > 0) this.startTimer('E', this.intervalE, () => this.onTimerE());
  }

  private onTimerE(): void {
    if (this.state !== S.Trying && this.state !== S.Proceeding) return;
    this.sendToTarget(this.request);
    // Trying: "If timer E fires while still in this state, the timer is reset, but this time
    // with a value of MIN(2*T1, T2). When the timer fires again, it is reset to a MIN(4*T1, T2)."
    // Proceeding: "If Timer E fires while in the 'Proceeding' state, the request MUST be passed
    // to the transport layer for retransmission, and Timer E MUST be reset with a value of T2
    // seconds." (§17.1.2.2)
    this.intervalE = this.state === S.Proceeding ? this.timers.T2 : Math.min(2 * this.intervalE, this.timers.T2);
    this.startTimer('E', this.intervalE, () => this.onTimerE());
  }

  private onTimerF(): void {
    // "If Timer F fires while the client transaction is still in the 'Trying' state, the
    // client transaction SHOULD inform the TU about the timeout, and then it SHOULD enter the
    // 'Terminated' state." (likewise in 'Proceeding', §17.1.2.2)
    if (this.state !== S.Trying && this.state !== S.Proceeding) return;
    this.fail(new TransactionTimeoutError('F', this.request.method, this.timers.F));
  }
}
