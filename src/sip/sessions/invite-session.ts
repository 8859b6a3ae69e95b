import { randomUUID } from 'node:crypto';
import type { Logger } from '../../log/logger.js';
import { TypedEmitter } from '../../util/typed-emitter.js';
import type { DigestAuthenticator } from '../auth/digest-authenticator.js';
import { Dialog } from '../dialogs/dialog.js';
import { DialogState } from '../dialogs/dialog-state.js';
import type { SipRequest, SipResponse, SipUri } from '../messages/index.js';
import type { ServerTransaction } from '../transactions/server-transaction.js';
import type { ReceivedInfo } from '../transport/transport-types.js';
import { ALLOWED_METHODS, SUPPORTED_EXTENSIONS } from '../user-agent/capabilities.js';
import type { UserAgentCore } from '../user-agent/user-agent-core.js';
import { AnswerRetransmitter } from './answer-retransmitter.js';
import { glareRetryDelay } from './glare-delay.js';
import { OwnedTimers } from './owned-timers.js';
import { isHoldOffer, sdpDirection } from './sdp-direction.js';
import type { OfferRejection, SessionDescriptionHandler } from './session-description-handler.js';
import { SessionEndedError, SessionOperationError } from './session-errors.js';
import type { InviteSessionEvents, SessionEndedInfo, SessionEndReason, SessionRenegotiationInfo } from './session-events.js';
import {
  expiryDelayMs,
  formatSessionExpires,
  readMinSE,
  readSessionExpires,
  refreshDelayMs,
  type Refresher,
} from './session-expires.js';
import type { SessionHost } from './session-host.js';
import type { ResolvedSessionOptions } from './session-options.js';
import { sdpBody, sessionResponse } from './session-response.js';
import { assertSessionTransition, SessionState } from './session-state.js';
import { sendInDialogInvite } from './in-dialog-invite-client.js';
import { negotiateTimerForRequest, type TimerVerdict } from './session-timer-negotiation.js';
import { TwoXxAck } from './two-xx-ack.js';

/** How many times a 491 is retried before the renegotiation is given up. */
const MAX_GLARE_RETRIES = 4;
/** Wait before the one retry of a refused session refresh, when the response has no Retry-After. */
const REFRESH_RETRY_MS = 1000;
/** The longest wait before that retry: a Retry-After beyond it is not waited for. */
const REFRESH_RETRY_MAX_MS = 10_000;

/** The outcome of one re-INVITE or UPDATE (after its 491 retries): the final response, when there was one. */
interface RenegotiationOutcome {
  status: number;
  response?: SipResponse;
}

/** A UAS-side re-INVITE whose 2xx waits for its ACK. */
interface PendingIncomingInvite {
  seq: number;
  retransmitter: AnswerRetransmitter;
  /** We offered in the 2xx (the re-INVITE had no SDP): the answer comes in the ACK. */
  answerInAck: boolean;
}


/**
 * The INVITE usage of a dialog (RFC 3261 §13–§15, RFC 3311, RFC 4028): what both sides do
 * once the dialog exists — BYE, re-INVITE and UPDATE both ways with 491 glare handling, INFO,
 * OPTIONS, session timers and the maximum call duration. OutgoingInviteSession and
 * IncomingInviteSession add the initial INVITE's two sides. Every timer belongs to the
 * session; `close()` (idempotent) stops them all.
 */
export abstract class InviteSession extends TypedEmitter<InviteSessionEvents> {
  /** Identifier for logs. */
  readonly id = randomUUID();
  /** Which side of the initial INVITE we are; the UAC owns the Call-ID (§14.1). */
  abstract readonly role: 'uac' | 'uas';
  protected readonly core: UserAgentCore;
  protected readonly logger: Logger;
  protected readonly timers = new OwnedTimers();
  protected dialog: Dialog | undefined;
  /** Our Contact for this dialog. */
  protected contact: SipUri | undefined;
  /** Methods the peer allows (its Allow header). */
  protected remoteAllow: string[] = [];
  private current = SessionState.Initial;
  private endInfo: SessionEndedInfo | undefined;
  private readonly boundKeys = new Set<string>();
  /** Our re-INVITE is in progress (§14.1: one INVITE transaction at a time per dialog). */
  private outgoingInvitePending = false;
  /** Our UPDATE with an offer waits for its answer (RFC 3311 §5.1). */
  private outgoingUpdatePending = false;
  /** A peer's re-INVITE is being answered (before its final response). */
  private incomingInviteAnswering = false;
  private incomingInvite: PendingIncomingInvite | undefined;
  private readonly reinviteAcks = new Map<number, TwoXxAck>();
  private sessionTimer: { interval: number; weRefresh: boolean } | undefined;
  /** The largest Min-SE a peer's 422 to our refresh asked for (RFC 4028 §7.4): later requests carry it. */
  private peerMinSE: number | undefined;
  /** The ACK to the initial 2xx while it is being sent: a BYE must not overtake it on the wire. */
  protected ackInFlight: Promise<void> | undefined;
  /** Callbacks waiting for the initial ACK (a UAS must not BYE before it, §15). */
  protected readonly ackWaiters: Array<() => void> = [];

  protected constructor(
    protected readonly host: SessionHost,
    /** The offer/answer delegate (the call's media). */
    readonly handler: SessionDescriptionHandler,
    protected readonly options: ResolvedSessionOptions,
    protected readonly authenticator: DigestAuthenticator | undefined,
  ) {
    super();
    this.core = host.core;
    this.logger = host.logger.child({ session: this.id });
  }

  get state(): SessionState {
    return this.current;
  }

  /** Why the session ended, once it has. */
  get endedInfo(): SessionEndedInfo | undefined {
    return this.endInfo;
  }

  get isEnded(): boolean {
    return this.current === SessionState.Terminated;
  }

  /** The confirmed (or early, UAS) dialog, for diagnostics. */
  get dialogState(): Dialog | undefined {
    return this.dialog;
  }

  /** The negotiated session timer (RFC 4028), if any: interval in seconds and whether we refresh. */
  get sessionTimerState(): { interval: number; weRefresh: boolean } | undefined {
    return this.sessionTimer ? { ...this.sessionTimer } : undefined;
  }

  /** Ends the call: BYE when it is up. Subclasses handle the earlier states (CANCEL, reject). */
  async bye(): Promise<void> {
    if (this.current === SessionState.AwaitingAck) {
      // §15: "The callee's UA MUST NOT send a BYE on a confirmed dialog until it has received an
      // ACK for its 2xx response or until the server transaction times out."
      await new Promise<void>((resolve) => this.ackWaiters.push(resolve));
    }
    if (this.current !== SessionState.Confirmed) {
      if (this.isEnded) return;
      throw new SessionOperationError(`cannot send BYE in state ${this.current}`);
    }
    await this.byeAndEnd('bye-local');
  }

  /**
   * Renegotiates the session with a re-INVITE carrying a new offer (§14.1) — hold, resume or a
   * new address; retries after 491 with the §14.1 back-off. Resolves with the final status
   * (non-2xx leaves the session as it was, §14.1).
   */
  async reinvite(): Promise<number> {
    return (await this.renegotiate('INVITE', true)).status;
  }

  /** Renegotiates with UPDATE (RFC 3311): with a new offer, or without one as a session refresh. */
  async update(options: { offer?: boolean } = {}): Promise<number> {
    return (await this.renegotiate('UPDATE', options.offer !== false)).status;
  }

  /** Sends INFO (RFC 6086) in the dialog; resolves with the final status. */
  async info(contentType: string, body: Buffer | string): Promise<number> {
    const dialog = this.requireDialog();
    const request = dialog.createRequest('INFO', { headers: [['Content-Type', contentType]], body });
    const response = await this.sendInDialog(dialog, request);
    return response.status;
  }

  /** Ends the session without signalling (shutdown); stops every timer. Idempotent. */
  close(): void {
    this.end({ reason: 'closed' });
  }

  // ---- called by the SessionManager ------------------------------------------------------

  /** An in-dialog request routed to this session by its dialog ID. */
  receiveRequest(request: SipRequest, transaction: ServerTransaction, info: ReceivedInfo): void {
    const dialog = this.dialogOf(request);
    if (!dialog || this.isEnded || dialog.state === DialogState.Terminated) {
      transaction.respond(this.core.response(request, 481));
      return;
    }
    const verdict = dialog.receiveRequest(request);
    if (!verdict.accept) {
      transaction.respond(this.respondTo(request, verdict.status, { reason: verdict.reason }));
      return;
    }
    if (dialog !== this.dialog) {
      // An early dialog of our INVITE that no 2xx confirmed (yet): RFC 3311 §5.1 lets the callee
      // UPDATE in it and RFC 6086 INFO; §15: "the callee's UA [...] MUST NOT send a BYE on early dialogs".
      switch (request.method) {
        case 'UPDATE':
          this.receiveUpdate(request, transaction, dialog);
          return;
        case 'INFO':
          this.receiveInfo(request, transaction);
          return;
        case 'OPTIONS':
          transaction.respond(this.core.optionsResponse(request));
          return;
        default:
          transaction.respond(this.respondTo(request, 481));
          return;
      }
    }
    switch (request.method) {
      case 'BYE':
        this.receiveBye(request, transaction);
        return;
      case 'INVITE':
        void this.receiveReinvite(request, transaction, info);
        return;
      case 'UPDATE':
        this.receiveUpdate(request, transaction, dialog);
        return;
      case 'INFO':
        this.receiveInfo(request, transaction);
        return;
      case 'PRACK':
        this.receivePrack(request, transaction);
        return;
      case 'OPTIONS':
        // §11.2 within a dialog: the same answer as outside, with the dialog's tag.
        transaction.respond(this.core.optionsResponse(request));
        return;
      default:
        transaction.respond(this.respondTo(request, 405, { headers: [['Allow', ALLOWED_METHODS.join(', ')]] }));
    }
  }

  /** An ACK routed to this session (the initial one is the UAS subclass's). */
  receiveAck(ack: SipRequest, _info: ReceivedInfo): void {
    const pending = this.incomingInvite;
    if (!pending || ack.cseq.seq !== pending.seq) return;
    pending.retransmitter.acknowledge();
    this.incomingInvite = undefined;
    if (pending.answerInAck) {
      const sdp = sdpBody(ack);
      if (sdp === undefined) {
        // §14.2 / RFC 3264: our offer in the 2xx must be answered in the ACK.
        void this.byeAndEnd('error', { detail: 'ACK to our offer carried no answer' });
        return;
      }
      try {
        this.handler.receiveAnswer(sdp);
      } catch (error) {
        void this.byeAndEnd('error', { detail: `unusable SDP answer in the ACK: ${(error as Error).message}` });
      }
    }
  }

  /** A 2xx to an INVITE of ours that its transaction no longer takes (retransmission after Timer M, RFC 6026). */
  receiveStray2xx(response: SipResponse): void {
    void this.reinviteAcks.get(response.cseq.seq)?.send();
  }

  // ---- for subclasses -----------------------------------------------------------------------

  protected transition(to: SessionState): void {
    assertSessionTransition(this.current, to);
    this.logger.debug(`session ${this.current} -> ${to}`);
    this.current = to;
  }

  /** The session just came up: start the maximum-duration timer and tell the app. */
  protected confirmed(): void {
    if (this.options.maxDurationMs > 0) {
      this.timers.start('maxDuration', this.options.maxDurationMs, () => void this.byeAndEnd('max-duration'));
    }
    const waiters = this.ackWaiters.splice(0);
    for (const w of waiters) w();
    this.emit('accepted');
  }

  protected bindDialog(dialog: Dialog): void {
    this.boundKeys.add(dialog.id);
    this.host.bindDialog(dialog.id, this);
  }

  protected unbindDialog(dialog: Dialog): void {
    this.boundKeys.delete(dialog.id);
    this.host.unbindDialog(dialog.id);
  }

  /** Ends the session once: stops timers, terminates the dialog, reports. */
  protected end(info: SessionEndedInfo): void {
    if (this.isEnded) return;
    this.transition(SessionState.Terminated);
    this.endInfo = info;
    this.timers.clear();
    this.incomingInvite?.retransmitter.close();
    this.incomingInvite = undefined;
    this.onEnd();
    this.dialog?.terminate();
    for (const key of this.boundKeys) this.host.unbindDialog(key);
    this.boundKeys.clear();
    const waiters = this.ackWaiters.splice(0);
    for (const w of waiters) w();
    this.logger.info('session ended', { reason: info.reason, status: info.status, detail: info.detail });
    this.emit('ended', info);
  }

  /** The dialog an in-dialog request belongs to: ours, or (UAC) one of the early dialogs of our INVITE. */
  protected dialogOf(_request: SipRequest): Dialog | undefined {
    return this.dialog;
  }

  /**
   * Why an offer in an UPDATE on `dialog` cannot be taken now (RFC 3311 §5.2): 491 while an offer
   * of ours waits for its answer, 500 while we owe an answer to the peer's. Undefined when it can.
   */
  protected updateOfferConflict(_dialog: Dialog): 491 | 500 | undefined {
    return this.outgoingUpdatePending || this.outgoingInvitePending ? 491 : undefined;
  }

  /** Releases what a subclass owns (retransmitters, guards). */
  protected abstract onEnd(): void;

  /** A BYE in this state: the UAS answers a pending INVITE with 487 (§15.1.2). */
  protected onRemoteBye(): void {}

  /** PRACK is the UAS subclass's business; elsewhere nothing matches it (RFC 3262 §3). */
  protected receivePrack(request: SipRequest, transaction: ServerTransaction): void {
    transaction.respond(this.respondTo(request, 481));
  }

  /** A response to an in-dialog request, with the dialog's tag already in To. */
  protected respondTo(request: SipRequest, status: number, init: { reason?: string; headers?: Array<[string, string]>; sdp?: string } = {}): SipResponse {
    // The To tag of an in-dialog request is our local tag, whichever of our (early) dialogs it is in.
    return sessionResponse(request, status, { toTag: this.dialog?.localTag ?? request.to.tag ?? '', ...init });
  }

  /** Contact, Allow and Supported: what a target refresh request or its 2xx carries. */
  protected refreshHeaders(): Array<[string, string]> {
    const headers: Array<[string, string]> = [];
    if (this.contact) headers.push(['Contact', `<${this.contact.toString()}>`]);
    headers.push(['Allow', ALLOWED_METHODS.join(', ')], ['Supported', SUPPORTED_EXTENSIONS.join(', ')]);
    return headers;
  }

  /** Sends a BYE if the dialog is up, and ends with `reason`. */
  protected async byeAndEnd(reason: SessionEndReason, extra: { status?: number; detail?: string } = {}): Promise<void> {
    const dialog = this.dialog;
    const canBye = dialog !== undefined && dialog.state === DialogState.Confirmed && !this.isEnded;
    const bye = canBye ? dialog.createRequest('BYE') : undefined;
    this.end({ reason, ...extra });
    if (!bye || !dialog) return;
    try {
      await this.ackInFlight;
      await this.sendInDialog(dialog, bye);
    } catch (error) {
      this.logger.warn('BYE failed', { error });
    }
  }

  /** Sends a non-INVITE request of `dialog` (RFC 3263 targets, digest answers) and keeps its CSeq space in step. */
  protected async sendInDialog(dialog: Dialog, request: SipRequest): Promise<SipResponse> {
    const outcome = await this.core.send(request, this.authenticator ? { authenticator: this.authenticator } : {});
    // A challenge made the sender raise the CSeq; later requests must go above it (§12.2.1.1).
    if (outcome.request.cseq.seq > dialog.localSeq) dialog.localSeq = outcome.request.cseq.seq;
    return outcome.response;
  }

  /** Session-timer headers of a request we send in the dialog (RFC 4028 §7.1, §10). */
  protected timerRequestHeaders(): Array<[string, string]> {
    const cfg = this.options.sessionTimers;
    if (!cfg) return [];
    // RFC 4028 §7.4: after a 422 the interval is at least the Min-SE it carried, and so is our Min-SE.
    const minSE = Math.max(cfg.minSE, this.peerMinSE ?? 0);
    const interval = Math.max(this.sessionTimer?.interval ?? cfg.expires, minSE);
    // The refresher keeps its role: as the sender of this request, "uac" is us.
    const refresher: Refresher | undefined = this.sessionTimer ? (this.sessionTimer.weRefresh ? 'uac' : 'uas') : undefined;
    return [
      ['Session-Expires', formatSessionExpires(refresher ? { interval, refresher } : { interval })],
      ['Min-SE', String(minSE)],
    ];
  }

  /** The session timer for a 2xx we send (RFC 4028 §9), or a 422; see negotiateTimerForRequest. */
  protected timerForRequest(request: SipRequest): TimerVerdict {
    return negotiateTimerForRequest(request, this.options.sessionTimers);
  }

  /** The session timer a 2xx to our INVITE, re-INVITE or UPDATE settled (RFC 4028 §7.2). */
  protected applyTimerFromResponse(response: SipResponse): void {
    if (!this.options.sessionTimers) return;
    const se = readSessionExpires(response);
    if (!se) {
      // §7.2: "If the 2xx response did not contain a Session-Expires header field, there is no session expiration."
      this.stopSessionTimer();
      return;
    }
    // We were the UAC of this transaction: "uac" means us. A missing refresher is the UAS's error; we take it on.
    this.startSessionTimer(se.interval, (se.refresher ?? 'uac') === 'uac');
  }

  /**
   * RFC 4028 §10: the refresher refreshes at half the interval; the other side sends BYE when
   * no refresh came by interval − min(32, interval/3). The refresher also gives up at the
   * full interval when its refreshes keep failing.
   */
  protected startSessionTimer(interval: number, weRefresh: boolean): void {
    this.stopSessionTimer();
    if (this.isEnded) return;
    this.sessionTimer = { interval, weRefresh };
    if (weRefresh) this.timers.start('sessionRefresh', refreshDelayMs(interval), () => void this.refreshSession());
    this.timers.start('sessionExpiry', weRefresh ? interval * 1000 : expiryDelayMs(interval), () => {
      void this.byeAndEnd('session-expired');
    });
    this.emit('sessionTimer', { interval, refresher: weRefresh ? 'local' : 'remote' });
  }

  private stopSessionTimer(): void {
    this.sessionTimer = undefined;
    this.timers.stop('sessionRefresh');
    this.timers.stop('sessionExpiry');
  }

  /**
   * Sends a session refresh. A refusal other than 408/481 (which end the dialog) is retried
   * once after a short wait — a 422 with the larger Session-Expires its Min-SE asks for
   * (RFC 4028 §7.4) — before the session is left to expire; waiting for expiry after one
   * transient 500 (or a 491 that outlasted its glare retries) would drop a working call.
   */
  private async refreshSession(retry = false): Promise<void> {
    if (this.current !== SessionState.Confirmed) return;
    if (this.outgoingInvitePending || this.outgoingUpdatePending || this.incomingInviteAnswering || this.incomingInvite) {
      // Another offer/answer is under way; its 2xx refreshes the session too. Look again soon.
      this.timers.start('sessionRefresh', 1000, () => void this.refreshSession(retry));
      return;
    }
    const cfg = this.options.sessionTimers;
    const useUpdate = cfg !== false && cfg.refreshMethod === 'update' && this.remoteAllow.includes('UPDATE');
    let outcome: RenegotiationOutcome;
    try {
      // RFC 4028 §10: an UPDATE refresh needs no offer; a re-INVITE one re-offers the current session.
      outcome = useUpdate ? await this.renegotiate('UPDATE', false) : await this.renegotiate('INVITE', true);
    } catch (error) {
      this.logger.warn('session refresh failed', { error });
      return;
    }
    const { status, response } = outcome;
    // 2xx: refreshed. 408/481: the dialog is gone (§12.2.1.2), already ended.
    if ((status >= 200 && status < 300) || this.isEnded || status === 408 || status === 481) return;
    if (retry || !this.sessionTimer?.weRefresh) {
      this.logger.warn('session refresh refused again; the session ends at its expiry', { status });
      return;
    }
    if (status === 422 && response) {
      // RFC 4028 §7.4 (paraphrased): after a 422 the UAC may retry with a Session-Expires of at least the
      // Min-SE the 422 carried, and the retried request's Min-SE carries that value too.
      const minSE = readMinSE(response);
      if (minSE !== undefined) this.peerMinSE = Math.max(this.peerMinSE ?? 0, minSE);
    }
    const delay = refreshRetryDelayMs(response, this.sessionTimer.interval);
    this.logger.info('session refresh refused; retrying once', { status, delayMs: delay });
    this.timers.start('sessionRefresh', delay, () => void this.refreshSession(true));
  }

  // ---- outgoing re-INVITE / UPDATE ----------------------------------------------------------

  private async renegotiate(method: 'INVITE' | 'UPDATE', withOffer: boolean): Promise<RenegotiationOutcome> {
    for (let attempt = 0; ; attempt++) {
      const dialog = this.requireDialog();
      if (this.current !== SessionState.Confirmed) throw new SessionOperationError(`cannot send ${method} in state ${this.current}`);
      // §14.1: "a UAC MUST NOT initiate a re-INVITE transaction while another INVITE transaction is in progress in either direction."
      if (this.outgoingInvitePending || this.outgoingUpdatePending || this.incomingInviteAnswering || this.incomingInvite?.retransmitter.active) {
        throw new SessionOperationError(`an offer/answer exchange is in progress; ${method} not sent`);
      }
      const outcome = await this.renegotiateOnce(dialog, method, withOffer);
      if (outcome.status !== 491 || attempt >= MAX_GLARE_RETRIES || this.isEnded) return outcome;
      // §14.1: retry after a random wait that depends on who owns the Call-ID.
      const owner = this.role === 'uac';
      const delay = this.options.glareDelayMs ? this.options.glareDelayMs(owner) : glareRetryDelay(owner);
      this.logger.info(`${method} got 491; retrying`, { delayMs: delay });
      await new Promise<void>((resolve) => this.timers.start('glare', delay, resolve));
      if (this.isEnded) throw new SessionEndedError();
      // The peer's own renegotiation may still be answering; wait for it to finish.
      while (this.incomingInviteAnswering || this.incomingInvite?.retransmitter.active) {
        await new Promise<void>((resolve) => this.timers.start('glare', 50, resolve));
        if (this.isEnded) throw new SessionEndedError();
      }
    }
  }

  private async renegotiateOnce(dialog: Dialog, method: 'INVITE' | 'UPDATE', withOffer: boolean): Promise<RenegotiationOutcome> {
    if (method === 'INVITE') this.outgoingInvitePending = true;
    else if (withOffer) this.outgoingUpdatePending = true;
    let offerMade = false;
    try {
      const offer = withOffer ? await this.handler.createOffer() : undefined;
      offerMade = offer !== undefined;
      if (this.isEnded) throw new SessionEndedError();
      const headers = [...this.refreshHeaders(), ...this.timerRequestHeaders()];
      if (offer !== undefined) headers.push(['Content-Type', 'application/sdp']);
      const request = dialog.createRequest(method, { headers, ...(offer !== undefined ? { body: offer } : {}) });
      const response = method === 'INVITE' ? await this.sendReinvite(dialog, request) : await this.sendInDialog(dialog, request);
      if (this.isEnded) return { status: response.status, response };
      const status = response.status;
      if (status >= 200 && status < 300) {
        // §12.2.1.2: "When a UAC receives a 2xx response to a target refresh request, it MUST replace the dialog's remote target URI".
        dialog.refreshTarget(response);
        const answer = sdpBody(response);
        if (offer !== undefined) {
          if (answer === undefined) {
            this.logger.warn(`2xx to our ${method} offer carried no answer`);
            this.handler.rollbackOffer?.();
          } else {
            try {
              this.handler.receiveAnswer(answer);
            } catch (error) {
              // The peer moved to media we cannot read; the ACK is out, so the session ends with BYE.
              await this.byeAndEnd('error', { status, detail: `unusable SDP answer to our ${method}: ${(error as Error).message}` });
              return { status, response };
            }
          }
        }
        this.applyTimerFromResponse(response);
        return { status, response };
      }
      // §14.1: "If a UA receives a non-2xx final response to a re-INVITE, the session parameters
      // MUST remain unchanged, as if no re-INVITE had been issued" — our offer is withdrawn, so
      // that the next one (a 491 retry, a hold, a session refresh) can be made.
      if (offer !== undefined) this.handler.rollbackOffer?.();
      if (status === 481 || status === 408) {
        // §12.2.1.2: "If the response for a request within a dialog is a 481 (Call/Transaction
        // Does Not Exist) or a 408 (Request Timeout), the UAC SHOULD terminate the dialog."
        if (status === 408) await this.byeAndEnd('timeout', { status });
        else this.end({ reason: 'error', status, detail: `${method} answered 481` });
      }
      return { status, response };
    } catch (error) {
      if (offerMade) this.handler.rollbackOffer?.();
      if (error instanceof SessionEndedError || error instanceof SessionOperationError) throw error;
      // No response at all: like a 408 (§14.1).
      this.logger.warn(`${method} failed`, { error });
      await this.byeAndEnd('timeout', { detail: `${method} got no response` });
      return { status: 408 };
    } finally {
      if (method === 'INVITE') this.outgoingInvitePending = false;
      else if (withOffer) this.outgoingUpdatePending = false;
    }
  }

  /** One re-INVITE client transaction (with challenge rounds); ACKs its 2xx (§13.2.2.4). */
  private sendReinvite(dialog: Dialog, request: SipRequest): Promise<SipResponse> {
    return sendInDialogInvite(this.core, dialog, request, this.authenticator, (sent, response) => this.ackReinvite(sent, response));
  }

  private ackReinvite(request: SipRequest, response: SipResponse): void {
    const seq = request.cseq.seq;
    let ack = this.reinviteAcks.get(seq);
    if (!ack && this.dialog) {
      // §12.2.1.2: the 2xx to a target refresh replaces the remote target — before the ACK is built,
      // since the ACK is the dialog's next request.
      this.dialog.refreshTarget(response);
      const headers = credentialsOf(request);
      ack = new TwoXxAck(this.core, this.dialog.createRequest('ACK', { cseq: seq, headers }), this.logger);
      this.reinviteAcks.clear();
      this.reinviteAcks.set(seq, ack);
    }
    void ack?.send();
  }

  // ---- incoming in-dialog requests ----------------------------------------------------------

  private receiveBye(request: SipRequest, transaction: ServerTransaction): void {
    // §15.1.2: "the UAS MUST generate a 2xx response to the BYE, and MUST pass that to the server transaction for transmission."
    transaction.respond(this.respondTo(request, 200));
    this.onRemoteBye();
    this.end({ reason: 'bye-remote' });
  }

  private async receiveReinvite(request: SipRequest, transaction: ServerTransaction, _info: ReceivedInfo): Promise<void> {
    if (this.current !== SessionState.Confirmed || this.incomingInviteAnswering || this.incomingInvite?.retransmitter.active) {
      // §14.2: "A UAS that receives a second INVITE before it sends the final response to a first
      // INVITE with a lower CSeq sequence number on the same dialog MUST return a 500 [...] and
      // MUST include a Retry-After header field with a randomly chosen value of between 0 and 10 seconds."
      transaction.respond(this.respondTo(request, 500, { headers: [['Retry-After', String(Math.floor(Math.random() * 11))]] }));
      return;
    }
    if (this.outgoingInvitePending || this.outgoingUpdatePending) {
      // §14.2: "A UAS that receives an INVITE on a dialog while an INVITE it had sent on that dialog is in progress MUST return a 491";
      // likewise while our UPDATE's offer is unanswered (RFC 3311 §5.2).
      transaction.respond(this.respondTo(request, 491));
      return;
    }
    const timer = this.timerForRequest(request);
    if ('reject' in timer) {
      transaction.respond(this.respondTo(request, 422, { headers: [['Min-SE', String(timer.minSE)]] }));
      return;
    }
    this.incomingInviteAnswering = true;
    try {
      this.dialog!.refreshTarget(request);
      this.remoteAllow = safeList(() => request.allow);
      const offer = sdpBody(request);
      let body: string;
      let answerInAck = false;
      if (offer !== undefined) {
        const result = this.answerOffer(offer);
        this.emit('reinvite', renegotiationInfo(offer, !('reject' in result)));
        if ('reject' in result) {
          // §14.2: a refused offer leaves the session as it was.
          transaction.respond(this.respondTo(request, 488));
          return;
        }
        body = result.answer;
      } else {
        // §14.2: "If the re-INVITE has no offer, the UAS makes one in its 2xx and expects the answer in the ACK."
        try {
          body = await this.handler.createOffer();
        } catch (error) {
          this.logger.warn('no offer for the 2xx to a re-INVITE', { error });
          if (!this.isEnded) transaction.respond(this.respondTo(request, 500));
          return;
        }
        answerInAck = true;
        this.emit('reinvite', { hold: false, accepted: true });
      }
      if (this.isEnded) return;
      const response = this.respondTo(request, 200, { headers: [...this.refreshHeaders(), ...timer.headers], sdp: body });
      transaction.respond(response);
      this.incomingInvite = {
        seq: request.cseq.seq,
        answerInAck,
        retransmitter: new AnswerRetransmitter(() => transaction.respond(response), {
          t1: this.options.t1,
          t2: this.options.t2,
          retransmit: _info.protocol === 'udp',
          onTimeout: () => void this.byeAndEnd('timeout', { detail: 'no ACK for the 2xx to a re-INVITE' }),
        }),
      };
      if (timer.interval !== undefined) this.startSessionTimer(timer.interval, timer.weRefresh === true);
    } finally {
      this.incomingInviteAnswering = false;
    }
  }

  private receiveUpdate(request: SipRequest, transaction: ServerTransaction, dialog: Dialog): void {
    const offer = sdpBody(request);
    const conflict = offer !== undefined ? this.updateOfferConflict(dialog) : undefined;
    if (conflict === 491) {
      // RFC 3311 §5.2: "If an UPDATE is received that contains an offer, and the UAS has generated
      // an offer (in an UPDATE, PRACK or INVITE) to which it has not yet received an answer, the
      // UAS MUST reject the UPDATE with a 491 response."
      transaction.respond(this.respondTo(request, 491));
      return;
    }
    if (conflict === 500) {
      // RFC 3311 §5.2: "If the UAS received an offer in an INVITE, PRACK, or UPDATE and has not yet
      // generated an answer, it MUST reject the UPDATE with a 500 [...] and MUST include a
      // Retry-After header field with a randomly chosen value between 0 and 10 seconds."
      transaction.respond(this.respondTo(request, 500, { headers: [['Retry-After', String(Math.floor(Math.random() * 11))]] }));
      return;
    }
    const timer = this.timerForRequest(request);
    if ('reject' in timer) {
      transaction.respond(this.respondTo(request, 422, { headers: [['Min-SE', String(timer.minSE)]] }));
      return;
    }
    // RFC 3311 §5.2: UPDATE is a target refresh request.
    dialog.refreshTarget(request);
    let answer: string | undefined;
    if (offer !== undefined) {
      const result = this.answerOffer(offer);
      this.emit('update', renegotiationInfo(offer, !('reject' in result)));
      if ('reject' in result) {
        transaction.respond(this.respondTo(request, 488));
        return;
      }
      answer = result.answer;
    } else {
      this.emit('update', { hold: false, accepted: true });
    }
    transaction.respond(
      this.respondTo(request, 200, { headers: [...this.refreshHeaders(), ...timer.headers], ...(answer !== undefined ? { sdp: answer } : {}) }),
    );
    if (timer.interval !== undefined && this.current === SessionState.Confirmed) this.startSessionTimer(timer.interval, timer.weRefresh === true);
  }

  /** The handler's answer to a peer's offer; an offer it throws on is refused like an unacceptable one (488). */
  protected answerOffer(offer: string): { answer: string } | OfferRejection {
    try {
      return this.handler.receiveOffer(offer);
    } catch (error) {
      this.logger.warn('the media layer could not answer an offer', { error });
      return { reject: 488 };
    }
  }

  private receiveInfo(request: SipRequest, transaction: ServerTransaction): void {
    const contentType = request.contentType;
    const status = this.options.infoResponder?.(contentType, request.body) ?? 200;
    transaction.respond(this.respondTo(request, status));
    if (status >= 200 && status < 300) this.emit('info', { contentType, body: request.body });
  }

  private requireDialog(): Dialog {
    if (this.isEnded) throw new SessionEndedError();
    const dialog = this.dialog;
    if (!dialog || dialog.state !== DialogState.Confirmed) throw new SessionOperationError(`no confirmed dialog in state ${this.current}`);
    return dialog;
  }
}

/**
 * How long to wait before retrying a refused refresh: the response's Retry-After when it has
 * one (RFC 3261 §20.33), else a second; at most 10 s and an eighth of the interval, so the
 * retry lands well before the refreshee's expiry at interval − min(32, interval/3).
 */
function refreshRetryDelayMs(response: SipResponse | undefined, intervalSeconds: number): number {
  const match = /^\s*(\d{1,9})/.exec(response?.getHeader('Retry-After') ?? '');
  const asked = match ? Number(match[1]) * 1000 : REFRESH_RETRY_MS;
  return Math.min(asked, REFRESH_RETRY_MAX_MS, (intervalSeconds * 1000) / 8);
}

function renegotiationInfo(offer: string, accepted: boolean): SessionRenegotiationInfo {
  return { offer, direction: sdpDirection(offer), hold: isHoldOffer(offer), accepted };
}

/** §13.2.2.4 / §22: "The ACK MUST contain the same credentials as the INVITE." */
export function credentialsOf(request: SipRequest): Array<[string, string]> {
  const headers: Array<[string, string]> = [];
  for (const name of ['Authorization', 'Proxy-Authorization']) for (const v of request.getHeaders(name)) headers.push([name, v]);
  return headers;
}

function safeList(read: () => string[]): string[] {
  try {
    return read();
  } catch {
    return [];
  }
}
