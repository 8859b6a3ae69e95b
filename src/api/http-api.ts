import crypto from 'node:crypto';
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { HttpConfig } from '../config/portier-config.js';
import { silentLogger, type Logger } from '../log/logger.js';
import { ApiError, httpStatusFor, isKnownErrorCode } from './api-error.js';
import { isLoopbackAddress, isLoopbackHostHeader } from './bind-address.js';
import { EventStream } from './event-stream.js';
import { optionalString, readJsonBody } from './request-body.js';
import type { StationControl, StationEvent } from './station-control.js';

export interface HttpApiOptions {
  control: StationControl;
  bind: string;
  port: number;
  /** Bearer token; required when `bind` is not a loopback address. */
  token?: string;
  logger?: Logger;
  /** Default 15 000 ms. */
  heartbeatMs?: number;
  /** Event-stream clients served at once; default 8. */
  maxEventClients?: number;
}

type Handler = (req: IncomingMessage, res: ServerResponse, params: string[]) => Promise<void>;
interface Route {
  method: 'GET' | 'POST';
  path: RegExp;
  handler: Handler;
  simulationOnly?: boolean;
}

const INPUT_NAME = '([A-Za-z0-9_.-]{1,64})';

/**
 * The local HTTP API on `node:http`: status, door opening, calls, an event stream
 * and (in simulation) input presses. On loopback it needs no token but refuses
 * requests carrying an Origin header or a non-loopback Host (a browser page must
 * not be able to open the door); elsewhere it requires `Authorization: Bearer`.
 * Errors are JSON `{ error: { code, message } }` with stable codes.
 */
export class HttpApi {
  private readonly server: Server;
  private readonly events: EventStream;
  private readonly unsubscribe: () => void;
  private readonly tokenDigest: Buffer | undefined;
  private readonly requireToken: boolean;
  private readonly logger: Logger;
  private readonly routes: Route[];
  private closing: Promise<void> | undefined;

  private constructor(private readonly options: HttpApiOptions) {
    this.logger = (options.logger ?? silentLogger).child({ component: 'http' });
    this.requireToken = options.token !== undefined || !isLoopbackAddress(options.bind);
    this.tokenDigest = options.token !== undefined ? digest(options.token) : undefined;
    this.events = new EventStream({ maxClients: options.maxEventClients ?? 8, heartbeatMs: options.heartbeatMs ?? 15_000 });
    this.unsubscribe = options.control.subscribe((event: StationEvent) => this.events.broadcast(event.type, event));
    this.routes = this.makeRoutes();
    this.server = createServer((req, res) => void this.handle(req, res));
    this.server.requestTimeout = 10_000;
    this.server.headersTimeout = 10_000;
    this.server.maxConnections = 64;
  }

  /** Starts listening; throws `PORTIER_ERR_API_NO_TOKEN` when bound beyond loopback without a token. */
  static async start(options: HttpApiOptions): Promise<HttpApi> {
    if (!isLoopbackAddress(options.bind) && !options.token) {
      throw new ApiError('PORTIER_ERR_API_NO_TOKEN', `http.bind is ${options.bind}, which is not loopback: set http.token`);
    }
    const api = new HttpApi(options);
    try {
      await new Promise<void>((resolve, reject) => {
        api.server.once('error', reject);
        api.server.listen(options.port, options.bind, () => {
          api.server.off('error', reject);
          resolve();
        });
      });
    } catch (error) {
      api.unsubscribe();
      api.events.close();
      throw new ApiError('PORTIER_ERR_API_LISTEN', `cannot listen on ${options.bind}:${options.port}: ${(error as Error).message}`, { cause: error });
    }
    api.server.on('error', (error) => api.logger.error('http server error', { error }));
    api.logger.info('http api listening', { address: options.bind, port: api.port, token: api.requireToken });
    return api;
  }

  /** Starts the API from `http` in the configuration, or returns undefined when it is disabled. */
  static async fromConfig(http: HttpConfig, control: StationControl, logger?: Logger): Promise<HttpApi | undefined> {
    if (!http.enabled) return undefined;
    return HttpApi.start({ control, bind: http.bind, port: http.port, ...(http.token !== undefined ? { token: http.token } : {}), ...(logger ? { logger } : {}) });
  }

  /** The port listened on (useful with port 0). */
  get port(): number {
    return (this.server.address() as AddressInfo).port;
  }

  /** Ends event streams, stops listening and drops open connections; idempotent. */
  close(): Promise<void> {
    this.closing ??= new Promise<void>((resolve) => {
      this.unsubscribe();
      this.events.close();
      this.server.close(() => resolve());
      this.server.closeAllConnections();
    });
    return this.closing;
  }

  private makeRoutes(): Route[] {
    const { control } = this.options;
    return [
      { method: 'GET', path: /^\/status$/, handler: async (_q, res) => sendJson(res, 200, control.status()) },
      {
        method: 'POST',
        path: /^\/door\/open$/,
        handler: async (req, res) => {
          const relay = optionalString(await readJsonBody(req), 'relay', 64);
          const opened = await control.openDoor(relay);
          sendJson(res, 200, { ok: true, relay: opened.relay });
        },
      },
      {
        method: 'POST',
        path: /^\/call$/,
        handler: async (req, res) => {
          const target = optionalString(await readJsonBody(req), 'target');
          if (target === undefined) throw new ApiError('PORTIER_ERR_API_BAD_REQUEST', '"target" is required');
          const placed = await control.placeCall(target);
          sendJson(res, 202, { ok: true, target: placed.target });
        },
      },
      {
        method: 'POST',
        path: /^\/call\/hangup$/,
        handler: async (req, res) => {
          await readJsonBody(req);
          await control.hangUp();
          sendJson(res, 200, { ok: true });
        },
      },
      { method: 'GET', path: /^\/events$/, handler: async (_q, res) => this.openEventStream(res) },
      ...(['press', 'release'] as const).map(
        (action): Route => ({
          method: 'POST',
          path: new RegExp(`^/sim/input/${INPUT_NAME}/${action}$`),
          simulationOnly: true,
          handler: async (req, res, [name]) => {
            await readJsonBody(req);
            control.setSimulatedInput(name!, action === 'press');
            sendJson(res, 200, { ok: true, input: name, pressed: action === 'press' });
          },
        }),
      ),
    ];
  }

  private async handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
    try {
      this.checkAccess(req);
      const path = new URL(req.url ?? '/', 'http://portier').pathname;
      const candidates = this.routes.filter((r) => (!r.simulationOnly || this.options.control.simulation) && r.path.test(path));
      if (candidates.length === 0) throw new ApiError('PORTIER_ERR_API_NOT_FOUND', `no route for ${path}`);
      const route = candidates.find((r) => r.method === req.method);
      if (!route) {
        res.setHeader('allow', [...new Set(candidates.map((r) => r.method))].join(', '));
        throw new ApiError('PORTIER_ERR_API_METHOD_NOT_ALLOWED', `${req.method ?? '?'} is not allowed on ${path}`);
      }
      await route.handler(req, res, route.path.exec(path)!.slice(1));
    } catch (error) {
      this.sendError(req, res, error);
    }
  }

  private checkAccess(req: IncomingMessage): void {
    if (this.requireToken) {
      const header = req.headers.authorization ?? '';
      const m = /^Bearer\s+(\S+)\s*$/i.exec(header);
      // Comparing digests keeps the comparison constant-time whatever the presented length.
      if (!m || !this.tokenDigest || !crypto.timingSafeEqual(digest(m[1]!), this.tokenDigest)) {
        throw new ApiError('PORTIER_ERR_API_UNAUTHORIZED', 'a valid bearer token is required');
      }
      return;
    }
    // Without a token the only protection is that nothing but local programs get here; browsers are local programs too.
    if (req.headers.origin !== undefined) throw new ApiError('PORTIER_ERR_API_FORBIDDEN', 'requests from web pages are refused');
    if (!isLoopbackHostHeader(req.headers.host)) throw new ApiError('PORTIER_ERR_API_FORBIDDEN', 'the Host header must name the loopback address');
  }

  private openEventStream(res: ServerResponse): void {
    if (this.events.full) throw new ApiError('PORTIER_ERR_API_TOO_MANY_CLIENTS', 'too many event-stream clients');
    this.events.accept(res, [{ event: 'status', data: this.options.control.status() }]);
  }

  private sendError(req: IncomingMessage, res: ServerResponse, error: unknown): void {
    const code = (error as { code?: unknown })?.code;
    const known = isKnownErrorCode(code);
    if (!known) this.logger.error('http request failed', { method: req.method, url: req.url, error: error as Error });
    if (res.headersSent) {
      res.destroy();
      return;
    }
    const status = known ? httpStatusFor(code) : 500;
    if (status === 401) res.setHeader('www-authenticate', 'Bearer realm="portier"');
    const message = known ? (error as Error).message : 'internal error';
    sendJson(res, status, { error: { code: known ? code : 'PORTIER_ERR_API_INTERNAL', message } });
    // An unread request body would otherwise be parsed as the next request on this connection.
    if (!req.complete) res.once('finish', () => req.destroy());
  }
}

function sendJson(res: ServerResponse, status: number, body: unknown): void {
  const text = JSON.stringify(body);
  res.writeHead(status, { 'content-type': 'application/json; charset=utf-8', 'content-length': Buffer.byteLength(text), 'cache-control': 'no-store' });
  res.end(text);
}

function digest(token: string): Buffer {
  return crypto.createHash('sha256').update(token, 'utf8').digest();
}
