import { PRODUCT_TOKEN } from '../../version.js';
import type { DigestAuthenticator } from '../auth/digest-authenticator.js';
import { Dialog } from '../dialogs/dialog.js';
import { generateCallId, generateTag, NameAddr, SipRequest, type SipResponse, type SipUri, type Uri } from '../messages/index.js';
import { createCancel } from '../transactions/cancel-request.js';
import type { InviteClientTransaction } from '../transactions/invite-client-transaction.js';
import type { SendTarget } from '../transport/transport-types.js';
import { ALLOWED_METHODS } from '../user-agent/capabilities.js';
import { credentialsOf, InviteSession } from './invite-session.js';
import { localContact } from './local-contact.js';
import { parseRSeq } from './rack.js';
import type { SessionDescriptionHandler } from './session-description-handler.js';
import { formatSessionExpires, readMinSE } from './session-expires.js';
import type { SessionHost } from './session-host.js';
import type { ResolvedSessionOptions } from './session-options.js';
import { sdpBody } from './session-response.js';
import { SessionState } from './session-state.js';
import { TwoXxAck } from './two-xx-ack.js';

/** What an outgoing call is made of. */
export interface OutgoingInviteSessionInit {
  /** Request-URI (whom we call). */
  target: Uri;
  /** Our identity (From, without tag). */
  from: NameAddr;
  /** To (default: the target). */
  to?: NameAddr;
  /** User part of our Contact. */
  contactUser?: string;
  handler: SessionDescriptionHandler;
  options: ResolvedSessionOptions;
  authenticator?: DigestAuthenticator;
  /** Extra header fields for the INVITE. */
  headers?: Array<[string, string]>;
}

/** An early dialog of a (possibly forked) INVITE, by the callee's To tag (§13.2.2.1). */
interface EarlyDialog {
  dialog: Dialog;
  /** Highest in-order RSeq of its reliable provisionals (RFC 3262 §4). */
  lastRSeq?: number;
  /** The first SDP this dialog sent: its answer to our offer (§13.2.1). */
  answer?: string;
}

/** Challenge rounds per INVITE before giving up. */
const MAX_CHALLENGES = 4;

/**
 * The caller's side of an INVITE session (RFC 3261 §13.2): sends the INVITE with our offer,
 * answers 401/407, reports provisionals (PRACKing reliable ones, RFC 3262 §4), ACKs every 2xx
 * (§13.2.2.4), keeps early dialogs per To tag, lets the first 2xx win and ACKs+BYEs the others,
 * cancels (§9.1) — also when the 2xx crosses the CANCEL — and retries once on 422 (RFC 4028 §7.4).
 */
export class OutgoingInviteSession extends InviteSession {
  readonly role = 'uac' as const;
  readonly callId = generateCallId();
  readonly fromTag = generateTag();
  private readonly init: OutgoingInviteSessionInit;
  private template: SipRequest | undefined;
  private targets: SendTarget[] = [];
  private targetIndex = 0;
  private transaction: InviteClientTransaction | undefined;
  /** The INVITE as last sent (with its Via branch), for CANCEL and dialog creation. */
  private invite: SipRequest | undefined;
  private target: SendTarget | undefined;
  private anyResponse = false;
  private provisionalSeen = false;
  private cancelRequested = false;
  private cancelSent = false;
  private challenges = 0;
  private retried422 = false;
  private readonly early = new Map<string, EarlyDialog>();
  /** An early dialog's answer drives the early media (the first one to bring SDP). */
  private earlyMediaApplied = false;
  /** The To tag of the early dialog whose reliable answer closed our offer (RFC 3262 §5). */
  private reliableAnswerTag: string | undefined;
  /** SDP of a provisional response without a To tag (no early dialog to keep it in). */
  private untaggedAnswer: string | undefined;
  /** The ACK for each 2xx, by To tag, re-sent on retransmissions. */
  private readonly acks = new Map<string, TwoXxAck>();

  constructor(host: SessionHost, init: OutgoingInviteSessionInit) {
    super(host, init.handler, init.options, init.authenticator);
    this.init = init;
  }

  /** The INVITE's CSeq number (changes after a challenge). */
  get inviteSeq(): number | undefined {
    return this.invite?.cseq.seq;
  }

  /** Creates the offer and sends the INVITE. Rejects only on misuse; failures end the session. */
  async start(): Promise<void> {
    if (this.state !== SessionState.Initial) return;
    this.transition(SessionState.Calling);
    let offer: string;
    try {
      offer = await this.handler.createOffer();
    } catch (error) {
      this.end({ reason: 'error', detail: `no offer: ${(error as Error).message}` });
      return;
    }
    if (this.isEnded) return;
    if (this.cancelRequested) {
      this.end({ reason: 'cancelled' });
      return;
    }
    this.template = this.buildInvite(offer);
    try {
      this.targets = await this.core.sender.resolveTargets(this.template);
    } catch (error) {
      this.end({ reason: 'error', detail: (error as Error).message });
      return;
    }
    if (this.isEnded) return;
    this.sendInvite(this.template);
  }

  /**
   * Abandons the call before it is answered (§9.1). "a CANCEL request SHOULD NOT be sent to
   * cancel an INVITE until a provisional response is received", so without one the CANCEL
   * waits for it. After a 2xx use bye().
   */
  cancel(): void {
    switch (this.state) {
      case SessionState.Initial:
        this.end({ reason: 'cancelled' });
        return;
      case SessionState.Calling:
      case SessionState.Early:
        if (this.cancelRequested) return;
        this.cancelRequested = true;
        if (this.provisionalSeen) this.sendCancel();
        // §9.1 / §17.1.1: a peer that never answers the CANCEL leaves us with no final response;
        // after 64·T1 the INVITE is considered cancelled.
        this.timers.start('cancelGuard', 64 * this.options.t1, () => this.end({ reason: 'cancelled', detail: 'no final response after CANCEL' }));
        return;
      default:
        return;
    }
  }

  /** Ends the call in whatever state: CANCEL before an answer, BYE after. */
  async terminate(): Promise<void> {
    if (this.state === SessionState.Confirmed) return this.bye();
    this.cancel();
  }

  /** A 2xx that reached the UA core after the INVITE transaction ended (RFC 6026 §8.4). */
  override receiveStray2xx(response: SipResponse): void {
    if (this.invite && response.cseq.seq === this.invite.cseq.seq) this.receive2xx(response);
    else super.receiveStray2xx(response);
  }

  protected override dialogOf(request: SipRequest): Dialog | undefined {
    if (this.dialog) return this.dialog;
    const tag = request.from.tag;
    return tag !== undefined ? this.early.get(tag)?.dialog : undefined;
  }

  protected override updateOfferConflict(dialog: Dialog): 491 | 500 | undefined {
    // Before the 2xx our INVITE's offer is answered for this early dialog only by a reliable 1xx (RFC 3311 §5.1).
    if (this.state !== SessionState.Confirmed && this.reliableAnswerTag !== dialog.remoteTag) return 491;
    return super.updateOfferConflict(dialog);
  }

  protected onEnd(): void {
    for (const e of this.early.values()) {
      if (e.dialog !== this.dialog) e.dialog.terminate();
      this.unbindDialog(e.dialog);
    }
  }

  // ---- sending -------------------------------------------------------------------------------

  private buildInvite(offer: string): SipRequest {
    const from = this.init.from.clone();
    from.params.set('tag', this.fromTag);
    const to = this.init.to?.clone() ?? new NameAddr(this.init.target.clone());
    const headers: Array<[string, string]> = [
      ['Max-Forwards', '70'],
      ['From', from.toString()],
      ['To', to.toString()],
      ['Call-ID', this.callId],
      ['CSeq', '1 INVITE'],
      ['Contact', '<sip:placeholder.invalid>'],
      ['Allow', ALLOWED_METHODS.join(', ')],
      ['Supported', this.options.reliableProvisionals ? '100rel, timer, replaces' : 'timer, replaces'],
      ['User-Agent', PRODUCT_TOKEN],
    ];
    const st = this.options.sessionTimers;
    if (st) {
      // RFC 4028 §7.1: ask for our interval; the UAS picks the refresher.
      headers.push(['Session-Expires', formatSessionExpires({ interval: st.expires })], ['Min-SE', String(st.minSE)]);
    }
    headers.push(['Content-Type', 'application/sdp']);
    const invite = SipRequest.create({ method: 'INVITE', uri: this.init.target.clone(), headers, body: offer });
    // The app's fields replace ours of the same name (e.g. its own Session-Expires or Supported).
    for (const [name, value] of this.init.headers ?? []) invite.setHeader(name, value);
    return invite;
  }

  /** One INVITE client transaction towards the current target. */
  private sendInvite(template: SipRequest): void {
    const target = this.targets[this.targetIndex];
    if (!target) {
      this.end({ reason: 'error', detail: 'no target left' });
      return;
    }
    const request = template.clone();
    request.removeHeader('via');
    const contact: SipUri = localContact(this.core.transport, target, this.init.contactUser);
    this.contact = contact;
    request.setHeader('Contact', `<${contact.toString()}>`);
    let transaction: InviteClientTransaction;
    try {
      transaction = this.core.transactions.sendRequest(request, target) as InviteClientTransaction;
    } catch (error) {
      this.end({ reason: 'error', detail: (error as Error).message });
      return;
    }
    this.transaction = transaction;
    this.invite = request;
    this.target = target;
    this.provisionalSeen = false;
    transaction.on('response', (response) => this.receiveResponse(response, transaction));
    transaction.on('timeout', () => this.transactionFailed(transaction, 'timeout'));
    transaction.on('transportError', (error) => this.transactionFailed(transaction, 'error', error.message));
  }

  private transactionFailed(transaction: InviteClientTransaction, reason: 'timeout' | 'error', detail?: string): void {
    if (transaction !== this.transaction || this.isEnded) return;
    // RFC 3263 §4.3: no answer at all from this target: try the next one.
    if (!this.anyResponse && !this.cancelRequested && this.targetIndex + 1 < this.targets.length && this.template) {
      this.targetIndex++;
      this.sendInvite(this.template);
      return;
    }
    this.end({ reason: this.cancelRequested ? 'cancelled' : reason, ...(detail !== undefined ? { detail } : {}) });
  }

  private sendCancel(): void {
    if (this.cancelSent || !this.invite || !this.target) return;
    this.cancelSent = true;
    try {
      const cancel = createCancel(this.invite);
      // §9.1: the CANCEL goes where the INVITE went, in its own non-INVITE transaction.
      const tx = this.core.transactions.sendRequest(cancel, this.target);
      tx.on('timeout', () => this.logger.warn('CANCEL timed out'));
    } catch (error) {
      this.logger.warn('CANCEL could not be sent', { error });
    }
  }

  // ---- receiving -----------------------------------------------------------------------------

  private receiveResponse(response: SipResponse, transaction: InviteClientTransaction): void {
    if (response.status >= 200 && response.status < 300) {
      this.anyResponse = true;
      this.receive2xx(response);
      return;
    }
    if (transaction !== this.transaction) return;
    this.anyResponse = true;
    if (response.status < 200) this.receiveProvisional(response);
    else this.receiveFailure(response);
  }

  private receiveProvisional(response: SipResponse): void {
    if (this.state !== SessionState.Calling && this.state !== SessionState.Early) return;
    this.provisionalSeen = true;
    if (this.cancelRequested) this.sendCancel();
    const toTag = response.to.tag;
    let early: EarlyDialog | undefined;
    if (response.status > 100 && toTag !== undefined) {
      early = this.early.get(toTag);
      if (!early) {
        try {
          // §12.1.2 / §13.2.2.1: each To tag is its own early dialog (forking).
          const dialog = Dialog.fromUac(this.invite!, response, this.target?.protocol === 'tls');
          early = { dialog };
          this.early.set(toTag, early);
          this.bindDialog(dialog);
        } catch (error) {
          this.logger.warn('provisional response cannot create an early dialog', { error });
        }
      } else {
        early.dialog.refreshTarget(response);
      }
      if (this.state === SessionState.Calling) this.transition(SessionState.Early);
    }
    const sdp = sdpBody(response);
    const rseq = parseRSeq(response.getHeader('RSeq'));
    const reliable = early !== undefined && rseq !== undefined && safe(() => response.require.includes('100rel')) === true;
    if (reliable && early && rseq !== undefined) {
      // RFC 3262 §4: "If the UAC receives another reliable provisional response to the same request,
      // and its RSeq value is not one higher than the value of the sequence number, that response
      // MUST NOT be acknowledged with a PRACK, and MUST NOT be processed further by the UAC."
      if (early.lastRSeq !== undefined && rseq !== early.lastRSeq + 1) return;
      early.lastRSeq = rseq;
      this.sendPrack(early.dialog, rseq);
    }
    if (sdp !== undefined) this.receiveEarlyAnswer(sdp, toTag !== undefined ? early : undefined, reliable);
    this.emit('progress', { status: response.status, reason: response.reason, earlyMedia: sdp !== undefined, reliable, response });
  }

  /**
   * SDP in a provisional response. §13.2.1: "The UAC MUST treat the first session description it
   * receives as the answer, and MUST ignore any session descriptions in subsequent responses to
   * the initial INVITE" — kept per early dialog, since each fork answers for itself. A reliable
   * answer completes the offer/answer (RFC 3262 §5); an unreliable one only plays early media
   * until the 2xx. A handler that cannot read it ends the call.
   */
  private receiveEarlyAnswer(sdp: string, early: EarlyDialog | undefined, reliable: boolean): void {
    if (early === undefined) {
      this.untaggedAnswer ??= sdp;
    } else {
      if (early.answer !== undefined) return;
      early.answer = sdp;
    }
    const closesOffer = reliable && this.reliableAnswerTag === undefined;
    if (!closesOffer && this.earlyMediaApplied) return;
    try {
      this.handler.receiveAnswer(sdp, closesOffer ? {} : { provisional: true });
    } catch (error) {
      this.logger.warn('unusable SDP answer in a provisional response; ending the call', { error });
      this.cancel();
      return;
    }
    this.earlyMediaApplied = true;
    if (closesOffer) this.reliableAnswerTag = early!.dialog.remoteTag;
  }

  /** RFC 3262 §7.2: PRACK in the early dialog, RAck = RSeq, CSeq number and method of the INVITE. */
  private sendPrack(dialog: Dialog, rseq: number): void {
    const prack = dialog.createRequest('PRACK', { headers: [['RAck', `${rseq} ${this.invite!.cseq.seq} INVITE`]] });
    this.sendInDialog(dialog, prack).then(
      (response) => {
        if (response.status >= 300) this.logger.warn('PRACK rejected', { status: response.status });
      },
      (error: unknown) => this.logger.warn('PRACK failed', { error }),
    );
  }

  /** §13.2.2.4: every 2xx is ACKed; the first one makes the session, later ones from other forks are BYEd. */
  private receive2xx(response: SipResponse): void {
    const toTag = response.to.tag;
    if (!this.invite) return;
    if (toTag === undefined) {
      // §12.1.2 needs the To tag for the dialog ID; without one there is nothing to ACK or BYE, and
      // after a 2xx no other final response will come: the call would wait forever.
      this.logger.warn('2xx without a To tag');
      if (!this.dialog) this.end({ reason: 'error', status: response.status, detail: '2xx without a To tag' });
      return;
    }
    const known = this.acks.get(toTag);
    if (known) {
      // A retransmission: "the UAC core MUST generate an ACK request for each 2xx received".
      void known.send();
      return;
    }
    if (this.dialog || this.isEnded) {
      this.ackAndBye(response);
      return;
    }
    let dialog = this.early.get(toTag)?.dialog;
    try {
      if (dialog) {
        dialog.updateFromUacResponse(response);
        dialog.confirm();
      } else {
        dialog = Dialog.fromUac(this.invite, response, this.target?.protocol === 'tls');
        this.bindDialog(dialog);
      }
    } catch (error) {
      this.logger.warn('2xx cannot create a dialog', { error });
      this.end({ reason: 'error', status: response.status, detail: (error as Error).message });
      return;
    }
    this.dialog = dialog;
    this.timers.stop('cancelGuard');
    // The other early dialogs will never be confirmed by this INVITE's winner (§13.2.2.4); drop ours.
    for (const [tag, e] of this.early) {
      if (tag === toTag) continue;
      e.dialog.terminate();
      this.unbindDialog(e.dialog);
      this.early.delete(tag);
    }
    this.remoteAllow = safe(() => response.allow) ?? [];
    const winner = this.early.get(toTag);
    const ack = this.createAck(dialog);
    this.acks.set(toTag, ack);
    this.ackInFlight = ack.send();
    this.transition(SessionState.Confirmed);
    if (this.cancelRequested) {
      // §9.1: the 2xx crossed our CANCEL; the call exists, so it is ACKed and then ended with BYE.
      void this.byeAndEnd('cancelled', { status: response.status, detail: '2xx crossed the CANCEL' });
      return;
    }
    // §13.2.1: this dialog's first session description is the answer; the 2xx's only when it had none.
    const answer = winner?.answer ?? sdpBody(response) ?? this.untaggedAnswer;
    if (answer === undefined) {
      // We offered in the INVITE; a 2xx without answer breaks the offer/answer model (RFC 3264 §4).
      void this.byeAndEnd('error', { status: response.status, detail: '2xx carried no SDP answer' });
      return;
    }
    if (this.reliableAnswerTag !== toTag) {
      try {
        this.handler.receiveAnswer(answer);
      } catch (error) {
        // §13.2.2.4: "If the offer in the 2xx response is not acceptable, the UAC core MUST generate a
        // valid answer in the ACK and then send a BYE immediately" — likewise for an unusable answer.
        void this.byeAndEnd('error', { status: response.status, detail: `unusable SDP answer: ${(error as Error).message}` });
        return;
      }
    }
    this.applyTimerFromResponse(response);
    this.confirmed();
  }

  private createAck(dialog: Dialog): TwoXxAck {
    // §13.2.2.4: built like any in-dialog request, with the INVITE's CSeq number and its credentials.
    return new TwoXxAck(this.core, dialog.createRequest('ACK', { cseq: this.invite!.cseq.seq, headers: credentialsOf(this.invite!) }), this.logger);
  }

  /** A 2xx from a second fork (or after the session ended): ACK it, then BYE that dialog (§13.2.2.4). */
  private ackAndBye(response: SipResponse): void {
    const toTag = response.to.tag!;
    let dialog: Dialog;
    try {
      dialog = this.early.get(toTag)?.dialog ?? Dialog.fromUac(this.invite!, response, this.target?.protocol === 'tls');
      dialog.updateFromUacResponse(response);
      dialog.confirm();
    } catch (error) {
      this.logger.warn('extra 2xx cannot create a dialog; not acknowledged', { error });
      return;
    }
    const ack = this.createAck(dialog);
    this.acks.set(toTag, ack);
    this.logger.info('ending an extra dialog from a forked 2xx', { toTag });
    const bye = dialog.createRequest('BYE');
    dialog.terminate();
    // The BYE follows the ACK on the wire, so the peer sees the dialog confirmed before it ends.
    void ack
      .send()
      .then(() => this.sendInDialog(dialog, bye))
      .catch((error: unknown) => this.logger.warn('BYE of a forked dialog failed', { error }));
  }

  private receiveFailure(response: SipResponse): void {
    if (this.isEnded) return;
    const status = response.status;
    const auth = this.authenticator;
    if ((status === 401 || status === 407) && auth && !this.cancelRequested && this.challenges < MAX_CHALLENGES) {
      this.challenges++;
      try {
        // §22.2: same Call-ID and From tag, a new CSeq and branch; AuthRejectedError ends a loop.
        const fields = auth.respond(status, response.getHeaders(status === 401 ? 'WWW-Authenticate' : 'Proxy-Authenticate'), {
          method: 'INVITE',
          uri: this.invite!.uri.toString(),
          body: this.invite!.body,
        });
        const next = this.nextInvite();
        for (const f of fields) {
          const keep = next.getHeaders(f.name).filter((v) => !v.includes(`realm="${f.realm}"`));
          next.removeHeader(f.name);
          for (const v of keep) next.appendHeader(f.name, v);
          next.appendHeader(f.name, f.value);
        }
        this.sendInvite(next);
        return;
      } catch (error) {
        this.end({ reason: 'rejected', status, detail: (error as Error).message });
        return;
      }
    }
    const st = this.options.sessionTimers;
    if (status === 422 && st && !this.cancelRequested && !this.retried422) {
      // RFC 4028 §7.4: retry with Session-Expires raised to the Min-SE the 422 carries.
      const minSE = readMinSE(response);
      if (minSE !== undefined) {
        this.retried422 = true;
        const next = this.nextInvite();
        next.setHeader('Session-Expires', String(Math.max(minSE, st.expires)));
        next.setHeader('Min-SE', String(minSE));
        this.sendInvite(next);
        return;
      }
    }
    if (auth && status !== 401 && status !== 407) auth.accepted();
    // 3xx: redirects are not followed (a door station calls configured targets); reported as rejected.
    this.end({ reason: this.cancelRequested ? 'cancelled' : 'rejected', status });
  }

  /** The INVITE re-sent after a challenge or a 422: same Call-ID and From tag, CSeq + 1. */
  private nextInvite(): SipRequest {
    const next = this.template!.clone();
    for (const name of ['Authorization', 'Proxy-Authorization']) {
      next.removeHeader(name);
      for (const v of this.invite!.getHeaders(name)) next.appendHeader(name, v);
    }
    next.setHeader('CSeq', `${this.invite!.cseq.seq + 1} INVITE`);
    for (const e of this.early.values()) this.unbindDialog(e.dialog);
    this.early.clear();
    this.template = next;
    return next;
  }
}

function safe<T>(read: () => T): T | undefined {
  try {
    return read();
  } catch {
    return undefined;
  }
}
