import { createSocket, type RemoteInfo, type Socket } from 'node:dgram';
import { isIPv4, isIPv6 } from 'node:net';

/** Records of one owner name in a test zone. */
export interface DnsZoneEntry {
  A?: string[];
  AAAA?: string[];
  SRV?: Array<{ priority: number; weight: number; port: number; target: string }>;
  NAPTR?: Array<{ order: number; preference: number; flags: string; service: string; regexp?: string; replacement: string }>;
  /** TTL of every record of this name (default 60). */
  ttl?: number;
}

/** A zone: owner name (case-insensitive, no trailing dot needed) → records. Names absent here get NXDOMAIN. */
export type DnsZone = Record<string, DnsZoneEntry>;

const TYPE = { A: 1, AAAA: 28, SRV: 33, NAPTR: 35 } as const;
const TYPE_NAME: Record<number, keyof typeof TYPE> = { 1: 'A', 28: 'AAAA', 33: 'SRV', 35: 'NAPTR' };

/** One question the server received. */
export interface DnsQueryLog {
  name: string;
  type: string;
}

/**
 * A tiny authoritative DNS server on loopback UDP for tests: answers A, AAAA, SRV and NAPTR questions
 * from a zone object (NOERROR with no answers for a known name without that type, NXDOMAIN for an unknown
 * name). Point a node:dns Resolver at `server.address` with setServers().
 */
export class TestDnsServer {
  /** Every question received, in order. */
  readonly queries: DnsQueryLog[] = [];
  /** When true, queries are read but never answered (to provoke resolver timeouts). */
  silent = false;
  private closed = false;

  private constructor(
    private readonly socket: Socket,
    public zone: DnsZone,
    readonly host: string,
    readonly port: number,
  ) {
    socket.on('message', (msg, rinfo) => this.onMessage(msg, rinfo));
  }

  /** Binds the first free port of `ports` (default 25353–25399) on 127.0.0.1. */
  static async start(zone: DnsZone, options: { host?: string; ports?: [number, number] } = {}): Promise<TestDnsServer> {
    const host = options.host ?? '127.0.0.1';
    const [first, last] = options.ports ?? [25353, 25399];
    for (let port = first; port <= last; port++) {
      const socket = createSocket(isIPv6(host) ? 'udp6' : 'udp4');
      try {
        await new Promise<void>((resolve, reject) => {
          socket.once('error', reject);
          socket.bind(port, host, () => {
            socket.off('error', reject);
            resolve();
          });
        });
        return new TestDnsServer(socket, zone, host, port);
      } catch (error) {
        socket.close();
        if ((error as NodeJS.ErrnoException).code !== 'EADDRINUSE') throw error;
      }
    }
    throw new Error(`no free port in ${first}-${last} for the test DNS server`);
  }

  /** `host:port` for Resolver.setServers(). */
  get address(): string {
    return isIPv6(this.host) ? `[${this.host}]:${this.port}` : `${this.host}:${this.port}`;
  }

  async close(): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    await new Promise<void>((resolve) => this.socket.close(() => resolve()));
  }

  private onMessage(msg: Buffer, rinfo: RemoteInfo): void {
    let reply: Buffer | undefined;
    try {
      reply = this.answer(msg);
    } catch {
      return; // not a query we understand: drop it, as a broken server would
    }
    if (reply && !this.silent && !this.closed) this.socket.send(reply, rinfo.port, rinfo.address);
  }

  private answer(query: Buffer): Buffer | undefined {
    if (query.length < 12) return undefined;
    const id = query.readUInt16BE(0);
    const flags = query.readUInt16BE(2);
    if (flags & 0x8000) return undefined; // a response, not a query
    if (query.readUInt16BE(4) !== 1) return undefined;
    const [qname, afterName] = readName(query, 12);
    const qtype = query.readUInt16BE(afterName);
    const question = query.subarray(12, afterName + 4);
    this.queries.push({ name: qname, type: TYPE_NAME[qtype] ?? String(qtype) });

    const entry = lookup(this.zone, qname);
    const answers: Buffer[] = [];
    if (entry) {
      const ttl = entry.ttl ?? 60;
      const owner = encodeName(qname);
      const rr = (type: number, rdata: Buffer): Buffer => {
        const fixed = Buffer.alloc(10);
        fixed.writeUInt16BE(type, 0);
        fixed.writeUInt16BE(1, 2); // class IN
        fixed.writeUInt32BE(ttl, 4);
        fixed.writeUInt16BE(rdata.length, 8);
        return Buffer.concat([owner, fixed, rdata]);
      };
      if (qtype === TYPE.A) for (const a of entry.A ?? []) answers.push(rr(TYPE.A, encodeIPv4(a)));
      if (qtype === TYPE.AAAA) for (const a of entry.AAAA ?? []) answers.push(rr(TYPE.AAAA, encodeIPv6(a)));
      if (qtype === TYPE.SRV) {
        for (const s of entry.SRV ?? []) {
          const head = Buffer.alloc(6);
          head.writeUInt16BE(s.priority, 0);
          head.writeUInt16BE(s.weight, 2);
          head.writeUInt16BE(s.port, 4);
          answers.push(rr(TYPE.SRV, Buffer.concat([head, encodeName(s.target)])));
        }
      }
      if (qtype === TYPE.NAPTR) {
        for (const n of entry.NAPTR ?? []) {
          const head = Buffer.alloc(4);
          head.writeUInt16BE(n.order, 0);
          head.writeUInt16BE(n.preference, 2);
          answers.push(
            rr(
              TYPE.NAPTR,
              Buffer.concat([head, characterString(n.flags), characterString(n.service), characterString(n.regexp ?? ''), encodeName(n.replacement)]),
            ),
          );
        }
      }
    }
    const header = Buffer.alloc(12);
    header.writeUInt16BE(id, 0);
    // QR, opcode copied, AA, RD copied, RA; RCODE 3 (NXDOMAIN) for unknown names.
    header.writeUInt16BE(0x8000 | (flags & 0x7800) | 0x0400 | (flags & 0x0100) | 0x0080 | (entry ? 0 : 3), 2);
    header.writeUInt16BE(1, 4);
    header.writeUInt16BE(answers.length, 6);
    return Buffer.concat([header, question, ...answers]);
  }
}

function lookup(zone: DnsZone, name: string): DnsZoneEntry | undefined {
  const want = name.toLowerCase().replace(/\.$/, '');
  for (const [owner, entry] of Object.entries(zone)) if (owner.toLowerCase().replace(/\.$/, '') === want) return entry;
  return undefined;
}

function readName(buf: Buffer, offset: number): [string, number] {
  const labels: string[] = [];
  let pos = offset;
  let end = -1;
  for (let hops = 0; hops < 64; hops++) {
    const len = buf[pos];
    if (len === undefined) throw new Error('truncated name');
    if (len === 0) {
      return [labels.join('.'), end >= 0 ? end : pos + 1];
    }
    if ((len & 0xc0) === 0xc0) {
      if (end < 0) end = pos + 2;
      pos = buf.readUInt16BE(pos) & 0x3fff;
      continue;
    }
    labels.push(buf.toString('latin1', pos + 1, pos + 1 + len));
    pos += 1 + len;
  }
  throw new Error('name compression loop');
}

function encodeName(name: string): Buffer {
  const labels = name.replace(/\.$/, '').split('.').filter((l) => l !== '');
  return Buffer.concat([...labels.map((l) => Buffer.concat([Buffer.from([l.length]), Buffer.from(l, 'latin1')])), Buffer.from([0])]);
}

function characterString(text: string): Buffer {
  const bytes = Buffer.from(text, 'latin1');
  return Buffer.concat([Buffer.from([bytes.length]), bytes]);
}

function encodeIPv4(address: string): Buffer {
  if (!isIPv4(address)) throw new Error(`not IPv4: ${address}`);
  return Buffer.from(address.split('.').map(Number));
}

function encodeIPv6(address: string): Buffer {
  if (!isIPv6(address)) throw new Error(`not IPv6: ${address}`);
  const [head, tail] = address.includes('::') ? address.split('::') : [address, undefined];
  const left = head ? head.split(':') : [];
  const right = tail ? tail.split(':') : [];
  const groups = tail === undefined ? left : [...left, ...Array<string>(8 - left.length - right.length).fill('0'), ...right];
  const out = Buffer.alloc(16);
  groups.forEach((g, i) => out.writeUInt16BE(parseInt(g, 16), i * 2));
  return out;
}
