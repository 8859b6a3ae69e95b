import { isIP } from 'node:net';
import { type Logger, silentLogger } from '../../log/logger.js';
import { ServerLocateError } from './server-locator-error.js';
import { selectNaptrRecords } from './server-locator-naptr.js';
import { createSystemResolver, type DnsResolver, isNoRecordsError, type SrvRecord } from './server-locator-resolver.js';
import { orderSrvRecords } from './server-locator-srv.js';
import type { SendTarget, TransportProtocol } from './transport-types.js';

/** The parts of a SIP/SIPS URI that RFC 3263 looks at. */
export interface LocateUri {
  /** Host name or literal address; an IPv6 literal may keep its brackets. */
  host: string;
  port?: number;
  /** The `transport` URI parameter, any case. */
  transport?: string;
  /** True for a sips: URI. */
  secure: boolean;
}

/** Options of a ServerLocator. */
export interface ServerLocatorOptions {
  /** DNS access; a node:dns Resolver (using `servers` when given) by default. */
  resolver?: DnsResolver;
  /** Name servers for the default resolver, `ip` or `ip:port`. */
  servers?: string[];
  /** Transports we can use, in our order of preference for SRV queries without NAPTR (default udp, tcp, tls). */
  transports?: TransportProtocol[];
  /** Put IPv6 addresses of a host before its IPv4 ones (default false). */
  preferIPv6?: boolean;
  /** Address families to look up (default both). */
  families?: Array<4 | 6>;
  /** Random source in [0, 1) for SRV weights (tests). */
  random?: () => number;
  logger?: Logger;
}

const DEFAULT_PORT: Record<TransportProtocol, number> = { udp: 5060, tcp: 5060, tls: 5061 };
const SRV_PREFIX: Record<TransportProtocol, string> = { udp: '_sip._udp', tcp: '_sip._tcp', tls: '_sips._tcp' };

/**
 * Turns a SIP or SIPS URI into the ordered list of transport/address/port targets to try, following
 * RFC 3263 §4 (NAPTR → SRV → A/AAAA). The caller tries them in turn (see FailoverTargets).
 *
 * `hostname` of each target is the URI's host, not the SRV target: RFC 5922 §4 has the TLS client match the
 * certificate against the domain of the URI.
 */
export class ServerLocator {
  private readonly resolver: DnsResolver;
  private readonly transports: TransportProtocol[];
  private readonly preferIPv6: boolean;
  private readonly families: Array<4 | 6>;
  private readonly random: () => number;
  private readonly logger: Logger;

  constructor(options: ServerLocatorOptions = {}) {
    this.resolver = options.resolver ?? createSystemResolver(options.servers ? { servers: options.servers } : {});
    this.transports = options.transports ?? ['udp', 'tcp', 'tls'];
    if (this.transports.length === 0) throw new RangeError('ServerLocator needs at least one transport');
    this.preferIPv6 = options.preferIPv6 ?? false;
    this.families = options.families ?? [4, 6];
    this.random = options.random ?? Math.random;
    this.logger = options.logger ?? silentLogger;
  }

  /** Resolves a URI to targets, best first; throws ServerLocateError when nothing usable is found. */
  async locate(uri: LocateUri): Promise<SendTarget[]> {
    const host = uri.host.replace(/^\[(.*)\]$/, '$1');
    const lookup = new Lookup(host);
    const forced = this.transportParam(uri, host);

    // RFC 3263 §4.1/§4.2: a numeric IP needs no lookup; UDP for sip, TLS for sips unless a transport is given.
    if (isIP(host) !== 0) {
      if (!this.families.includes(isIP(host) as 4 | 6)) throw new ServerLocateError(host, `address family of ${host} is disabled`);
      const protocol = forced ?? this.defaultProtocol(uri.secure, host);
      return [{ protocol, address: host, port: uri.port ?? DEFAULT_PORT[protocol] }];
    }

    let targets: SendTarget[];
    if (uri.port !== undefined) {
      // RFC 3263 §4.2: "If the TARGET was not a numeric IP address, but a port is present in the URI,
      // the client performs an A or AAAA record lookup of the domain name."
      const protocol = forced ?? this.defaultProtocol(uri.secure, host);
      targets = await this.addressTargets(lookup, host, protocol, uri.port, host);
    } else if (forced !== undefined) {
      // RFC 3263 §4.2: transport known but no port: SRV for that transport, else A/AAAA at its default port.
      targets = await this.srvTargets(lookup, `${SRV_PREFIX[forced]}.${host}`, forced, host);
      if (targets.length === 0) targets = await this.addressTargets(lookup, host, forced, DEFAULT_PORT[forced], host);
    } else {
      targets = await this.naptrTargets(lookup, host, uri.secure);
      if (targets.length === 0) targets = await this.srvWithoutNaptr(lookup, host, uri.secure);
      if (targets.length === 0) {
        // RFC 3263 §4.1/§4.2: no NAPTR and no SRV: UDP (TLS for sips) at the default port, A/AAAA of the host.
        const protocol = this.defaultProtocol(uri.secure, host);
        targets = await this.addressTargets(lookup, host, protocol, DEFAULT_PORT[protocol], host);
      }
    }
    const unique = dedupe(targets);
    if (unique.length === 0) {
      const why = lookup.failure ? `: ${String((lookup.failure as Error).message ?? lookup.failure)}` : '';
      throw new ServerLocateError(host, `no SIP server found for ${host}${why}`, lookup.failure ? { cause: lookup.failure } : undefined);
    }
    this.logger.debug('located SIP server', { host, targets: unique.map(describe) });
    return unique;
  }

  private transportParam(uri: LocateUri, host: string): TransportProtocol | undefined {
    if (uri.transport === undefined) return undefined;
    const t = uri.transport.toLowerCase();
    let protocol: TransportProtocol;
    if (t === 'udp') {
      // RFC 3261 §26.2.2: a SIPS URI cannot be reached over UDP.
      if (uri.secure) throw new ServerLocateError(host, 'a sips URI cannot use transport=udp');
      protocol = 'udp';
    } else if (t === 'tcp') {
      protocol = uri.secure ? 'tls' : 'tcp';
    } else if (t === 'tls') {
      protocol = 'tls'; // deprecated by RFC 3261 §26.2.2 but still written by some peers
    } else {
      throw new ServerLocateError(host, `unsupported transport "${uri.transport}" for ${host}`);
    }
    if (!this.transports.includes(protocol)) throw new ServerLocateError(host, `transport ${protocol} is disabled (needed for ${host})`);
    return protocol;
  }

  private defaultProtocol(secure: boolean, host: string): TransportProtocol {
    if (secure) {
      if (!this.transports.includes('tls')) throw new ServerLocateError(host, `a sips URI needs TLS, which is disabled (${host})`);
      return 'tls';
    }
    // RFC 3263 §4.1 says UDP; when UDP is disabled the first enabled transport is the nearest thing.
    return this.transports.includes('udp') ? 'udp' : this.transports[0]!;
  }

  /** RFC 3263 §4.1: NAPTR records in order, each followed through its SRV records. */
  private async naptrTargets(lookup: Lookup, host: string, secure: boolean): Promise<SendTarget[]> {
    const records = await lookup.run(() => this.resolver.resolveNaptr(host), []);
    const choices = selectNaptrRecords(records, { secure, transports: this.transports });
    const perChoice = await Promise.all(choices.map((c) => this.srvTargets(lookup, c.srvName, c.protocol, host)));
    return perChoice.flat();
  }

  /** RFC 3263 §4.1: "If no NAPTR records are found, the client constructs SRV queries for those transport protocols it supports." */
  private async srvWithoutNaptr(lookup: Lookup, host: string, secure: boolean): Promise<SendTarget[]> {
    const protocols = secure ? this.transports.filter((p) => p === 'tls') : this.transports;
    const perProtocol = await Promise.all(protocols.map((p) => this.srvTargets(lookup, `${SRV_PREFIX[p]}.${host}`, p, host)));
    return perProtocol.flat();
  }

  private async srvTargets(lookup: Lookup, name: string, protocol: TransportProtocol, hostname: string): Promise<SendTarget[]> {
    const records: SrvRecord[] = await lookup.run(() => this.resolver.resolveSrv(name), []);
    const ordered = orderSrvRecords(records, this.random);
    const perRecord = await Promise.all(ordered.map((r) => this.addressTargets(lookup, r.name, protocol, r.port, hostname)));
    return perRecord.flat();
  }

  private async addressTargets(lookup: Lookup, name: string, protocol: TransportProtocol, port: number, hostname: string): Promise<SendTarget[]> {
    const [v4, v6] = await Promise.all([
      this.families.includes(4) ? lookup.run(() => this.resolver.resolve4(name), []) : [],
      this.families.includes(6) ? lookup.run(() => this.resolver.resolve6(name), []) : [],
    ]);
    const addresses = this.preferIPv6 ? [...v6, ...v4] : [...v4, ...v6];
    return addresses.map((address) => ({ protocol, address, port, hostname }));
  }
}

/** One locate() run: DNS failures other than "no such records" are remembered to explain an empty result. */
class Lookup {
  failure: unknown;

  constructor(readonly host: string) {}

  async run<T>(query: () => Promise<T>, empty: T): Promise<T> {
    try {
      return await query();
    } catch (error) {
      if (!isNoRecordsError(error)) this.failure ??= error;
      return empty;
    }
  }
}

function dedupe(targets: SendTarget[]): SendTarget[] {
  const seen = new Set<string>();
  return targets.filter((t) => {
    const key = describe(t);
    if (seen.has(key)) return false;
    seen.add(key);
    return true;
  });
}

function describe(t: SendTarget): string {
  return `${t.protocol}:${t.address.includes(':') ? `[${t.address}]` : t.address}:${t.port}`;
}
