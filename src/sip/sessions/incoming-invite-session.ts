import { randomInt } from 'node:crypto';
import type { DigestAuthenticator } from '../auth/digest-authenticator.js';
import { Dialog } from '../dialogs/dialog.js';
import { DialogState } from '../dialogs/dialog-state.js';
import { generateTag, type NameAddr, type SipRequest } from '../messages/index.js';
import type { InviteServerTransaction } from '../transactions/invite-server-transaction.js';
import type { ServerTransaction } from '../transactions/server-transaction.js';
import type { Endpoint, ReceivedInfo, TransportProtocol } from '../transport/transport-types.js';
import { AnswerRetransmitter } from './answer-retransmitter.js';
import { InviteSession } from './invite-session.js';
import { localContact } from './local-contact.js';
import { parseRAck } from './rack.js';
import { ReliableProvisionalSender } from './reliable-provisional-sender.js';
import type { SessionDescriptionHandler } from './session-description-handler.js';
import { SessionOperationError } from './session-errors.js';
import type { SessionHost } from './session-host.js';
import type { ResolvedSessionOptions } from './session-options.js';
import { sdpBody, sessionResponse } from './session-response.js';
import { SessionState } from './session-state.js';

/** What an incoming call is made of. */
export interface IncomingInviteSessionInit {
  request: SipRequest;
  transaction: InviteServerTransaction;
  info: ReceivedInfo;
  handler: SessionDescriptionHandler;
  options: ResolvedSessionOptions;
  contactUser?: string;
  authenticator?: DigestAuthenticator;
}

/** The transport and remote address a request arrived from. */
export interface RequestSource extends Endpoint {
  protocol: TransportProtocol;
}

/** How to ring. */
export interface RingOptions {
  /** Send 183 with our SDP answer (early media) instead of 180. */
  earlyMedia?: boolean;
  /** Send it reliably (RFC 3262) when the caller supports 100rel; always when it requires it. */
  reliable?: boolean;
}

/**
 * The callee's side of an INVITE session (RFC 3261 §13.3): the app rings, accepts or rejects;
 * the 2xx is retransmitted until the ACK (§13.3.1.4) and the call is BYEd when none comes;
 * CANCEL ends it with 487 (§9.2); a refused offer gets 488; reliable provisionals (RFC 3262 §3)
 * are retransmitted until PRACKed. The 100 Trying is the transaction's (after 200 ms, §17.2.1).
 */
export class IncomingInviteSession extends InviteSession {
  readonly role = 'uas' as const;
  readonly request: SipRequest;
  readonly localTag = generateTag();
  private readonly transaction: InviteServerTransaction;
  private readonly received: ReceivedInfo;
  private readonly earlyDialog: Dialog;
  private nextRSeq = randomInt(1, 2 ** 20);
  private reliable: ReliableProvisionalSender | undefined;
  /** The answer we sent in a reliable provisional (the offer/answer is then complete, RFC 3262 §5). */
  private answerSent: string | undefined;
  private finalSent = false;
  private accepting = false;
  private answerInAck = false;
  private acceptRetransmitter: AnswerRetransmitter | undefined;

  constructor(host: SessionHost, init: IncomingInviteSessionInit) {
    super(host, init.handler, init.options, init.authenticator);
    this.request = init.request;
    this.transaction = init.transaction;
    this.received = init.info;
    this.contact = localContact(this.core.transport, { protocol: init.info.protocol, address: init.info.remote.address, port: init.info.remote.port }, init.contactUser);
    this.remoteAllow = safeList(() => init.request.allow);
    // The dialog this INVITE will create (§12.1.1); addressed only once a response carries our tag.
    this.earlyDialog = Dialog.fromUas(init.request, this.localTag, DialogState.Early, init.info.protocol === 'tls');
    this.dialog = this.earlyDialog;
    this.bindDialog(this.earlyDialog);
    this.transition(SessionState.Incoming);
  }

  /** The caller (From). */
  get remoteIdentity(): NameAddr {
    return this.request.from;
  }

  /**
   * Where the INVITE arrived from, as the transport saw it: unlike From, which the caller
   * writes, this is what a door station can check against the PBX it trusts.
   */
  get source(): RequestSource {
    return { protocol: this.received.protocol, address: this.received.remote.address, port: this.received.remote.port };
  }

  /** The caller's SDP offer, if the INVITE had one. */
  get offer(): string | undefined {
    return sdpBody(this.request);
  }

  /** Whether the caller requires or supports reliable provisionals (RFC 3262). */
  get peerSupports100rel(): boolean {
    return safeList(() => this.request.require).includes('100rel') || safeList(() => this.request.supported).includes('100rel');
  }

  /**
   * Sends 180 Ringing (or 183 with early media). Reliable (RFC 3262 §3) when asked and the
   * caller supports 100rel, or whenever it requires it; then resolves once PRACKed.
   */
  async ring(options: RingOptions = {}): Promise<void> {
    this.assertUnanswered('ring');
    const required = safeList(() => this.request.require).includes('100rel');
    const reliable = required || (options.reliable === true && this.peerSupports100rel);
    if (reliable && this.reliable?.pending) {
      // RFC 3262 §3: "the UAS MUST NOT send a second reliable provisional response until the first is acknowledged."
      throw new SessionOperationError('the previous reliable provisional response is not PRACKed yet');
    }
    let sdp: string | undefined;
    if (options.earlyMedia) {
      const offer = this.offer;
      if (offer !== undefined) {
        sdp = this.answerSent ?? this.answerInitialOffer(offer);
        if (sdp === undefined) return;
        if (reliable) this.answerSent = sdp;
      }
    }
    const headers = this.refreshHeaders();
    let rseq: number | undefined;
    if (reliable) {
      rseq = this.nextRSeq++;
      headers.push(['Require', '100rel'], ['RSeq', String(rseq)]);
    }
    const response = sessionResponse(this.request, options.earlyMedia ? 183 : 180, {
      toTag: this.localTag,
      dialogForming: true,
      headers,
      ...(sdp !== undefined ? { sdp } : {}),
    });
    this.transaction.respond(response);
    if (this.state === SessionState.Incoming) this.transition(SessionState.Early);
    if (rseq === undefined) return;
    const sender = new ReliableProvisionalSender(() => this.transaction.respond(response), rseq, this.request.cseq.seq, this.options.t1, () => {
      // RFC 3262 §3: no PRACK for 64·T1: "the UAS SHOULD reject the original request with a 5xx response."
      if (this.finalSent || this.isEnded) return;
      this.sendFinal(500, 'No PRACK');
      this.end({ reason: 'timeout', status: 500, detail: 'reliable provisional never PRACKed' });
    }, sdp !== undefined);
    this.reliable = sender;
    await sender.result;
  }

  /**
   * Answers 200 with our SDP answer (or, for an INVITE without SDP, our offer; the answer then
   * comes in the ACK). A refused offer is answered 488 and ends the session instead.
   */
  async accept(): Promise<void> {
    this.assertUnanswered('accept');
    if (this.accepting) throw new SessionOperationError('accept() is already under way');
    this.accepting = true;
    const reliable = this.reliable;
    if (reliable?.pending && reliable.carriesSdp) {
      // RFC 3262 §3: "unless the final response is 2xx and any of the unacknowledged reliable
      // provisional responses contained a session description. In that case, it MUST NOT send a
      // final response until those provisional responses are acknowledged." Without a PRACK
      // the sender's 64·T1 timeout answers 500 instead.
      await reliable.result;
      if (this.finalSent || this.isEnded) return;
    }
    const timer = this.timerForRequest(this.request);
    if ('reject' in timer) {
      // The SessionManager answers 422 before the app sees the call; this guards direct use.
      this.sendFinal(422, undefined, [['Min-SE', String(timer.minSE)]]);
      this.end({ reason: 'rejected', status: 422 });
      return;
    }
    const offer = this.offer;
    let body: string;
    if (offer !== undefined) {
      const answer = this.answerSent ?? this.answerInitialOffer(offer);
      if (answer === undefined) return;
      body = answer;
    } else {
      // §13.3.1.4 with RFC 3264: no offer in the INVITE, so the 2xx carries ours.
      try {
        body = await this.handler.createOffer();
      } catch (error) {
        if (this.finalSent || this.isEnded) return;
        this.logger.warn('no offer for the 2xx', { error });
        this.sendFinal(500);
        this.end({ reason: 'error', status: 500, detail: `no offer: ${(error as Error).message}` });
        return;
      }
      this.answerInAck = true;
      if (this.finalSent || this.isEnded) return;
    }
    this.reliable?.close();
    const response = sessionResponse(this.request, 200, {
      toTag: this.localTag,
      dialogForming: true,
      headers: [...this.refreshHeaders(), ...timer.headers],
      sdp: body,
    });
    this.earlyDialog.confirm();
    this.finalSent = true;
    this.transaction.respond(response);
    this.transition(SessionState.AwaitingAck);
    this.acceptRetransmitter = new AnswerRetransmitter(() => this.transaction.respond(response), {
      t1: this.options.t1,
      t2: this.options.t2,
      retransmit: this.received.protocol === 'udp',
      // §13.3.1.4: "the dialog is confirmed, but the session SHOULD be terminated [...] with a BYE".
      onTimeout: () => {
        if (this.state !== SessionState.AwaitingAck) return;
        this.transition(SessionState.Confirmed);
        void this.byeAndEnd('timeout', { detail: 'no ACK for the 2xx' });
      },
    });
    if (timer.interval !== undefined) this.startSessionTimer(timer.interval, timer.weRefresh === true);
  }

  /** Rejects the call (486 Busy Here by default, 603 Decline, 403, 480…). Returns false when already answered. */
  reject(status = 486, reason?: string): boolean {
    if (this.finalSent || this.isEnded || status < 300 || status > 699) return false;
    this.sendFinal(status, reason);
    this.end({ reason: 'rejected', status });
    return true;
  }

  /** Ends the call in whatever state: reject before an answer, BYE after. */
  async terminate(): Promise<void> {
    if (this.reject(480)) return;
    await this.bye();
  }

  /** A CANCEL for our INVITE (the UA core already answered it 200, §9.2). */
  receiveCancel(): void {
    if (this.finalSent || this.isEnded) return;
    // §9.2: "the UAS SHOULD respond to the INVITE with a 487 (Request Terminated)."
    this.sendFinal(487);
    this.end({ reason: 'cancelled', status: 487 });
  }

  override receiveAck(ack: SipRequest, info: ReceivedInfo): void {
    if (this.state !== SessionState.AwaitingAck || ack.cseq.seq !== this.request.cseq.seq) {
      super.receiveAck(ack, info);
      return;
    }
    this.acceptRetransmitter?.acknowledge();
    this.transition(SessionState.Confirmed);
    if (this.answerInAck) {
      const sdp = sdpBody(ack);
      if (sdp === undefined) {
        void this.byeAndEnd('error', { detail: 'the ACK carried no answer to our offer' });
        return;
      }
      try {
        this.handler.receiveAnswer(sdp);
      } catch (error) {
        // The exchange failed and cannot be retried (the ACK has no response): like §13.2.2.4's
        // unacceptable offer in a 2xx, the session is ended with BYE.
        void this.byeAndEnd('error', { detail: `unusable SDP answer in the ACK: ${(error as Error).message}` });
        return;
      }
    }
    this.confirmed();
  }

  protected override receivePrack(request: SipRequest, transaction: ServerTransaction): void {
    const rack = parseRAck(request.getHeader('RAck'));
    const sender = this.reliable;
    // A final response stops the retransmissions, but "it MUST be prepared to process PRACK
    // requests for those outstanding responses" (RFC 3262 §3): an unacknowledged one still matches.
    if (!rack || !sender || sender.acknowledged || !sender.matches(rack)) {
      // RFC 3262 §3: "If a PRACK request is received that doesn't match any unacknowledged reliable provisional response, the UAS MUST respond to the PRACK with a 481".
      transaction.respond(this.respondTo(request, 481));
      return;
    }
    transaction.respond(this.respondTo(request, 200));
    sender.acknowledge();
  }

  protected override onRemoteBye(): void {
    // §15.1.2: a BYE before our final response: "the UAS MUST [...] respond to the original INVITE with a 487".
    if (!this.finalSent) this.sendFinal(487);
  }

  protected override updateOfferConflict(dialog: Dialog): 491 | 500 | undefined {
    // Before the final response we still owe the INVITE's offer an answer, unless a reliable 1xx carried it.
    if (!this.finalSent) return this.answerSent === undefined ? 500 : super.updateOfferConflict(dialog);
    // Our offer in the 2xx (INVITE without SDP) waits for its answer in the ACK.
    if (this.state === SessionState.AwaitingAck && this.answerInAck) return 491;
    return super.updateOfferConflict(dialog);
  }

  protected onEnd(): void {
    this.reliable?.close();
    this.acceptRetransmitter?.close();
  }

  override close(): void {
    // A call closed before any answer still gets a final response, so the caller stops ringing.
    if (!this.finalSent && !this.isEnded) this.sendFinal(480);
    super.close();
  }

  /** The answer to the INVITE's offer, or undefined after answering 488 and ending. */
  private answerInitialOffer(offer: string): string | undefined {
    const result = this.answerOffer(offer);
    if ('reject' in result) {
      // §13.3.1.1 / RFC 3264: an unacceptable offer gets 488 Not Acceptable Here.
      this.sendFinal(488);
      this.end({ reason: 'rejected', status: 488 });
      return undefined;
    }
    return result.answer;
  }

  private sendFinal(status: number, reason?: string, headers: Array<[string, string]> = []): void {
    if (this.finalSent) return;
    this.finalSent = true;
    this.reliable?.close();
    this.transaction.respond(
      sessionResponse(this.request, status, { toTag: this.localTag, headers, ...(reason !== undefined ? { reason } : {}) }),
    );
  }

  private assertUnanswered(what: string): void {
    if (this.finalSent || (this.state !== SessionState.Incoming && this.state !== SessionState.Early)) {
      throw new SessionOperationError(`cannot ${what} in state ${this.state}`);
    }
  }
}

function safeList(read: () => string[]): string[] {
  try {
    return read();
  } catch {
    return [];
  }
}
