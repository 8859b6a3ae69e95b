import { promises as dnsPromises } from 'node:dns';

/** A NAPTR record as node:dns returns it (RFC 3403). */
export interface NaptrRecord {
  flags: string;
  service: string;
  regexp: string;
  replacement: string;
  order: number;
  preference: number;
}

/** An SRV record as node:dns returns it (RFC 2782). */
export interface SrvRecord {
  priority: number;
  weight: number;
  port: number;
  name: string;
}

/** The DNS queries RFC 3263 needs; `dns.promises.Resolver` satisfies it, tests pass fakes. */
export interface DnsResolver {
  resolveNaptr(name: string): Promise<NaptrRecord[]>;
  resolveSrv(name: string): Promise<SrvRecord[]>;
  resolve4(name: string): Promise<string[]>;
  resolve6(name: string): Promise<string[]>;
}

/** Options of the default resolver. */
export interface SystemResolverOptions {
  /** Name servers as `ip` or `ip:port` (`[v6]:port`); the system's when absent. */
  servers?: string[];
  /** Per-try timeout in ms (node default ~5000 when absent). */
  timeoutMs?: number;
  /** Tries per server (node default 4 when absent). */
  tries?: number;
}

/** A resolver backed by node:dns (c-ares), with its own server list so that changing it affects nobody else. */
export function createSystemResolver(options: SystemResolverOptions = {}): DnsResolver {
  const resolver = new dnsPromises.Resolver({
    ...(options.timeoutMs !== undefined ? { timeout: options.timeoutMs } : {}),
    ...(options.tries !== undefined ? { tries: options.tries } : {}),
  });
  if (options.servers && options.servers.length > 0) resolver.setServers(options.servers);
  return {
    resolveNaptr: (name) => resolver.resolveNaptr(name),
    resolveSrv: (name) => resolver.resolveSrv(name),
    resolve4: (name) => resolver.resolve4(name),
    resolve6: (name) => resolver.resolve6(name),
  };
}

/** Whether a resolver error only means "no such records" (as opposed to a failing server). */
export function isNoRecordsError(error: unknown): boolean {
  const code = (error as { code?: unknown } | null)?.code;
  return code === 'ENODATA' || code === 'ENOTFOUND' || code === 'NODATA' || code === 'NOTFOUND';
}
