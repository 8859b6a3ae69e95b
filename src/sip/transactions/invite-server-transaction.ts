import { createResponse } from '../messages/index.js';
import type { SipRequest, SipResponse } from '../messages/index.js';
import type { ReceivedInfo } from '../transport/transport-types.js';
import { ServerTransaction } from './server-transaction.js';
import { TransactionTimeoutError } from './transaction-errors.js';
import { TransactionState } from './transaction-state.js';
import type { TransitionTable } from './transaction-state.js';
import type { TransactionOptions } from './transaction.js';

const S = TransactionState;

/** RFC 3261 Figure 7 as amended by RFC 6026 Figure 5. */
export const INVITE_SERVER_TRANSITIONS: TransitionTable = new Map([
  [S.Proceeding, [S.Accepted, S.Completed, S.Terminated]],
  [S.Completed, [S.Confirmed, S.Terminated]],
  [S.Confirmed, [S.Terminated]],
  [S.Accepted, [S.Terminated]],
  [S.Terminated, []],
]);

/** INVITE server transaction (RFC 3261 §17.2.1, RFC 6026 §7.1 / §8.5–§8.7). */
export class InviteServerTransaction extends ServerTransaction {
  /** Current Timer G interval. */
  private intervalG: number;
  /** Whether the TU has passed any response yet (for the automatic 100 Trying). */
  private tuResponded = false;

  constructor(
    id: string,
    /** The INVITE that created the transaction. */
    readonly request: SipRequest,
    info: ReceivedInfo,
    options: TransactionOptions,
  ) {
    super(id, 'INVITE server transaction', INVITE_SERVER_TRANSITIONS, S.Proceeding, info, options);
    this.intervalG = this.timers.G;
    this.onEnter(S.Proceeding);
  }

  protected onEnter(state: TransactionState): void {
    switch (state) {
      case S.Proceeding:
        // "The server transaction MUST generate a 100 (Trying) response unless it knows that
        // the TU will generate a provisional or final response within 200 ms, in which case it
        // MAY generate a 100 (Trying) response." (§17.2.1) It cannot know, so it waits 200 ms.
        this.startTimer('Trying', this.timers.trying, () => this.onTryingTimer());
        break;
      case S.Completed:
        this.stopTimer('Trying');
        // "When the 'Completed' state is entered, timer H MUST be set to fire in 64*T1 seconds
        // for all transports." / "If an unreliable transport is being used, the server
        // transaction MUST start timer G to fire in T1 seconds, and is not set to fire for
        // reliable transports." (§17.2.1)
        if (this.timers.G > 0) this.startTimer('G', this.intervalG, () => this.onTimerG());
        this.startTimer('H', this.timers.H, () => this.onTimerH());
        break;
      case S.Confirmed:
        // "The purpose of the 'Confirmed' state is to absorb any additional ACK messages that
        // arrive [...]. When this state is entered, timer I is set to fire in T4 seconds for
        // unreliable transports, and zero seconds for reliable transports." (§17.2.1)
        this.stopTimer('G');
        this.stopTimer('H');
        if (this.timers.I > 0) this.startTimer('I', this.timers.I, () => this.transition(S.Terminated));
        break;
      case S.Accepted:
        this.stopTimer('Trying');
        // "Timer L: Wait time for accepted INVITE request retransmits [...] 64*T1" (RFC 6026 §8.11)
        this.startTimer('L', this.timers.L, () => this.transition(S.Terminated));
        break;
      case S.Calling:
      case S.Trying:
      case S.Terminated:
        break;
    }
  }

  respond(response: SipResponse): boolean {
    const status = response.status;
    switch (this.state) {
      case S.Proceeding:
        this.tuResponded = true;
        this.stopTimer('Trying');
        if (status < 200) {
          // "The TU passes any number of provisional responses to the server transaction. So
          // long as the server transaction is in the 'Proceeding' state, each of these MUST be
          // passed to the transport layer for transmission." (§17.2.1)
          this.sendResponse(response);
          return true;
        }
        if (status < 300) {
          // "If, while in the 'Proceeding' state, the TU passes a 2xx response to the server
          // transaction, the server transaction MUST pass this response to the transport layer
          // for transmission. [...] The server transaction MUST then transition to the
          // 'Accepted' state." (RFC 6026 §8.5)
          this.transition(S.Accepted);
          this.sendResponse(response);
          return true;
        }
        // "While in the 'Proceeding' state, if the TU passes a response with status code from
        // 300 to 699 to the server transaction, the response MUST be passed to the transport
        // layer for transmission, and the state machine MUST enter the 'Completed' state." (§17.2.1)
        this.transition(S.Completed);
        this.sendResponse(response);
        return true;
      case S.Accepted:
        // "Any retransmissions of the 2xx response passed from the TU to the transaction while
        // in the 'Accepted' state MUST be passed to the transport layer for transmission."
        // (RFC 6026 §8.7)
        if (status >= 200 && status < 300) {
          this.sendResponse(response);
          return true;
        }
        break;
      case S.Completed:
      case S.Confirmed:
      case S.Terminated:
      case S.Calling:
      case S.Trying:
        break;
    }
    this.logger.warn(`INVITE server transaction discards a ${status} in state ${this.state}`);
    return false;
  }

  receiveRequest(request: SipRequest, info: ReceivedInfo): void {
    const isAck = request.method === 'ACK';
    switch (this.state) {
      case S.Proceeding:
        this.noteArrival(info);
        // "If a request retransmission is received while in the 'Proceeding' state, the most
        // recent provisional response that was received from the TU MUST be passed to the
        // transport layer for retransmission." (§17.2.1) Until there is one, nothing is sent.
        if (!isAck) this.resendLast();
        return;
      case S.Completed:
        if (isAck) {
          // "If an ACK is received while the server transaction is in the 'Completed' state,
          // the server transaction MUST transition to the 'Confirmed' state." (§17.2.1)
          this.transition(S.Confirmed);
          if (this.timers.I === 0 && this.inState(S.Confirmed)) this.transition(S.Terminated);
          return;
        }
        // "while in the 'Completed' state, if a request retransmission is received, the server
        // SHOULD pass the response to the transport for retransmission." (§17.2.1)
        this.noteArrival(info);
        this.resendLast();
        return;
      case S.Confirmed:
        // Absorbs ACK retransmissions (§17.2.1).
        return;
      case S.Accepted:
        // "Any ACKs received from the network while in the 'Accepted' state MUST be passed
        // directly to the TU and not absorbed." (RFC 6026 §8.7) INVITE retransmissions are
        // absorbed: the TU retransmits the 2xx itself.
        if (isAck) this.emit('ack', request, info);
        return;
      case S.Calling:
      case S.Trying:
      case S.Terminated:
        return;
    }
  }

  /**
   * "the server transaction SHOULD inform the TU that a failure has occurred, and MUST remain in
   * the current state" (RFC 6026 §8.8). Applied to Accepted, whose Figure 5 keeps the state on a
   * transport error: ending it would let the next INVITE retransmission start a second call and
   * would refuse the TU's own 2xx retransmissions; Timer L still bounds it. The other states end,
   * as RFC 3261 Figure 7 draws.
   */
  protected override survivesTransportError(): boolean {
    return this.inState(S.Accepted);
  }

  private onTryingTimer(): void {
    if (this.state !== S.Proceeding || this.tuResponded) return;
    this.sendResponse(createResponse(this.request, 100));
  }

  private onTimerG(): void {
    if (this.state !== S.Completed) return;
    // "If timer G fires, the response is passed to the transport layer once more for
    // retransmission, and timer G is set to fire in MIN(2*T1, T2) seconds. From then on, when
    // timer G fires, the response is passed to the transport again for transmission, and timer
    // G is reset with a value that doubles, unless that value exceeds T2, in which case it is
    // reset with the value of T2." (§17.2.1)
    this.resendLast();
    this.intervalG = Math.min(2 * this.intervalG, this.timers.T2);
    this.startTimer('G', this.intervalG, () => this.onTimerG());
  }

  private onTimerH(): void {
    // "If timer H fires while in the 'Completed' state, it implies that the ACK was never
    // received. In this case, the server transaction MUST transition to the 'Terminated'
    // state, and MUST indicate to the TU that a transaction failure has occurred." (§17.2.1)
    if (this.state !== S.Completed) return;
    this.fail(new TransactionTimeoutError('H', 'INVITE', this.timers.H));
  }
}
