import { SipRequest } from '../messages/index.js';
import type { SipResponse } from '../messages/index.js';
import type { SendTarget } from '../transport/transport-types.js';
import { ClientTransaction, type ClientTransactionFallback } from './client-transaction.js';
import { TransactionTimeoutError } from './transaction-errors.js';
import { TransactionState } from './transaction-state.js';
import type { TransitionTable } from './transaction-state.js';
import type { TransactionOptions } from './transaction.js';

const S = TransactionState;

/** RFC 3261 Figure 5 as amended by RFC 6026 Figure 3. */
export const INVITE_CLIENT_TRANSITIONS: TransitionTable = new Map([
  [S.Calling, [S.Proceeding, S.Accepted, S.Completed, S.Terminated]],
  [S.Proceeding, [S.Accepted, S.Completed, S.Terminated]],
  [S.Completed, [S.Terminated]],
  [S.Accepted, [S.Terminated]],
  [S.Terminated, []],
]);

/**
 * INVITE client transaction (RFC 3261 §17.1.1, RFC 6026 §7.2 / §8.4).
 * Sends the INVITE on construction; emits every response the TU must see.
 */
export class InviteClientTransaction extends ClientTransaction {
  /** Current Timer A interval; doubles on every firing (§17.1.1.2, no cap for INVITE). */
  private intervalA: number;

  constructor(id: string, request: SipRequest, target: SendTarget, options: TransactionOptions, fallback?: ClientTransactionFallback) {
    super(id, 'INVITE client transaction', INVITE_CLIENT_TRANSITIONS, S.Calling, request, target, options, fallback);
    this.intervalA = this.timers.A;
    // "The initial state, 'calling', MUST be entered when the TU initiates a new client
    // transaction with an INVITE request. The client transaction MUST pass the request to
    // the transport layer for transmission." (§17.1.1.2)
    this.onEnter(S.Calling);
    this.sendToTarget(request);
  }

  protected onEnter(state: TransactionState): void {
    switch (state) {
      case S.Calling:
        // "If an unreliable transport is being used, the client transaction MUST start timer A
        // with a value of T1. [...] For any transport, the client transaction MUST start timer B
        // with a value of 64*T1 seconds." (§17.1.1.2)
        if (this.timers.A > 0) this.startTimer('A', this.intervalA, () => this.onTimerA());
        this.startTimer('B', this.timers.B, () => this.onTimerB());
        break;
      case S.Proceeding:
        // "In the 'Proceeding' state, the client transaction SHOULD NOT retransmit the request any longer." (§17.1.1.2)
        // Timer B only acts "if the client transaction is still in the 'Calling' state", so it
        // is stopped here; the TU bounds Proceeding itself (CANCEL after a ring timeout).
        this.stopTimer('A');
        this.stopTimer('B');
        break;
      case S.Completed:
        this.stopTimer('A');
        this.stopTimer('B');
        // "The client transaction SHOULD start timer D when it enters the 'Completed' state,
        // with a value of at least 32 seconds for unreliable transports, and a value of zero
        // seconds for reliable transports." (§17.1.1.2) Zero is handled by the caller, after
        // the response reached the TU.
        if (this.timers.D > 0) this.startTimer('D', this.timers.D, () => this.transition(S.Terminated));
        break;
      case S.Accepted:
        this.stopTimer('A');
        this.stopTimer('B');
        // "The client transaction MUST start Timer M with a value of 64*T1" (RFC 6026 §8.4)
        this.startTimer('M', this.timers.M, () => this.transition(S.Terminated));
        break;
      case S.Trying:
      case S.Confirmed:
      case S.Terminated:
        break;
    }
  }

  receiveResponse(response: SipResponse): void {
    const status = response.status;
    switch (this.state) {
      case S.Calling:
      case S.Proceeding:
        if (status < 200) {
          // "If the client transaction receives a provisional response while in the 'Calling'
          // state, it transitions to the 'Proceeding' state. [...] the provisional response
          // MUST be passed to the TU." (§17.1.1.2)
          if (this.state === S.Calling) this.transition(S.Proceeding);
          this.deliver(response);
          return;
        }
        if (status < 300) {
          // "When a 2xx response is received while in either the 'Calling' or 'Proceeding'
          // states, the client transaction MUST transition to the 'Accepted' state [...] The 2xx
          // response MUST be passed up to the TU. The client transaction MUST NOT generate an
          // ACK to the 2xx response" (RFC 6026 §8.4)
          this.transition(S.Accepted);
          this.deliver(response);
          return;
        }
        // "reception of a response with status code from 300-699 MUST cause the client
        // transaction to transition to 'Completed'. The client transaction MUST pass the
        // received response up to the TU, and the client transaction MUST generate an ACK
        // request, even if the transport is reliable" (§17.1.1.2)
        this.transition(S.Completed);
        this.sendToTarget(this.createAck(response));
        this.deliver(response);
        if (this.timers.D === 0 && this.inState(S.Completed)) this.transition(S.Terminated);
        return;
      case S.Completed:
        // "Any retransmissions of the final response that are received while in the
        // 'Completed' state MUST cause the ACK to be re-passed to the transport layer for
        // retransmission, but the newly received response MUST NOT be passed up to the TU." (§17.1.1.2)
        if (status >= 300) this.sendToTarget(this.createAck(response));
        return;
      case S.Accepted:
        // "Any 2xx responses that match this client transaction and that are received while
        // in the 'Accepted' state MUST be passed up to the TU. The client transaction MUST NOT
        // generate an ACK to the 2xx response." (RFC 6026 §8.4)
        if (status >= 200 && status < 300) this.deliver(response);
        return;
      case S.Trying:
      case S.Confirmed:
      case S.Terminated:
        return;
    }
  }

  protected onFallback(): void {
    // Now on UDP: "If an unreliable transport is being used, the client transaction MUST start
    // timer A with a value of T1." (§17.1.1.2) Timer B keeps running from the first attempt.
    if (this.state !== S.Calling) return;
    this.intervalA = this.timers.A;
    if (this.timers.A > 0) this.startTimer('A', this.intervalA, () => this.onTimerA());
  }

  private onTimerA(): void {
    if (this.state !== S.Calling) return;
    // "When timer A fires, the client transaction MUST retransmit the request by passing it
    // to the transport layer, and MUST reset the timer with a value of 2*T1." (§17.1.1.2)
    this.sendToTarget(this.request);
    this.intervalA *= 2;
    this.startTimer('A', this.intervalA, () => this.onTimerA());
  }

  private onTimerB(): void {
    // "If the client transaction is still in the 'Calling' state when timer B fires, the
    // client transaction SHOULD inform the TU that a timeout has occurred." (§17.1.1.2)
    if (this.state !== S.Calling) return;
    this.fail(new TransactionTimeoutError('B', 'INVITE', this.timers.B));
  }

  /**
   * The ACK for a 300-699 response, part of this transaction (§17.1.1.3): "The ACK request
   * constructed by the client transaction MUST contain values for the Call-ID, From, and
   * Request-URI that are equal to the values of those header fields in the request passed to
   * the transport by the client transaction [...]. The To header field in the ACK MUST equal
   * the To header field in the response being acknowledged [...]. The ACK MUST contain a single
   * Via header field, and this MUST be equal to the top Via header field of the original
   * request. The CSeq header field in the ACK MUST contain the same value for the sequence
   * number as was present in the original request, but the method parameter MUST be equal to
   * 'ACK'." and "If the INVITE request whose response is being acknowledged had Route header
   * fields, those header fields MUST appear in the ACK."
   */
  private createAck(response: SipResponse): SipRequest {
    const invite = this.request;
    const topVia = invite.topVia;
    const headers: Array<[string, string]> = [];
    if (topVia) headers.push(['Via', topVia.toString()]);
    headers.push(['Max-Forwards', String(invite.maxForwards ?? 70)]);
    for (const route of invite.getHeaders('Route')) headers.push(['Route', route]);
    headers.push(['From', invite.getHeader('From') ?? '']);
    headers.push(['To', response.getHeader('To') ?? '']);
    headers.push(['Call-ID', invite.callId]);
    headers.push(['CSeq', `${invite.cseq.seq} ACK`]);
    return SipRequest.create({ method: 'ACK', uri: invite.uri.clone(), headers });
  }
}
