import { silentLogger, type Logger } from '../../log/logger.js';
import { TypedEmitter } from '../../util/typed-emitter.js';
import { DigestAuthenticator, type DigestCredentials } from '../auth/digest-authenticator.js';
import { incomingRequestDialogKey, responseDialogKey } from '../dialogs/dialog-key.js';
import { NameAddr, parseUri, type SipRequest, type SipResponse, type SipUri, type Uri } from '../messages/index.js';
import type { InviteServerTransaction } from '../transactions/invite-server-transaction.js';
import type { ServerTransaction } from '../transactions/server-transaction.js';
import type { ReceivedInfo } from '../transport/transport-types.js';
import type { UserAgentCore } from '../user-agent/user-agent-core.js';
import { IncomingInviteSession } from './incoming-invite-session.js';
import type { InviteSession } from './invite-session.js';
import { OutgoingInviteSession } from './outgoing-invite-session.js';
import { OwnedTimers } from './owned-timers.js';
import type { SessionDescriptionHandler } from './session-description-handler.js';
import { readSessionExpires } from './session-expires.js';
import type { SessionHost } from './session-host.js';
import { resolveSessionOptions, type ResolvedSessionOptions, type SessionOptions } from './session-options.js';

/** Configuration of a SessionManager. */
export interface SessionManagerOptions {
  /** Our address of record: From of outgoing calls. */
  aor: SipUri;
  displayName?: string;
  /** User part of our Contact (default: the AoR's user). */
  contactUser?: string;
  /** Answers 401/407 on outgoing INVITEs and in-dialog requests. */
  credentials?: DigestCredentials;
  /** A fresh offer/answer handler per session. */
  createHandler: () => SessionDescriptionHandler;
  /** Defaults for every session. */
  session?: SessionOptions;
  logger?: Logger;
}

/** Options of one outgoing call. */
export interface InviteOptions {
  handler?: SessionDescriptionHandler;
  /** To header (default: the target URI). */
  to?: NameAddr;
  headers?: Array<[string, string]>;
  /** Overrides of the manager's session defaults. */
  session?: SessionOptions;
}

/** Events of the manager. */
export type SessionManagerEvents = {
  /** A new incoming call: ring(), accept() or reject() it. Without a listener calls get 480. */
  invitation: [session: IncomingInviteSession];
};

/**
 * Owns the INVITE sessions of one UA core: places calls, turns incoming INVITEs into
 * IncomingInviteSessions (486 while busy, 422 for a too-short Session-Expires), routes
 * in-dialog requests and ACKs by dialog ID (§12.2.2) — 481 when none matches —, CANCELs by
 * their INVITE transaction (§9.2), and late or forked 2xx to the call they answer (RFC 6026).
 */
export class SessionManager extends TypedEmitter<SessionManagerEvents> implements SessionHost {
  readonly logger: Logger;
  private readonly defaults: SessionOptions;
  private readonly resolved: ResolvedSessionOptions;
  private readonly byDialog = new Map<string, InviteSession>();
  private readonly outgoingByCall = new Map<string, OutgoingInviteSession>();
  private readonly incomingByTransaction = new Map<InviteServerTransaction, IncomingInviteSession>();
  private readonly live = new Set<InviteSession>();
  private readonly linger = new OwnedTimers();
  private busy: ((request: SipRequest) => boolean) | undefined;
  private closed = false;
  private readonly onAck = (ack: SipRequest, info: ReceivedInfo) => {
    const key = safe(() => incomingRequestDialogKey(ack));
    if (key !== undefined) this.byDialog.get(key)?.receiveAck(ack, info);
  };
  private readonly onStray = (response: SipResponse) => this.routeStray2xx(response);

  constructor(
    readonly core: UserAgentCore,
    private readonly options: SessionManagerOptions,
  ) {
    super();
    this.logger = (options.logger ?? silentLogger).child({ component: 'sessions' });
    this.defaults = options.session ?? {};
    this.resolved = resolveSessionOptions(this.defaults);
    core.handle('INVITE', (request, transaction, info) => this.receiveInvite(request, transaction as InviteServerTransaction, info));
    for (const method of ['BYE', 'INFO', 'UPDATE', 'PRACK']) {
      core.handle(method, (request, transaction, info) => this.routeInDialog(request, transaction, info));
    }
    core.handle('OPTIONS', (request, transaction, info) => {
      if (request.to.tag === undefined) transaction.respond(core.optionsResponse(request));
      else this.routeInDialog(request, transaction, info);
    });
    core.handleCancel((_cancel, invite) => this.receiveCancel(invite));
    core.on('ack', this.onAck);
    core.on('strayResponse', this.onStray);
  }

  /** The sessions not yet ended. */
  get sessions(): InviteSession[] {
    return [...this.live];
  }

  /** Incoming calls are answered 486 Busy Here while `predicate` says so (e.g. a call is up). */
  busyWhen(predicate: ((request: SipRequest) => boolean) | undefined): void {
    this.busy = predicate;
  }

  /** Places a call to `target` (a SIP URI or its text); the INVITE goes out at once. */
  invite(target: Uri | string, options: InviteOptions = {}): OutgoingInviteSession {
    if (this.closed) throw new Error('the session manager is closed');
    const uri = typeof target === 'string' ? parseUri(target) : target;
    const session = new OutgoingInviteSession(this, {
      target: uri,
      from: new NameAddr(this.options.aor.clone(), this.options.displayName),
      ...(options.to ? { to: options.to } : {}),
      ...(this.contactUser() !== undefined ? { contactUser: this.contactUser()! } : {}),
      handler: options.handler ?? this.options.createHandler(),
      options: options.session ? resolveSessionOptions({ ...this.defaults, ...options.session }) : this.resolved,
      ...(this.options.credentials ? { authenticator: this.authenticator()! } : {}),
      ...(options.headers ? { headers: options.headers } : {}),
    });
    const callKey = `${session.callId}\u0000${session.fromTag}`;
    this.outgoingByCall.set(callKey, session);
    this.track(session, () => {
      // RFC 6026 §8.4: 2xx retransmissions and forks may still come for 64·T1; keep routing them.
      this.linger.start(callKey, 64 * this.resolved.t1, () => this.outgoingByCall.delete(callKey));
    });
    void session.start();
    return session;
  }

  /** Closes every session (no signalling) and stops routing. Idempotent. */
  close(): void {
    if (this.closed) return;
    this.closed = true;
    for (const session of [...this.live]) session.close();
    this.linger.clear();
    this.outgoingByCall.clear();
    this.byDialog.clear();
    this.incomingByTransaction.clear();
    this.core.off('ack', this.onAck);
    this.core.off('strayResponse', this.onStray);
    this.removeAllListeners();
  }

  // ---- SessionHost ---------------------------------------------------------------------------

  bindDialog(key: string, session: InviteSession): void {
    this.byDialog.set(key, session);
  }

  unbindDialog(key: string): void {
    this.byDialog.delete(key);
  }

  // ---- routing -------------------------------------------------------------------------------

  private receiveInvite(request: SipRequest, transaction: InviteServerTransaction, info: ReceivedInfo): void {
    if (request.to.tag !== undefined) {
      this.routeInDialog(request, transaction, info);
      return;
    }
    if (this.closed) {
      transaction.respond(this.core.response(request, 503));
      return;
    }
    if (this.busy?.(request)) {
      transaction.respond(this.core.response(request, 486));
      return;
    }
    if (this.listenerCount('invitation') === 0) {
      transaction.respond(this.core.response(request, 480));
      return;
    }
    const st = this.resolved.sessionTimers;
    const asked = readSessionExpires(request);
    if (st && asked && asked.interval < st.minSE) {
      // RFC 4028 §8.1: "If the value of the Session-Expires header field is less than the local Min-SE, the UAS MUST reject the request with a 422".
      transaction.respond(this.core.response(request, 422, { headers: [['Min-SE', String(st.minSE)]] }));
      return;
    }
    let session: IncomingInviteSession;
    try {
      session = new IncomingInviteSession(this, {
        request,
        transaction,
        info,
        handler: this.options.createHandler(),
        options: this.resolved,
        ...(this.contactUser() !== undefined ? { contactUser: this.contactUser()! } : {}),
        ...(this.options.credentials ? { authenticator: this.authenticator()! } : {}),
      });
    } catch (error) {
      // No Contact or From tag: the INVITE cannot make a dialog (§12.1.1).
      this.logger.warn('INVITE cannot create a dialog', { error });
      transaction.respond(this.core.response(request, 400, { reason: 'Missing Contact or From tag' }));
      return;
    }
    this.incomingByTransaction.set(transaction, session);
    this.track(session, () => this.incomingByTransaction.delete(transaction));
    this.emit('invitation', session);
  }

  private routeInDialog(request: SipRequest, transaction: ServerTransaction, info: ReceivedInfo): void {
    const key = safe(() => incomingRequestDialogKey(request));
    const session = key !== undefined ? this.byDialog.get(key) : undefined;
    if (!session) {
      // §12.2.2: "If the UAS wishes to reject the request because it does not wish to recreate the
      // dialog, it MUST respond to the request with a 481 (Call/Transaction Does Not Exist) status code".
      transaction.respond(this.core.response(request, 481));
      return;
    }
    session.receiveRequest(request, transaction, info);
  }

  private receiveCancel(invite: InviteServerTransaction): void {
    const session = this.incomingByTransaction.get(invite);
    if (session) {
      session.receiveCancel();
      return;
    }
    if (!invite.lastResponse || invite.lastResponse.status < 200) invite.respond(this.core.response(invite.request, 487));
  }

  private routeStray2xx(response: SipResponse): void {
    const fromTag = safe(() => response.from.tag);
    const outgoing = fromTag !== undefined ? this.outgoingByCall.get(`${response.callId}\u0000${fromTag}`) : undefined;
    if (outgoing) {
      outgoing.receiveStray2xx(response);
      return;
    }
    const key = safe(() => responseDialogKey(response));
    if (key !== undefined) this.byDialog.get(key)?.receiveStray2xx(response);
  }

  private track(session: InviteSession, onEnded: () => void): void {
    this.live.add(session);
    session.once('ended', () => {
      this.live.delete(session);
      onEnded();
    });
  }

  private contactUser(): string | undefined {
    return this.options.contactUser ?? this.options.aor.user;
  }

  private authenticator(): DigestAuthenticator | undefined {
    if (!this.options.credentials) return undefined;
    // One per session: its refusal detection ("challenged again after answering") is per request chain.
    return new DigestAuthenticator({ defaultCredentials: this.options.credentials });
  }
}

function safe<T>(read: () => T): T | undefined {
  try {
    return read();
  } catch {
    return undefined;
  }
}
