import { silentLogger, type Logger } from '../../log/logger.js';
import { TypedEmitter } from '../../util/typed-emitter.js';
import { PRODUCT_TOKEN } from '../../version.js';
import { createResponse, generateTag, SipUri, TelUri, type SipRequest, type SipResponse } from '../messages/index.js';
import type { InviteServerTransaction } from '../transactions/invite-server-transaction.js';
import type { NonInviteServerTransaction } from '../transactions/non-invite-server-transaction.js';
import type { ServerTransaction } from '../transactions/server-transaction.js';
import type { TimerSettings } from '../transactions/timer-settings.js';
import { TransactionLayer } from '../transactions/transaction-layer.js';
import type { TransactionLayerDelegate } from '../transactions/transaction-layer-delegate.js';
import type { ClosedConnectionInfo, TransportLayer } from '../transport/transport-layer.js';
import type { ReceivedInfo, SendTarget } from '../transport/transport-types.js';
import { normalizeAddress } from '../transport/transport-via.js';
import { ACCEPTED_BODIES, ALLOWED_METHODS, KNOWN_METHODS, SUPPORTED_EXTENSIONS } from './capabilities.js';
import { MergedRequestDetector } from './merged-request-detector.js';
import type { NextHopLocator } from './next-hop-locator.js';
import { RequestSender, type RequestOutcome, type SendOptions } from './request-sender.js';

/** Handles one kind of incoming request; it must answer through the transaction. */
export type RequestHandler = (request: SipRequest, transaction: ServerTransaction, info: ReceivedInfo) => void;

/** Handles a CANCEL whose INVITE server transaction was found (§9.2). */
export type CancelHandler = (cancel: SipRequest, invite: InviteServerTransaction, info: ReceivedInfo) => void;

/** Events for the dialog layer above. */
export type UserAgentCoreEvents = {
  /** An ACK for a 2xx (it belongs to a dialog, not to a transaction). */
  ack: [ack: SipRequest, info: ReceivedInfo];
  /** A 2xx to an INVITE after its transaction ended (forks, retransmissions). */
  strayResponse: [response: SipResponse, info: ReceivedInfo];
};

/** Construction options. */
export interface UserAgentCoreOptions {
  transport: TransportLayer;
  locator: NextHopLocator;
  outboundProxy?: SipUri;
  timers?: Partial<TimerSettings>;
  logger?: Logger;
}

/**
 * The UA core (RFC 3261 §8): joins the transport and transaction layers, answers what
 * needs no dialog (OPTIONS §11, unknown methods §8.2.1, unsupported Require §8.2.2.3,
 * unknown URI schemes §8.2.2.1) and hands the rest to the handler registered for
 * its method. Outgoing requests go through the RequestSender (RFC 3263 failover, digest).
 */
export class UserAgentCore extends TypedEmitter<UserAgentCoreEvents> implements TransactionLayerDelegate {
  readonly transport: TransportLayer;
  readonly transactions: TransactionLayer;
  readonly sender: RequestSender;
  private readonly handlers = new Map<string, RequestHandler>();
  private cancelHandler: CancelHandler | undefined;
  private readonly merged = new MergedRequestDetector();
  private readonly logger: Logger;
  private closed = false;
  private readonly onTransportRequest = (request: SipRequest, info: ReceivedInfo) => this.transactions.receiveRequest(request, info);
  private readonly onTransportResponse = (response: SipResponse, info: ReceivedInfo) => this.transactions.receiveResponse(response, info);

  constructor(options: UserAgentCoreOptions) {
    super();
    this.transport = options.transport;
    this.logger = (options.logger ?? silentLogger).child({ component: 'ua' });
    this.transactions = new TransactionLayer({
      transport: options.transport,
      delegate: this,
      ...(options.timers ? { timers: options.timers } : {}),
      logger: options.logger ?? silentLogger,
    });
    this.sender = new RequestSender(this.transactions, options.locator, this.logger, options.outboundProxy, (target, onClosed) =>
      this.watchFlow(target, onClosed),
    );
    this.transport.on('request', this.onTransportRequest);
    this.transport.on('response', this.onTransportResponse);
    this.handlers.set('OPTIONS', (request, transaction) => transaction.respond(this.optionsResponse(request)));
  }

  /** Routes requests of `method` to `handler` (replacing the default OPTIONS answer if given for OPTIONS). */
  handle(method: string, handler: RequestHandler): void {
    this.handlers.set(method.toUpperCase(), handler);
  }

  /** Routes CANCELs that match an INVITE server transaction. */
  handleCancel(handler: CancelHandler): void {
    this.cancelHandler = handler;
  }

  /** Sends a non-INVITE request and resolves with its final response. */
  send(request: SipRequest, options?: SendOptions): Promise<RequestOutcome> {
    return this.sender.send(request, options);
  }

  /** Our answer to OPTIONS (RFC 3261 §11.2): what we allow, accept and support. */
  optionsResponse(request: SipRequest): SipResponse {
    // Answered up to hundreds of times a second (keep-alive pings): the header list is made once.
    return createResponse(request, 200, { toTag: generateTag(), headers: OPTIONS_HEADERS });
  }

  /** A response with our tag and Server header. */
  response(request: SipRequest, status: number, options: { reason?: string; headers?: Array<[string, string]>; toTag?: string } = {}): SipResponse {
    return createResponse(request, status, {
      toTag: options.toTag ?? generateTag(),
      ...(options.reason !== undefined ? { reason: options.reason } : {}),
      headers: options.headers ? [...options.headers, SERVER_HEADER] : ONLY_SERVER_HEADER,
    });
  }

  onRequest(request: SipRequest, transaction: ServerTransaction, info: ReceivedInfo): void {
    const method = request.method.toUpperCase();
    if (!(request.uri instanceof SipUri || request.uri instanceof TelUri)) {
      // §8.2.2.1: "If the Request-URI uses a scheme not supported by the UAS, it SHOULD reject the request with a 416".
      transaction.respond(this.response(request, 416));
      return;
    }
    if (!KNOWN_METHODS.has(method)) {
      // §8.2.1: "If a UAS does not understand a request method, it MUST respond with 501 Not Implemented".
      transaction.respond(this.response(request, 501, { headers: [['Allow', ALLOWED_METHODS.join(', ')]] }));
      return;
    }
    if (isMerged(request, transaction, this.merged)) {
      // §8.2.2.2: the same request forked back to us along another path; the first copy is being served.
      transaction.respond(this.response(request, 482));
      return;
    }
    if (method !== 'CANCEL' && method !== 'ACK' && request.hasHeader('require')) {
      // §8.2.2.3: reject a Require we do not support with 420 listing them in Unsupported.
      let unsupported: string[] = [];
      try {
        unsupported = request.require.filter((tag) => !SUPPORTED_EXTENSIONS.includes(tag));
      } catch {
        unsupported = [];
      }
      if (unsupported.length > 0) {
        transaction.respond(this.response(request, 420, { headers: [['Unsupported', unsupported.join(', ')]] }));
        return;
      }
    }
    const handler = this.handlers.get(method);
    if (!handler) {
      // §8.2.1: a method we know but do not offer here: 405 with Allow.
      transaction.respond(this.response(request, 405, { headers: [['Allow', ALLOWED_METHODS.join(', ')]] }));
      return;
    }
    try {
      handler(request, transaction, info);
    } catch (error) {
      this.logger.error('request handler failed', { method, error });
      if (transaction.lastStatus === undefined || transaction.lastStatus < 200) transaction.respond(this.response(request, 500));
    }
  }

  onCancel(cancel: SipRequest, transaction: NonInviteServerTransaction, target: InviteServerTransaction | undefined, info: ReceivedInfo): void {
    if (!target) {
      // §9.2: "If the UAS did not find a matching transaction for the CANCEL, it SHOULD respond … 481".
      transaction.respond(this.response(cancel, 481));
      return;
    }
    transaction.respond(this.response(cancel, 200));
    if (this.cancelHandler) {
      this.cancelHandler(cancel, target, info);
    } else if (target.lastStatus === undefined || target.lastStatus < 200) {
      target.respond(this.response(target.request, 487));
    }
  }

  onAck(ack: SipRequest, info: ReceivedInfo): void {
    this.emit('ack', ack, info);
  }

  onStrayResponse(response: SipResponse, info: ReceivedInfo): void {
    this.emit('strayResponse', response, info);
  }

  /** Calls `onClosed` when the last open stream connection to `target` closes. */
  private watchFlow(target: SendTarget, onClosed: () => void): () => void {
    const address = normalizeAddress(target.address);
    const toTarget = (c: { protocol: string; remote: { address: string; port: number } }): boolean =>
      c.protocol === target.protocol && c.remote.port === target.port && normalizeAddress(c.remote.address) === address;
    const listener = (info: ClosedConnectionInfo): void => {
      // Another connection to the same peer (a newer one) still carries the request.
      if (toTarget(info) && !this.transport.openConnections.some(toTarget)) onClosed();
    };
    this.transport.on('connectionClosed', listener);
    return () => this.transport.off('connectionClosed', listener);
  }

  /** Stops the transactions and detaches from the transport (which its owner closes). */
  close(): void {
    if (this.closed) return;
    this.closed = true;
    this.transport.off('request', this.onTransportRequest);
    this.transport.off('response', this.onTransportResponse);
    this.transactions.close();
    this.merged.clear();
    this.removeAllListeners();
  }
}

const SERVER_HEADER: [string, string] = ['Server', PRODUCT_TOKEN];
const ONLY_SERVER_HEADER: Array<[string, string]> = [SERVER_HEADER];
/** What optionsResponse() adds (RFC 3261 §11.2): what we allow, accept and support, and Server. */
const OPTIONS_HEADERS: Array<[string, string]> = [
  ['Allow', ALLOWED_METHODS.join(', ')],
  ['Accept', ACCEPTED_BODIES.join(', ')],
  ['Accept-Encoding', 'identity'],
  ['Supported', SUPPORTED_EXTENSIONS.join(', ')],
  SERVER_HEADER,
];

/** §8.2.2.2 applies to requests outside a dialog (no To tag); a malformed To is left to the handler. */
function isMerged(request: SipRequest, transaction: ServerTransaction, detector: MergedRequestDetector): boolean {
  try {
    return request.to.tag === undefined && detector.isMerged(request, transaction);
  } catch {
    return false;
  }
}
