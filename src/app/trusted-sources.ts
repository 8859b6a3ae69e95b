import { BlockList, isIP } from 'node:net';

/**
 * The source addresses from which an incoming INVITE is taken to have passed the PBX,
 * so that its From may count against the allow-list: the configured
 * `incoming.trustedSources` (addresses and CIDR ranges) and addresses learned at run
 * time under a key (each account's registrar and proxy, see PbxSourceTracker).
 */
export class TrustedSources {
  private configured = new BlockList();
  private readonly learned = new Map<string, Set<string>>();

  constructor(configured: readonly string[] = []) {
    this.configure(configured);
  }

  /** Replaces the configured addresses and ranges (validated by the configuration schema). */
  configure(entries: readonly string[]): void {
    const list = new BlockList();
    for (const entry of entries) {
      const [address = '', prefix] = entry.split('/');
      const family = isIP(address);
      if (family === 0) continue;
      const type = family === 4 ? 'ipv4' : 'ipv6';
      if (prefix === undefined) list.addAddress(address, type);
      else list.addSubnet(address, Number(prefix), type);
    }
    this.configured = list;
  }

  /** Replaces the addresses learned under `key`. */
  learn(key: string, addresses: Iterable<string>): void {
    const set = new Set<string>();
    for (const a of addresses) {
      const normal = normalize(a);
      if (normal !== undefined) set.add(normal);
    }
    this.learned.set(key, set);
  }

  /** Whether a request from `address` comes from a trusted source. */
  trusts(address: string): boolean {
    const normal = normalize(address);
    if (normal === undefined) return false;
    for (const set of this.learned.values()) if (set.has(normal)) return true;
    return this.configured.check(normal, isIP(normal) === 4 ? 'ipv4' : 'ipv6');
  }

  /** The learned addresses, for logs and the status. */
  describe(): string[] {
    return [...new Set([...this.learned.values()].flatMap((s) => [...s]))];
  }
}

/**
 * One spelling per address: IPv6 compressed and lower case (via the URL parser), an
 * IPv4-mapped IPv6 address (a dual-stack socket's view of an IPv4 peer) as IPv4, and
 * no zone index. Undefined for anything that is not an IP address.
 */
function normalize(address: string): string | undefined {
  const bare = address.replace(/^\[(.*)\]$/, '$1').replace(/%.*$/, '');
  const family = isIP(bare);
  if (family === 4) return bare;
  if (family !== 6) return undefined;
  const canonical = new URL(`http://[${bare}]/`).hostname.slice(1, -1);
  const mapped = /^::ffff:([0-9a-f]{1,4}):([0-9a-f]{1,4})$/.exec(canonical);
  if (mapped) {
    const hi = parseInt(mapped[1]!, 16);
    const lo = parseInt(mapped[2]!, 16);
    return `${hi >> 8}.${hi & 255}.${lo >> 8}.${lo & 255}`;
  }
  return canonical;
}
