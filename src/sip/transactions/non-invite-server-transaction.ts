import type { SipRequest, SipResponse } from '../messages/index.js';
import type { ReceivedInfo } from '../transport/transport-types.js';
import { ServerTransaction } from './server-transaction.js';
import { TransactionState } from './transaction-state.js';
import type { TransitionTable } from './transaction-state.js';
import type { TransactionOptions } from './transaction.js';

const S = TransactionState;

/** RFC 3261 Figure 8. */
export const NON_INVITE_SERVER_TRANSITIONS: TransitionTable = new Map([
  [S.Trying, [S.Proceeding, S.Completed, S.Terminated]],
  [S.Proceeding, [S.Completed, S.Terminated]],
  [S.Completed, [S.Terminated]],
  [S.Terminated, []],
]);

/** Kind strings of the common methods, made once rather than per transaction. */
const KINDS = new Map(['OPTIONS', 'BYE', 'CANCEL', 'INFO', 'UPDATE', 'PRACK', 'NOTIFY', 'MESSAGE', 'REGISTER', 'SUBSCRIBE', 'REFER'].map((m) => [m, `${m} server transaction`]));

/**
 * Non-INVITE server transaction (RFC 3261 §17.2.2).
 *
 * Once Completed over an unreliable transport it lives on for Timer J (64*T1, 32 s) only to
 * answer retransmissions of the request with the same final response; for that it keeps the
 * response's bytes and drops the parsed request and response. Under a steady load of
 * requests (OPTIONS pings) thousands of these are alive at once, and every minor GC copies
 * whatever they hold.
 */
export class NonInviteServerTransaction extends ServerTransaction {
  private held: SipRequest | undefined;

  constructor(id: string, request: SipRequest, info: ReceivedInfo, options: TransactionOptions) {
    // "The state machine is initialized in the 'Trying' state and is passed a request other
    // than INVITE or ACK when initialized." (§17.2.2)
    super(id, KINDS.get(request.method) ?? `${request.method} server transaction`, NON_INVITE_SERVER_TRANSITIONS, S.Trying, info, options);
    this.held = request;
  }

  get request(): SipRequest | undefined {
    return this.held;
  }

  protected onEnter(state: TransactionState): void {
    switch (state) {
      case S.Completed:
        // "When the server transaction enters the 'Completed' state, it MUST set Timer J to
        // fire in 64*T1 seconds for unreliable transports, and zero seconds for reliable
        // transports." (§17.2.2) Zero is handled by the caller once the response is sent.
        if (this.timers.J > 0) this.startTimer('J', this.timers.J, this.onTimerJ);
        break;
      case S.Calling:
      case S.Trying:
      case S.Proceeding:
      case S.Accepted:
      case S.Confirmed:
      case S.Terminated:
        break;
    }
  }

  private onTimerJ(): void {
    // "If Timer J fires while in the 'Completed' state, the server transaction MUST transition to
    // the 'Terminated' state." (§17.2.2)
    this.transition(S.Terminated);
  }

  respond(response: SipResponse): boolean {
    const status = response.status;
    switch (this.state) {
      case S.Trying:
      case S.Proceeding:
        if (status < 200) {
          // "While in the 'Trying' state, if the TU passes a provisional response to the server
          // transaction, the server transaction MUST enter the 'Proceeding' state. The response
          // MUST be passed to the transport layer for transmission. Any further provisional
          // responses that are received from the TU while in the 'Proceeding' state MUST be
          // passed to the transport layer for transmission." (§17.2.2)
          if (this.state === S.Trying) this.transition(S.Proceeding);
          this.sendResponse(response);
          return true;
        }
        // "If the TU passes a final response (status codes 200-699) to the server while in the
        // 'Proceeding' state, the transaction MUST enter the 'Completed' state, and the
        // response MUST be passed to the transport layer for transmission." (§17.2.2; likewise
        // from 'Trying')
        this.transition(S.Completed);
        if (this.timers.J === 0) {
          this.sendResponse(response);
          if (this.inState(S.Completed)) this.transition(S.Terminated);
        } else {
          // Timer J runs: from now on only the response's bytes are needed (see the class note).
          this.sendResponse(response, true);
          this.held = undefined;
        }
        return true;
      case S.Completed:
        // "Any other final responses passed by the TU to the server transaction MUST be
        // discarded while in the 'Completed' state." (§17.2.2)
        break;
      case S.Calling:
      case S.Accepted:
      case S.Confirmed:
      case S.Terminated:
        break;
    }
    this.logger.warn(`${this.kind} discards a ${status} in state ${this.state}`);
    return false;
  }

  receiveRequest(_request: SipRequest, info: ReceivedInfo): void {
    switch (this.state) {
      case S.Trying:
        // "Once in the 'Trying' state, any further request retransmissions are discarded." (§17.2.2)
        return;
      case S.Proceeding:
      case S.Completed:
        // "If a retransmission of the request is received while in the 'Proceeding' state, the
        // most recently sent provisional response MUST be passed to the transport layer for
        // retransmission." / "While in the 'Completed' state, the server transaction MUST pass
        // the final response to the transport layer for retransmission whenever a
        // retransmission of the request is received." (§17.2.2)
        this.noteArrival(info);
        this.resendLast();
        return;
      case S.Calling:
      case S.Accepted:
      case S.Confirmed:
      case S.Terminated:
        return;
    }
  }
}
