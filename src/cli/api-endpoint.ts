import { readFile } from 'node:fs/promises';
import { isIP } from 'node:net';
import { parse } from 'yaml';
import { DEFAULT_CONFIG } from '../config/default-config.js';
import { PortierError } from '../util/portier-error.js';

/** Where the running service's HTTP API is, and the token to present. */
export interface ApiEndpoint {
  baseUrl: string;
  token?: string;
}

/** The API cannot be located (disabled in the configuration, unreadable file, bad PORTIER_API). */
export class ApiEndpointError extends PortierError {
  constructor(message: string) {
    super('PORTIER_ERR_API_ENDPOINT', message);
  }
}

export interface ResolveEndpointOptions {
  env?: Record<string, string | undefined>;
  /** Configuration file to read `http` from; none: the defaults. */
  configPath?: string;
  readText?: (path: string) => Promise<string>;
}

/**
 * Finds the API from `PORTIER_API` / `PORTIER_TOKEN`, else from the `http` section
 * of the configuration file. Only that section is read: the CLI may run as a user
 * who cannot read the SIP password or door-code files, which a full load would need.
 */
export async function resolveApiEndpoint(options: ResolveEndpointOptions = {}): Promise<ApiEndpoint> {
  const env = options.env ?? process.env;
  const read = options.readText ?? ((p: string) => readFile(p, 'utf8'));
  let http: Record<string, unknown> = {};
  if (options.configPath !== undefined && !env.PORTIER_API) {
    let doc: unknown;
    try {
      doc = parse(await read(options.configPath));
    } catch (error) {
      throw new ApiEndpointError(`cannot read ${options.configPath} (${(error as NodeJS.ErrnoException).code ?? (error as Error).message}); set PORTIER_API instead`);
    }
    const section = (doc as { http?: unknown } | null)?.http;
    if (section && typeof section === 'object') http = section as Record<string, unknown>;
  }
  if (env.PORTIER_API) {
    let url: URL;
    try {
      url = new URL(env.PORTIER_API);
    } catch {
      throw new ApiEndpointError(`PORTIER_API is not a URL: ${env.PORTIER_API}`);
    }
    return withToken({ baseUrl: url.href.replace(/\/+$/, '') }, env.PORTIER_TOKEN);
  }
  if (http.enabled === false) throw new ApiEndpointError('the HTTP API is disabled in the configuration (http.enabled: false)');
  const bind = typeof http.bind === 'string' ? http.bind : DEFAULT_CONFIG.http.bind;
  const port = typeof http.port === 'number' ? http.port : DEFAULT_CONFIG.http.port;
  const token = env.PORTIER_TOKEN ?? (await configToken(http.token, env, read));
  return withToken({ baseUrl: `http://${hostFor(bind)}:${port}` }, token);
}

/** A wildcard bind is reached on loopback; IPv6 literals need brackets in a URL. */
function hostFor(bind: string): string {
  if (bind === '0.0.0.0') return '127.0.0.1';
  if (bind === '::') return '[::1]';
  return isIP(bind) === 6 ? `[${bind}]` : bind;
}

/** A token written inline, as `{ env: NAME }` or as `{ file: path }`; undefined when it cannot be read. */
async function configToken(value: unknown, env: Record<string, string | undefined>, read: (p: string) => Promise<string>): Promise<string | undefined> {
  if (typeof value === 'string') return value;
  if (!value || typeof value !== 'object') return undefined;
  const ref = value as { env?: unknown; file?: unknown };
  if (typeof ref.env === 'string') return env[ref.env];
  if (typeof ref.file === 'string') return read(ref.file).then((t) => t.trim(), () => undefined);
  return undefined;
}

function withToken(endpoint: ApiEndpoint, token: string | undefined): ApiEndpoint {
  return token ? { ...endpoint, token } : endpoint;
}
