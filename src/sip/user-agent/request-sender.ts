import type { DigestAuthenticator } from '../auth/digest-authenticator.js';
import type { Logger } from '../../log/logger.js';
import { PortierError } from '../../util/portier-error.js';
import { SipUri, type SipRequest, type SipResponse } from '../messages/index.js';
import type { ClientTransaction } from '../transactions/client-transaction.js';
import type { TransactionLayer } from '../transactions/transaction-layer.js';
import { TransactionTimeoutError } from '../transactions/transaction-errors.js';
import { TargetBlacklist } from '../transport/server-locator-blacklist.js';
import { FailoverTargets, type TargetFailure } from '../transport/server-locator-failover.js';
import { TransportError } from '../transport/transport-error.js';
import type { SendTarget } from '../transport/transport-types.js';
import type { NextHopLocator } from './next-hop-locator.js';

/**
 * Calls `onClosed` when the stream flow to `target` dies; returns a function that stops watching.
 * A request whose connection is gone gets no answer there, so waiting for Timer F (32 s) would only
 * delay the failover.
 */
export type FlowWatch = (target: SendTarget, onClosed: () => void) => () => void;

/** How to send one request. */
export interface SendOptions {
  /** Skip server location and use this flow (a registration's established connection). */
  target?: SendTarget;
  /** Answers 401/407 and adds pre-emptive credentials. */
  authenticator?: DigestAuthenticator;
  /** Called with each provisional response. */
  onProvisional?: (response: SipResponse) => void;
  /** Called before every attempt (new target or re-send after a challenge), e.g. to write a Contact for that target. */
  beforeSend?: (request: SipRequest, target: SendTarget) => void;
}

/** The final response and the request and target that produced it. */
export interface RequestOutcome {
  response: SipResponse;
  /** The request actually sent last (its CSeq may be higher than the template's after challenges). */
  request: SipRequest;
  /** The target tried last, as located (a UDP target even if the request went over TCP for its size). */
  target: SendTarget;
}

/** No target of the next hop could be resolved. */
export class NoTargetError extends PortierError {
  constructor(host: string, options?: { cause?: unknown }) {
    const why = options?.cause instanceof Error ? `: ${options.cause.message}` : '';
    super('SIP_ERR_NO_TARGET', `could not resolve any target for ${host}${why}`, options);
  }
}

/** How the sender remembers targets that failed. */
export interface RequestSenderOptions {
  /** Record of failed targets (a private one by default), e.g. shared with another sender. */
  failedTargets?: TargetBlacklist;
  /** How long a target that failed this way is tried last, in ms (default 60 000 each; a 503's Retry-After wins). */
  blockMs?: Partial<Record<TargetFailure, number>>;
}

/** More than this many challenge rounds in one chain is a broken server, not a login. */
const MAX_CHALLENGES = 4;

/** Like Kamailio's destination blacklist: long enough to spare the next requests a Timer F each. */
const DEFAULT_BLOCK_MS = 60_000;

/**
 * Sends a non-INVITE request as the UAC core does (RFC 3261 §8.1): locates the next hop
 * (RFC 3263), fails over to the next target on a transport error, a timeout or a 503
 * (RFC 3263 §4.3), and answers 401/407 challenges (§22.2) with a fresh branch and CSeq.
 * A target that failed is tried last by the following requests for a while, so that each
 * does not first wait out Timer F (32 s) on a dead primary.
 */
export class RequestSender {
  /** Targets that failed recently; clear() makes them first choices again. */
  readonly failedTargets: TargetBlacklist;
  private readonly blockMs: Partial<Record<TargetFailure, number>>;

  constructor(
    private readonly transactions: TransactionLayer,
    private readonly locator: NextHopLocator,
    private readonly logger: Logger,
    private readonly outboundProxy?: SipUri,
    private readonly watchFlow?: FlowWatch,
    options: RequestSenderOptions = {},
  ) {
    this.failedTargets = options.failedTargets ?? new TargetBlacklist({ defaultDurationMs: DEFAULT_BLOCK_MS });
    this.blockMs = {
      'transport-error': DEFAULT_BLOCK_MS,
      timeout: DEFAULT_BLOCK_MS,
      'service-unavailable': DEFAULT_BLOCK_MS,
      ...options.blockMs,
    };
  }

  /** The targets for a request: outbound proxy, else the first Route (loose routing), else the Request-URI. */
  async resolveTargets(request: SipRequest): Promise<SendTarget[]> {
    const routes = request.hasHeader('route') ? request.routes : [];
    const hop = this.outboundProxy ?? (routes[0]?.uri instanceof SipUri ? routes[0].uri : undefined) ?? request.uri;
    if (!(hop instanceof SipUri)) throw new NoTargetError(hop.toString());
    const transport = hop.transport;
    const lookup: { host: string; port?: number; transport?: string; secure: boolean } = { host: hop.hostname, secure: hop.scheme === 'sips' };
    if (hop.port !== undefined) lookup.port = hop.port;
    if (transport !== undefined) lookup.transport = transport;
    let targets: SendTarget[];
    try {
      targets = await this.locator.locate(lookup);
    } catch (error) {
      throw new NoTargetError(hop.hostname, { cause: error });
    }
    if (targets.length === 0) throw new NoTargetError(hop.hostname);
    return targets;
  }

  /** Sends `template` (no Via: each attempt gets a fresh branch) and resolves with the final response. */
  async send(template: SipRequest, options: SendOptions = {}): Promise<RequestOutcome> {
    const targets = options.target ? [options.target] : await this.resolveTargets(template);
    let request = template.clone();
    request.removeHeader('via');
    const auth = options.authenticator;
    if (auth) this.addCredentials(request, auth.authorize({ method: request.method, uri: request.uri.toString(), body: request.body }));
    let lastError: unknown;
    let challenges = 0;
    // Targets that failed recently come last (soonest unblocked first), never not at all.
    const failover = new FailoverTargets(targets, { blacklist: this.failedTargets, blockMs: this.blockMs });
    let target = failover.next();
    while (target !== undefined) {
      const attempt = request.clone();
      options.beforeSend?.(attempt, target);
      let response: SipResponse;
      try {
        response = await this.exchange(attempt, target, options.onProvisional);
      } catch (error) {
        // RFC 3263 §4.3: a transport failure or timeout moves on to the next target.
        this.logger.debug('request failed, trying next target', { method: request.method, target: `${target.protocol}:${target.address}:${target.port}`, error });
        lastError = error;
        const failure = failureOf(error);
        target = failure !== undefined ? failover.fail(failure) : failover.next();
        continue;
      }
      if (response.status === 503) {
        // RFC 3263 §4.3: a 503 moves on too; its Retry-After says how long the server wants to be spared.
        const retryAfter = retryAfterSeconds(response);
        const next = failover.fail('service-unavailable', retryAfter !== undefined ? { retryAfterSeconds: retryAfter } : {});
        if (next !== undefined) {
          lastError = undefined;
          target = next;
          continue;
        }
        // The last target's answer is the outcome.
        return { response, request: attempt, target };
      }
      failover.succeeded(target);
      if ((response.status === 401 || response.status === 407) && auth && challenges < MAX_CHALLENGES) {
        challenges++;
        const header = response.status === 401 ? 'WWW-Authenticate' : 'Proxy-Authenticate';
        // Throws AuthRejectedError when the same realm challenges our answer again: no endless loop.
        const fields = auth.respond(response.status, response.getHeaders(header), {
          method: request.method,
          uri: request.uri.toString(),
          body: request.body,
        });
        request = attempt.clone();
        request.removeHeader('via');
        const cseq = request.cseq;
        request.setHeader('CSeq', `${cseq.seq + 1} ${cseq.method}`);
        this.addCredentials(request, fields);
        // The challenge came from a live server: stay on this target.
        continue;
      }
      if (auth && response.status !== 401 && response.status !== 407) auth.accepted();
      return { response, request: attempt, target };
    }
    throw lastError instanceof Error ? lastError : new NoTargetError(targets[0]?.address ?? '?');
  }

  /**
   * One client transaction: resolves with its final response, rejects on timeout, on a transport
   * error, or when the stream connection it went out on closes first (RFC 3261 §17.1.4: the
   * transport failure is reported to the TU, which moves on to the next target, RFC 3263 §4.3).
   */
  private exchange(request: SipRequest, target: SendTarget, onProvisional?: (r: SipResponse) => void): Promise<SipResponse> {
    return new Promise((resolve, reject) => {
      let transaction: ClientTransaction;
      try {
        transaction = this.transactions.sendRequest(request, target);
      } catch (error) {
        reject(error);
        return;
      }
      let settled = false;
      // The transaction's own target: a request too large for UDP went over TCP (RFC 3261 §18.1.1).
      const sentTo = transaction.target;
      const unwatch =
        sentTo.protocol === 'udp' || !this.watchFlow
          ? undefined
          : this.watchFlow(sentTo, () => {
              // Back on UDP after its connection failed: no connection carries it any more.
              if (settled || transaction.target.protocol === 'udp') return;
              settle();
              transaction.close();
              reject(new TransportError('SIP_ERR_TRANSPORT_CLOSED', `${sentTo.protocol} connection to ${sentTo.address}:${sentTo.port} closed before a final response to ${request.method}`));
            });
      const settle = (): void => {
        settled = true;
        unwatch?.();
      };
      transaction.on('response', (response) => {
        if (response.status < 200) {
          onProvisional?.(response);
          return;
        }
        if (!settled) {
          settle();
          resolve(response);
        }
      });
      transaction.on('timeout', (error) => {
        if (!settled) {
          settle();
          reject(error);
        }
      });
      transaction.on('transportError', (error) => {
        if (!settled) {
          settle();
          reject(error);
        }
      });
      // Closed from outside (the layer shutting down): no event above will come, so fail here.
      transaction.on('terminated', () => {
        if (!settled) {
          settle();
          reject(new PortierError('SIP_ERR_TRANSACTION_CLOSED', `${request.method} transaction closed before a final response`));
        }
      });
    });
  }

  private addCredentials(request: SipRequest, fields: Array<{ name: string; value: string; realm: string }>): void {
    for (const f of fields) {
      // Replace an older answer for the same realm, keep answers for other realms (proxy and registrar).
      const keep = request.getHeaders(f.name).filter((v) => realmOf(v) !== f.realm);
      request.removeHeader(f.name);
      for (const v of keep) request.appendHeader(f.name, v);
      request.appendHeader(f.name, f.value);
    }
  }
}

/** Which RFC 3263 §4.3 failure an attempt's error is; undefined for errors that say nothing about the target. */
function failureOf(error: unknown): TargetFailure | undefined {
  if (error instanceof TransactionTimeoutError) return 'timeout';
  const code = (error as { code?: unknown } | undefined)?.code;
  if (typeof code !== 'string') return undefined;
  if (code.startsWith('SIP_ERR_TRANSPORT') || code === 'SIP_ERR_TRANSACTION_TRANSPORT' || code === 'SIP_ERR_TLS_VERIFY') return 'transport-error';
  return undefined;
}

/** The delta-seconds of a Retry-After (RFC 3261 §20.33), comment and parameters ignored. */
function retryAfterSeconds(response: SipResponse): number | undefined {
  const match = /^\s*(\d{1,9})/.exec(response.getHeader('Retry-After') ?? '');
  return match ? Number(match[1]) : undefined;
}

function realmOf(value: string): string | undefined {
  return /realm\s*=\s*"((?:[^"\\]|\\.)*)"/i.exec(value)?.[1];
}
