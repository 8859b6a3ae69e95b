import type { StationStatusSnapshot } from '../intercom/station-status.js';
import { PortierError } from '../util/portier-error.js';
import type { ApiEndpoint } from './api-endpoint.js';

/**
 * A request to the service failed. `code` is the server's stable error code
 * (e.g. `PORTIER_ERR_UNKNOWN_RELAY`), or `PORTIER_ERR_API_UNREACHABLE` when
 * nothing answered, or `PORTIER_ERR_API_RESPONSE` for a reply that is not the API's.
 */
export class ApiClientError extends PortierError {
  constructor(
    code: string,
    message: string,
    readonly status?: number,
    options?: { cause?: unknown },
  ) {
    super(code, message, options);
  }
}

export interface ApiClientOptions {
  timeoutMs?: number;
  fetch?: typeof fetch;
}

/** Talks to a running Portier service through its HTTP API (for `portier call|open|status`). */
export class ApiClient {
  private readonly fetch: typeof fetch;
  private readonly timeoutMs: number;

  constructor(
    readonly endpoint: ApiEndpoint,
    options: ApiClientOptions = {},
  ) {
    this.fetch = options.fetch ?? fetch;
    this.timeoutMs = options.timeoutMs ?? 5000;
  }

  status(): Promise<StationStatusSnapshot> {
    return this.request('GET', '/status');
  }

  openDoor(relay?: string): Promise<{ relay: string }> {
    return this.request('POST', '/door/open', relay === undefined ? {} : { relay });
  }

  call(target: string): Promise<{ target: string }> {
    return this.request('POST', '/call', { target });
  }

  async hangUp(): Promise<void> {
    await this.request('POST', '/call/hangup', {});
  }

  private async request<T>(method: 'GET' | 'POST', path: string, body?: Record<string, unknown>): Promise<T> {
    const url = this.endpoint.baseUrl + path;
    const headers: Record<string, string> = { accept: 'application/json' };
    if (this.endpoint.token) headers.authorization = `Bearer ${this.endpoint.token}`;
    if (body !== undefined) headers['content-type'] = 'application/json';
    let res: Response;
    try {
      res = await this.fetch(url, {
        method,
        headers,
        ...(body !== undefined ? { body: JSON.stringify(body) } : {}),
        signal: AbortSignal.timeout(this.timeoutMs),
      });
    } catch (error) {
      const cause = (error as { cause?: { code?: string } }).cause?.code ?? (error as Error).name;
      throw new ApiClientError('PORTIER_ERR_API_UNREACHABLE', `cannot reach the Portier service at ${this.endpoint.baseUrl} (${cause}); is it running?`, undefined, { cause: error });
    }
    let json: unknown;
    try {
      json = await res.json();
    } catch (error) {
      throw new ApiClientError('PORTIER_ERR_API_RESPONSE', `${url} answered ${res.status} without JSON`, res.status, { cause: error });
    }
    if (!res.ok) {
      const e = (json as { error?: { code?: unknown; message?: unknown } }).error;
      if (typeof e?.code === 'string') throw new ApiClientError(e.code, String(e.message ?? e.code), res.status);
      throw new ApiClientError('PORTIER_ERR_API_RESPONSE', `${url} answered ${res.status}`, res.status);
    }
    return json as T;
  }
}
