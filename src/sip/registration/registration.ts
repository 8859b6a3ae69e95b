import { silentLogger, type Logger } from '../../log/logger.js';
import { ExponentialBackoff } from '../../util/exponential-backoff.js';
import { PortierError } from '../../util/portier-error.js';
import { TypedEmitter } from '../../util/typed-emitter.js';
import { PRODUCT_TOKEN } from '../../version.js';
import { DigestAuthenticator } from '../auth/digest-authenticator.js';
import {
  generateCallId,
  generateTag,
  NameAddr,
  Parameters,
  SipRequest,
  SipUri,
  uriEquals,
  type SipResponse,
} from '../messages/index.js';
import type { ClosedConnectionInfo } from '../transport/transport-layer.js';
import type { Endpoint, SendTarget } from '../transport/transport-types.js';
import { normalizeAddress } from '../transport/transport-via.js';
import { ALLOWED_METHODS, SUPPORTED_EXTENSIONS } from '../user-agent/capabilities.js';
import type { RequestOutcome } from '../user-agent/request-sender.js';
import type { UserAgentCore } from '../user-agent/user-agent-core.js';
import { RegistrationRejectedError } from './registration-error.js';
import type { RegistrationOptions } from './registration-options.js';
import { REGISTRATION_TRANSITIONS, type RegistrationState, type RegistrationStatus } from './registration-state.js';

/** Events of a registration. */
export type RegistrationEvents = {
  state: [status: RegistrationStatus];
};

/** Registrations are refreshed at this share of the granted expiry, as baresip does. */
const REFRESH_RATIO = 0.9;

/**
 * Keeps one Contact registered (RFC 3261 §10.2): refresh at ~90 % of the expiry the
 * registrar granted, 423 Min-Expires handling (§10.2.8), one REGISTER in flight at a
 * time, capped exponential backoff with jitter on failure, failover to backup
 * registrars, keep-alives (OPTIONS on UDP, RFC 5626 CRLF ping on streams) that
 * re-register as soon as the flow dies, Contact rewriting from received/rport
 * (RFC 3581), and an un-REGISTER on stop.
 */
export class Registration extends TypedEmitter<RegistrationEvents> {
  private state: RegistrationState = 'unregistered';
  private readonly opts: Required<Omit<RegistrationOptions, 'credentials' | 'displayName' | 'backupRegistrars' | 'contactUser'>> & RegistrationOptions;
  private readonly registrars: SipUri[];
  private registrarIndex = 0;
  /** Why we are closing the flow ourselves (reported when its close event arrives). */
  private flowClosingWhy: string | undefined;
  /** Set by a failure: the next attempt moves on to the next registrar. */
  private rotateRegistrar = false;
  private readonly callId = generateCallId();
  private readonly fromTag = generateTag();
  private cseq = 0;
  private expires: number;
  private readonly authenticator: DigestAuthenticator;
  private readonly backoff: ExponentialBackoff;
  private readonly logger: Logger;
  /** The target that answered last: refreshes and keep-alives stay on this flow. */
  private flow: SendTarget | undefined;
  /** Where the registrar saw us (RFC 3581 received/rport), when it differs from our own address. */
  private publicAddress: Endpoint | undefined;
  /** The Contact written into the last REGISTER. */
  private contact: SipUri | undefined;
  /** The Contact the registrar accepted last; removed (expires=0) when a later REGISTER names another. */
  private boundContact: SipUri | undefined;
  /** Contact corrections in a row, bounded so a registrar reporting ever-changing addresses cannot loop us. */
  private contactCorrections = 0;
  private granted: number | undefined;
  private lastError: PortierError | undefined;
  private retryInMs: number | undefined;
  private inFlight = false;
  private again = false;
  private intervalTooBriefCount = 0;
  private stopping = false;
  private refreshTimer: NodeJS.Timeout | undefined;
  private retryTimer: NodeJS.Timeout | undefined;
  private keepAliveTimer: NodeJS.Timeout | undefined;
  /**
   * An OPTIONS keep-alive awaits its answer. Timer F (32 s) outlasts the interval (25 s), so without
   * this a silent registrar would collect one more transaction per tick.
   */
  private optionsInFlight = false;
  private pongTimer: NodeJS.Timeout | undefined;
  private readonly onPong = (from: Endpoint) => {
    if (this.flow && sameEndpoint(from, this.flow)) this.clearTimer('pongTimer');
  };
  private readonly onConnectionClosed = (info: ClosedConnectionInfo) => {
    const f = this.flow;
    if (f && f.protocol === info.protocol && sameEndpoint(info.remote, f)) {
      this.flowFailed(this.flowClosingWhy ?? `${info.protocol} connection to the registrar closed`);
    }
  };

  constructor(
    private readonly core: UserAgentCore,
    options: RegistrationOptions,
    logger: Logger = silentLogger,
  ) {
    super();
    this.opts = {
      expires: 600,
      keepAliveIntervalMs: 25_000,
      pongTimeoutMs: 10_000,
      retryBaseMs: 1_000,
      retryMaxMs: 16_000,
      authFailureRetryMs: 300_000,
      rewriteContact: true,
      unregisterTimeoutMs: 3_000,
      ...options,
    };
    this.registrars = [options.registrar, ...(options.backupRegistrars ?? [])];
    this.expires = this.opts.expires;
    this.authenticator = new DigestAuthenticator(options.credentials ? { defaultCredentials: options.credentials } : {});
    this.backoff = new ExponentialBackoff(this.opts.retryBaseMs, this.opts.retryMaxMs);
    this.logger = logger.child({ component: 'registration', aor: options.aor.toString() });
    core.transport.on('pong', this.onPong);
    core.transport.on('connectionClosed', this.onConnectionClosed);
  }

  /** Transport, address and port of the registrar that accepted us last (the flow refreshes use); none until then. */
  get flowTarget(): SendTarget | undefined {
    return this.flow ? { ...this.flow } : undefined;
  }

  /** The current status snapshot. */
  get status(): RegistrationStatus {
    const s: RegistrationStatus = { state: this.state, registrar: this.registrars[this.registrarIndex]!.toString() };
    if (this.state === 'registered') {
      if (this.granted !== undefined) s.expires = this.granted;
      if (this.contact) s.contact = this.contact.toString();
    }
    if (this.state === 'failed') {
      if (this.lastError) s.error = this.lastError;
      if (this.retryInMs !== undefined) s.retryInMs = this.retryInMs;
    }
    return s;
  }

  /** Starts registering; state events follow. */
  start(): void {
    if (this.state !== 'unregistered' || this.stopping) return;
    this.transition('registering');
    void this.attempt();
  }

  /** Re-registers now (e.g. after a network change), whatever the refresh timer says. */
  refreshNow(): void {
    if (this.stopping || this.state === 'unregistered') return;
    this.clearTimer('retryTimer');
    void this.attempt();
  }

  /** Removes our binding (Expires 0) and stops; resolves when the registrar answered or the wait ran out. */
  async stop(): Promise<void> {
    if (this.stopping) return;
    this.stopping = true;
    this.clearAllTimers();
    const wasBound = this.state === 'registered' || this.contact !== undefined;
    if (this.state !== 'unregistered') {
      if (wasBound && this.contact) {
        this.transition('unregistering');
        const request = this.buildRegister(0);
        const contact = this.contact;
        const send = this.core
          .send(request, {
            authenticator: this.authenticator,
            ...(this.flow ? { target: this.flow } : {}),
            beforeSend: (r) => {
              this.noteCseq(r);
              r.setHeader('Contact', `<${contact.toString()}>;expires=0`);
            },
          })
          .catch((error: unknown) => this.logger.warn('un-REGISTER failed', { error }));
        await raceTimeout(send, this.opts.unregisterTimeoutMs);
      }
      this.transition('unregistered');
    }
    this.detach();
  }

  /** Stops without un-registering (process teardown after stop(), or tests). */
  close(): void {
    this.stopping = true;
    this.clearAllTimers();
    this.detach();
    this.removeAllListeners();
  }

  private async attempt(): Promise<void> {
    if (this.stopping) return;
    if (this.inFlight) {
      // One outstanding REGISTER at a time (RFC 3261 §10.2: "A UA MUST NOT send a new registration … until it has received a final response").
      this.again = true;
      return;
    }
    this.inFlight = true;
    this.clearTimer('retryTimer');
    if (this.rotateRegistrar) {
      this.rotateRegistrar = false;
      this.registrarIndex = (this.registrarIndex + 1) % this.registrars.length;
      this.authenticator.forget();
    }
    if (this.state === 'failed') this.transition('registering');
    const request = this.buildRegister(this.expires);
    try {
      const outcome = await this.core.send(request, {
        authenticator: this.authenticator,
        ...(this.flow ? { target: this.flow } : {}),
        beforeSend: (r, target) => {
          this.noteCseq(r);
          this.writeContact(r, target);
        },
      });
      if (!this.stopping) this.handleOutcome(outcome);
    } catch (error) {
      if (!this.stopping) this.fail(toPortierError(error));
    } finally {
      this.inFlight = false;
      if (this.again && !this.stopping) {
        this.again = false;
        void this.attempt();
      }
    }
  }

  private handleOutcome({ response, target }: RequestOutcome): void {
    const registrar = this.registrars[this.registrarIndex]!.toString();
    if (response.status >= 200 && response.status < 300) {
      this.flow = target;
      this.boundContact = this.contact;
      this.intervalTooBriefCount = 0;
      if (this.contactCorrections < 2) {
        if (this.needsContactRewrite(response, target)) {
          this.contactCorrections++;
          this.logger.info('registrar sees us at another address; rewriting Contact', { public: `${this.publicAddress!.address}:${this.publicAddress!.port}` });
          this.again = true;
          return;
        }
        // A TCP/TLS flow without a listener of ours has its local port only once connected, after the
        // Contact of its first REGISTER was written: register the real one (and drop the guess).
        if (this.contact && !uriEquals(this.contactFor(target), this.contact)) {
          this.contactCorrections++;
          this.logger.info('Contact changed with the flow; re-registering it', { contact: this.contactFor(target).toString() });
          this.again = true;
          return;
        }
      }
      this.contactCorrections = 0;
      this.granted = this.grantedExpiry(response);
      this.backoff.reset();
      this.lastError = undefined;
      this.transition('registered');
      this.scheduleRefresh(this.granted);
      this.startKeepAlive();
      return;
    }
    if (response.status === 423) {
      // §10.2.8: retry with an expiry at least Min-Expires.
      const min = safe(() => response.minExpires);
      if (min !== undefined && min > this.expires && this.intervalTooBriefCount++ < 3) {
        this.expires = min;
        this.again = true;
        return;
      }
    }
    this.fail(new RegistrationRejectedError(response.status, response.reason, registrar));
  }

  private fail(error: PortierError): void {
    this.flow = undefined;
    this.stopKeepAlive();
    this.clearTimer('refreshTimer');
    const permanent =
      error.code === 'SIP_ERR_AUTH_REJECTED' ||
      error.code === 'SIP_ERR_AUTH_NO_CREDENTIALS' ||
      error.code === 'SIP_ERR_AUTH_UNSUPPORTED' ||
      (error instanceof RegistrationRejectedError && (error.status === 403 || error.status === 404));
    // The next attempt goes to the next registrar; the status keeps naming the one that failed until then.
    this.rotateRegistrar = !permanent && this.registrars.length > 1;
    const delay = permanent ? this.opts.authFailureRetryMs : this.backoff.next();
    this.lastError = error;
    this.retryInMs = delay;
    this.logger.warn('registration failed', { error, retryInMs: delay });
    this.transition('failed');
    this.retryTimer = unref(setTimeout(() => void this.attempt(), delay));
  }

  private flowFailed(why: string): void {
    this.flowClosingWhy = undefined;
    if (this.stopping || !this.flow) return;
    this.logger.warn('registration flow failed; re-registering', { why });
    this.flow = undefined;
    this.stopKeepAlive();
    this.clearTimer('refreshTimer');
    if (this.state === 'registered') this.transition('registering');
    void this.attempt();
  }

  private buildRegister(expires: number): SipRequest {
    const registrar = this.registrars[this.registrarIndex]!;
    const uri = new SipUri({ scheme: registrar.scheme, host: registrar.host, params: new Parameters(registrar.params.entries().filter(([k]) => k.toLowerCase() === 'transport')) });
    if (registrar.port !== undefined) uri.port = registrar.port;
    const aor = new NameAddr(this.opts.aor, this.opts.displayName);
    this.cseq++;
    return SipRequest.create({
      method: 'REGISTER',
      uri,
      headers: [
        ['Max-Forwards', '70'],
        ['From', `${aor.toString()};tag=${this.fromTag}`],
        ['To', new NameAddr(this.opts.aor, this.opts.displayName).toString()],
        ['Call-ID', this.callId],
        ['CSeq', `${this.cseq} REGISTER`],
        ['Contact', '<sip:placeholder.invalid>'],
        ['Expires', String(expires)],
        ['Allow', ALLOWED_METHODS.join(', ')],
        ['Supported', SUPPORTED_EXTENSIONS.join(', ')],
        ['User-Agent', PRODUCT_TOKEN],
      ],
    });
  }

  /**
   * Counts on from every CSeq that went out, a challenge's re-send included, even if its transaction
   * then failed: the registrar may have bound it, and refuses a CSeq that is not higher (§10.3 step 7).
   */
  private noteCseq(request: SipRequest): void {
    this.cseq = Math.max(this.cseq, request.cseq.seq);
  }

  /**
   * Writes our Contact for the target this attempt goes to, and removes the one bound before if it
   * differs (after a rewrite or a new flow), so the registrar does not keep a stale binding.
   */
  private writeContact(request: SipRequest, target: SendTarget): void {
    const expires = request.expires ?? this.expires;
    const contact = this.contactFor(target);
    this.contact = contact;
    const values = [`<${contact.toString()}>;expires=${expires}`];
    const bound = this.boundContact;
    if (bound && !uriEquals(bound, contact)) values.push(`<${bound.toString()}>;expires=0`);
    request.setHeader('Contact', values.join(', '));
  }

  /** Our Contact towards a target: its sent-by, or the public address the registrar reported. */
  private contactFor(target: SendTarget): SipUri {
    const sentBy = this.core.transport.sentByFor(target);
    const local = this.publicAddress ?? (sentBy ? { address: sentBy.host, port: sentBy.port } : undefined);
    const host = local?.address ?? (target.address.includes(':') ? '::1' : '127.0.0.1');
    const contact = new SipUri({
      host: host.includes(':') && !host.startsWith('[') ? `[${host}]` : host,
      ...(local ? { port: local.port } : {}),
    });
    const user = this.opts.contactUser ?? this.opts.aor.user;
    if (user !== undefined) contact.user = user;
    if (target.protocol !== 'udp') contact.params.set('transport', target.protocol);
    return contact;
  }

  /** RFC 3581: when the registrar saw our UDP packets come from elsewhere, our Contact is unreachable. */
  private needsContactRewrite(response: SipResponse, target: SendTarget): boolean {
    if (!this.opts.rewriteContact || target.protocol !== 'udp' || !this.contact) return false;
    const via = safe(() => response.topVia);
    const rport = via?.rport;
    if (!via || typeof rport !== 'number') return false;
    const seenHost = via.received ?? via.hostname;
    const ourHost = this.contact.hostname;
    if (seenHost === ourHost && rport === (this.contact.port ?? 5060)) return false;
    this.publicAddress = { address: seenHost, port: rport };
    return true;
  }

  /** The expiry granted to our Contact (§10.2.4): its `expires` param, else the Expires header, else what we asked. */
  private grantedExpiry(response: SipResponse): number {
    const contacts = safe(() => response.contacts) ?? [];
    const ours = this.contact ? contacts.find((c) => uriEquals(c.uri, this.contact!)) : undefined;
    const param = ours?.params.get('expires');
    if (typeof param === 'string' && /^\d+$/.test(param)) return Number(param);
    const header = safe(() => response.expires);
    if (header !== undefined) return header;
    return this.expires;
  }

  private scheduleRefresh(granted: number): void {
    this.clearTimer('refreshTimer');
    const delay = Math.max(1000, Math.floor(granted * 1000 * REFRESH_RATIO));
    this.refreshTimer = unref(setTimeout(() => void this.attempt(), delay));
  }

  private startKeepAlive(): void {
    this.stopKeepAlive();
    const flow = this.flow;
    if (!flow || this.opts.keepAliveIntervalMs <= 0) return;
    this.keepAliveTimer = unref(
      setInterval(() => {
        if (!this.flow) return;
        if (this.flow.protocol === 'udp') void this.pingWithOptions(this.flow);
        else this.pingWithCrlf(this.flow);
      }, this.opts.keepAliveIntervalMs),
    );
  }

  /** UDP: OPTIONS to the registrar keeps the NAT binding and proves the PBX is alive (any response will do). */
  private async pingWithOptions(flow: SendTarget): Promise<void> {
    if (this.optionsInFlight) return;
    const registrar = this.registrars[this.registrarIndex]!;
    const request = SipRequest.create({
      method: 'OPTIONS',
      uri: new SipUri({ host: registrar.host, ...(registrar.port !== undefined ? { port: registrar.port } : {}) }),
      headers: [
        ['Max-Forwards', '70'],
        ['From', `<${this.opts.aor.toString()}>;tag=${generateTag()}`],
        ['To', `<${registrar.toString()}>`],
        ['Call-ID', generateCallId()],
        ['CSeq', '1 OPTIONS'],
        ['User-Agent', PRODUCT_TOKEN],
      ],
    });
    this.optionsInFlight = true;
    try {
      await this.core.send(request, { target: flow });
    } catch (error) {
      if (this.flow === flow) this.flowFailed(`keep-alive OPTIONS failed: ${(error as Error).message}`);
    } finally {
      this.optionsInFlight = false;
    }
  }

  /** Streams: RFC 5626 §4.4.1 CRLFCRLF ping; no pong in time means the flow failed. */
  private pingWithCrlf(flow: SendTarget): void {
    if (this.pongTimer) return;
    this.pongTimer = unref(
      setTimeout(() => {
        this.pongTimer = undefined;
        if (this.flow !== flow) return;
        // RFC 5626 §4.4.1: the flow failed, and a new REGISTER must not go down the same dead
        // connection. Its close event then re-registers (after it, so the new request's own
        // connection watch does not take that close for its own).
        this.flowClosingWhy = 'no keep-alive pong';
        if (!this.core.transport.closeConnection(flow)) this.flowFailed(this.flowClosingWhy);
      }, this.opts.pongTimeoutMs),
    );
    this.core.transport.sendKeepAlive(flow).catch(() => {
      if (this.flow === flow) this.flowFailed('keep-alive could not be sent');
    });
  }

  private stopKeepAlive(): void {
    if (this.keepAliveTimer) clearInterval(this.keepAliveTimer);
    this.keepAliveTimer = undefined;
    this.clearTimer('pongTimer');
  }

  private transition(next: RegistrationState): void {
    if (!REGISTRATION_TRANSITIONS[this.state].includes(next)) {
      throw new PortierError('SIP_ERR_REGISTRATION_STATE', `illegal registration transition ${this.state} → ${next}`);
    }
    const changed = next !== this.state || next === 'failed' || next === 'registered';
    this.state = next;
    if (next !== 'failed') this.retryInMs = undefined;
    if (changed) {
      this.logger.info(`registration ${next}`, next === 'registered' ? { expires: this.granted } : {});
      this.emit('state', this.status);
    }
  }

  private clearTimer(name: 'refreshTimer' | 'retryTimer' | 'pongTimer'): void {
    const t = this[name];
    if (t) clearTimeout(t);
    this[name] = undefined;
  }

  private clearAllTimers(): void {
    this.clearTimer('refreshTimer');
    this.clearTimer('retryTimer');
    this.stopKeepAlive();
  }

  private detach(): void {
    this.core.transport.off('pong', this.onPong);
    this.core.transport.off('connectionClosed', this.onConnectionClosed);
  }
}

/** The transport reports canonical addresses; the flow keeps the registrar URI's spelling (`[2001:DB8::1]`). */
function sameEndpoint(a: Endpoint, b: Endpoint): boolean {
  return a.port === b.port && normalizeAddress(a.address) === normalizeAddress(b.address);
}

function unref<T extends NodeJS.Timeout>(t: T): T {
  t.unref();
  return t;
}

function safe<T>(fn: () => T): T | undefined {
  try {
    return fn();
  } catch {
    return undefined;
  }
}

function toPortierError(error: unknown): PortierError {
  if (error instanceof PortierError) return error;
  return new PortierError('SIP_ERR_REGISTRATION', error instanceof Error ? error.message : String(error), { cause: error });
}

function raceTimeout(p: Promise<unknown>, ms: number): Promise<void> {
  return new Promise((resolve) => {
    const t = setTimeout(resolve, ms);
    t.unref();
    void p.finally(() => {
      clearTimeout(t);
      resolve();
    });
  });
}
