import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { TargetBlacklist } from '../../../src/sip/transport/server-locator-blacklist.js';
import { ServerLocateError } from '../../../src/sip/transport/server-locator-error.js';
import { FailoverTargets } from '../../../src/sip/transport/server-locator-failover.js';
import { selectNaptrRecords } from '../../../src/sip/transport/server-locator-naptr.js';
import { createSystemResolver, type DnsResolver, type SrvRecord } from '../../../src/sip/transport/server-locator-resolver.js';
import { orderSrvRecords } from '../../../src/sip/transport/server-locator-srv.js';
import { type LocateUri, ServerLocator } from '../../../src/sip/transport/server-locator.js';
import type { SendTarget } from '../../../src/sip/transport/transport-types.js';
import { type DnsZone, TestDnsServer } from '../../support/dns-server.js';

/** A seeded PRNG (mulberry32) so that the statistical checks are reproducible. */
function seeded(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

const short = (targets: SendTarget[]): string[] => targets.map((t) => `${t.protocol} ${t.address} ${t.port}`);

const ZONE: DnsZone = {
  // NAPTR: SCTP and a non-"s" record must be ignored; order 10 before 20, then preference.
  'naptr.test': {
    A: ['192.0.2.99'],
    NAPTR: [
      { order: 20, preference: 10, flags: 's', service: 'SIPS+D2T', replacement: '_sips._tcp.naptr.test' },
      { order: 10, preference: 20, flags: 'S', service: 'SIP+D2T', replacement: '_sip._tcp.naptr.test' },
      { order: 10, preference: 10, flags: 's', service: 'SIP+D2U', replacement: '_sip._udp.naptr.test' },
      { order: 1, preference: 1, flags: 's', service: 'SIP+D2S', replacement: '_sip._sctp.naptr.test' },
      { order: 1, preference: 1, flags: 'u', service: 'E2U+sip', regexp: '!^.*$!sip:info@naptr.test!', replacement: '.' },
    ],
  },
  '_sip._udp.naptr.test': { SRV: [{ priority: 10, weight: 0, port: 5060, target: 'u1.naptr.test' }] },
  '_sip._tcp.naptr.test': { SRV: [{ priority: 10, weight: 0, port: 5060, target: 't1.naptr.test' }] },
  '_sips._tcp.naptr.test': { SRV: [{ priority: 10, weight: 0, port: 5061, target: 's1.naptr.test' }] },
  '_sip._sctp.naptr.test': { SRV: [{ priority: 10, weight: 0, port: 5060, target: 'u1.naptr.test' }] },
  'u1.naptr.test': { A: ['192.0.2.1'], AAAA: ['2001:db8::1'] },
  't1.naptr.test': { A: ['192.0.2.2'] },
  's1.naptr.test': { A: ['192.0.2.3'] },

  // No NAPTR: SRV per transport, priority ascending.
  'srv.test': { A: ['192.0.2.98'] },
  '_sip._udp.srv.test': {
    SRV: [
      { priority: 20, weight: 0, port: 5062, target: 'b.srv.test' },
      { priority: 10, weight: 0, port: 5061, target: 'a.srv.test' },
      { priority: 5, weight: 0, port: 5060, target: 'noaddr.srv.test' },
    ],
  },
  '_sip._tcp.srv.test': { SRV: [{ priority: 10, weight: 0, port: 5060, target: 'a.srv.test' }] },
  'a.srv.test': { A: ['192.0.2.10'] },
  'b.srv.test': { A: ['192.0.2.11'] },
  'noaddr.srv.test': {},

  // Nothing but addresses.
  'plain.test': { A: ['192.0.2.50'], AAAA: ['2001:db8::50'] },

  // NAPTR pointing nowhere: fall back to SRV queries.
  'dangling.test': {
    A: ['192.0.2.60'],
    NAPTR: [{ order: 10, preference: 10, flags: 's', service: 'SIP+D2U', replacement: '_sip._udp.nowhere.test' }],
  },
  '_sip._tcp.dangling.test': { SRV: [{ priority: 1, weight: 1, port: 5070, target: 'a.srv.test' }] },

  // Weighted SRV.
  '_sip._udp.weighted.test': {
    SRV: [
      { priority: 10, weight: 10, port: 5060, target: 'w1.weighted.test' },
      { priority: 10, weight: 30, port: 5060, target: 'w3.weighted.test' },
      { priority: 10, weight: 60, port: 5060, target: 'w6.weighted.test' },
      { priority: 20, weight: 100, port: 5060, target: 'backup.weighted.test' },
    ],
  },
  'w1.weighted.test': { A: ['192.0.2.21'] },
  'w3.weighted.test': { A: ['192.0.2.23'] },
  'w6.weighted.test': { A: ['192.0.2.26'] },
  'backup.weighted.test': { A: ['192.0.2.29'] },
};

describe('ServerLocator against a loopback DNS server', () => {
  let server: TestDnsServer;
  let resolver: DnsResolver;

  beforeAll(async () => {
    server = await TestDnsServer.start(ZONE);
    resolver = createSystemResolver({ servers: [server.address], timeoutMs: 300, tries: 1 });
  });
  afterAll(async () => {
    await server.close();
  });
  beforeEach(() => {
    server.zone = ZONE;
    server.silent = false;
    server.queries.length = 0;
  });

  const locate = (uri: LocateUri, options: ConstructorParameters<typeof ServerLocator>[0] = {}): Promise<SendTarget[]> =>
    new ServerLocator({ resolver, ...options }).locate(uri);

  it('uses a numeric IPv4 or IPv6 host as it is, without any query', async () => {
    expect(await locate({ host: '192.0.2.7', secure: false })).toEqual([{ protocol: 'udp', address: '192.0.2.7', port: 5060 }]);
    expect(await locate({ host: '[2001:db8::7]', secure: false, port: 5080 })).toEqual([{ protocol: 'udp', address: '2001:db8::7', port: 5080 }]);
    expect(await locate({ host: '::1', secure: true })).toEqual([{ protocol: 'tls', address: '::1', port: 5061 }]);
    expect(await locate({ host: '192.0.2.7', secure: false, transport: 'TCP' })).toEqual([{ protocol: 'tcp', address: '192.0.2.7', port: 5060 }]);
    expect(server.queries).toEqual([]);
  });

  it('follows NAPTR (order, then preference) through SRV to A/AAAA, ignoring services we do not speak', async () => {
    const targets = await locate({ host: 'naptr.test', secure: false });
    expect(short(targets)).toEqual(['udp 192.0.2.1 5060', 'udp 2001:db8::1 5060', 'tcp 192.0.2.2 5060', 'tls 192.0.2.3 5061']);
    expect(targets.every((t) => t.hostname === 'naptr.test')).toBe(true);
    expect(server.queries.some((q) => q.name === '_sip._sctp.naptr.test')).toBe(false);
  });

  it('puts IPv6 first when asked, and honours the enabled transports', async () => {
    expect(short(await locate({ host: 'naptr.test', secure: false }, { preferIPv6: true })).slice(0, 2)).toEqual([
      'udp 2001:db8::1 5060',
      'udp 192.0.2.1 5060',
    ]);
    expect(short(await locate({ host: 'naptr.test', secure: false }, { transports: ['tcp', 'tls'] }))).toEqual([
      'tcp 192.0.2.2 5060',
      'tls 192.0.2.3 5061',
    ]);
    expect(short(await locate({ host: 'naptr.test', secure: false }, { families: [6] }))).toEqual(['udp 2001:db8::1 5060']);
  });

  it('uses only TLS for a sips URI', async () => {
    expect(await locate({ host: 'naptr.test', secure: true })).toEqual([{ protocol: 'tls', address: '192.0.2.3', port: 5061, hostname: 'naptr.test' }]);
    // Without NAPTR and without _sips._tcp: TLS to the A records on 5061, never UDP.
    expect(short(await locate({ host: 'plain.test', secure: true }))).toEqual(['tls 192.0.2.50 5061', 'tls 2001:db8::50 5061']);
    expect(server.queries.filter((q) => q.type === 'SRV' && q.name.endsWith('plain.test')).map((q) => q.name)).toEqual(['_sips._tcp.plain.test']);
    await expect(locate({ host: 'plain.test', secure: true }, { transports: ['udp', 'tcp'] })).rejects.toThrow(/needs TLS/);
  });

  it('with an explicit port looks up A/AAAA only', async () => {
    expect(short(await locate({ host: 'naptr.test', port: 5080, secure: false }))).toEqual(['udp 192.0.2.99 5080']);
    expect(server.queries.map((q) => q.type).sort()).toEqual(['A', 'AAAA']);
  });

  it('with a transport parameter queries SRV for that transport, then A/AAAA at its default port', async () => {
    expect(short(await locate({ host: 'srv.test', transport: 'tcp', secure: false }))).toEqual(['tcp 192.0.2.10 5060']);
    expect(server.queries.some((q) => q.type === 'NAPTR')).toBe(false);
    expect(short(await locate({ host: 'plain.test', transport: 'tcp', secure: false }))).toEqual(['tcp 192.0.2.50 5060', 'tcp 2001:db8::50 5060']);
    expect(short(await locate({ host: 'naptr.test', transport: 'tcp', secure: true }))).toEqual(['tls 192.0.2.3 5061']);
    await expect(locate({ host: 'naptr.test', transport: 'udp', secure: true })).rejects.toThrow(/sips URI cannot use transport=udp/);
    await expect(locate({ host: 'naptr.test', transport: 'sctp', secure: false })).rejects.toThrow(/unsupported transport "sctp"/);
    await expect(locate({ host: 'naptr.test', transport: 'tcp', secure: false }, { transports: ['udp'] })).rejects.toThrow(/tcp is disabled/);
  });

  it('without NAPTR queries SRV in our transport preference, priority ascending, skipping targets without addresses', async () => {
    const targets = await locate({ host: 'srv.test', secure: false });
    expect(short(targets)).toEqual(['udp 192.0.2.10 5061', 'udp 192.0.2.11 5062', 'tcp 192.0.2.10 5060']);
    expect(targets[0]!.hostname).toBe('srv.test');
    expect(short(await locate({ host: 'srv.test', secure: false }, { transports: ['tcp', 'udp'] }))[0]).toBe('tcp 192.0.2.10 5060');
  });

  it('falls back to SRV when NAPTR leads nowhere, and to A/AAAA on 5060 UDP when there is no SRV', async () => {
    expect(short(await locate({ host: 'dangling.test', secure: false }))).toEqual(['tcp 192.0.2.10 5070']);
    expect(short(await locate({ host: 'plain.test', secure: false }))).toEqual(['udp 192.0.2.50 5060', 'udp 2001:db8::50 5060']);
    expect(short(await locate({ host: 'plain.test', secure: false }, { transports: ['tcp'] }))).toEqual(['tcp 192.0.2.50 5060', 'tcp 2001:db8::50 5060']);
  });

  it('picks SRV records of one priority in proportion to their weight, the next priority after', async () => {
    const locator = new ServerLocator({ resolver, random: seeded(7), families: [4] });
    const runs = 60;
    const firsts = new Map<string, number>();
    for (let i = 0; i < runs; i++) {
      const targets = await locator.locate({ host: 'weighted.test', transport: 'udp', secure: false });
      expect(targets).toHaveLength(4);
      expect(targets[3]!.address).toBe('192.0.2.29'); // priority 20 always last
      firsts.set(targets[0]!.address, (firsts.get(targets[0]!.address) ?? 0) + 1);
    }
    // Expected 6 / 18 / 36 of 60; bounds loose enough for any seed, tight enough to catch unweighted (20 each) or inverted choice.
    expect(firsts.get('192.0.2.26') ?? 0).toBeGreaterThan(24);
    expect(firsts.get('192.0.2.21') ?? 0).toBeLessThan(15);
  });

  it('reports an unknown host, naming it', async () => {
    const error = await locate({ host: 'missing.test', secure: false }).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(ServerLocateError);
    expect((error as ServerLocateError).code).toBe('SIP_ERR_SERVER_LOCATE');
    expect((error as ServerLocateError).host).toBe('missing.test');
    expect((error as Error).message).toContain('missing.test');
  });

  it('reports a DNS server that does not answer, with the resolver error as cause', async () => {
    server.silent = true;
    const started = Date.now();
    const error = await locate({ host: 'plain.test', port: 5060, secure: false }).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(ServerLocateError);
    expect(((error as ServerLocateError).cause as NodeJS.ErrnoException).code).toBe('ETIMEOUT');
    expect(Date.now() - started).toBeLessThan(5000);
  });

  it('uses node:dns with the given servers by default', async () => {
    const locator = new ServerLocator({ servers: [server.address] });
    expect(short(await locator.locate({ host: 'srv.test', transport: 'tcp', secure: false }))).toEqual(['tcp 192.0.2.10 5060']);
  });

  it('lets the caller fail over through the located targets', async () => {
    const targets = await locate({ host: 'naptr.test', secure: false });
    const blacklist = new TargetBlacklist();
    const walk = new FailoverTargets(targets, { blacklist });
    expect(walk.next()?.address).toBe('192.0.2.1');
    expect(walk.fail('timeout')?.address).toBe('2001:db8::1');
    expect(walk.fail('transport-error')?.address).toBe('192.0.2.2');
    expect(walk.fail('service-unavailable', { retryAfterSeconds: 120 })?.address).toBe('192.0.2.3');
    expect(walk.fail('timeout')).toBeUndefined();
    expect(blacklist.size).toBe(4);
  });
});

describe('FailoverTargets and TargetBlacklist', () => {
  const t = (address: string, protocol: SendTarget['protocol'] = 'udp'): SendTarget => ({ protocol, address, port: 5060 });

  it('skips blocked targets, then offers them last, soonest-unblocked first', () => {
    let now = 1000;
    const blacklist = new TargetBlacklist({ now: () => now, defaultDurationMs: 10_000 });
    blacklist.markFailed(t('192.0.2.1'), 5000);
    blacklist.markFailed(t('192.0.2.2'), 2000);
    const walk = new FailoverTargets([t('192.0.2.1'), t('192.0.2.2'), t('192.0.2.3')], { blacklist });
    expect([walk.next(), walk.next(), walk.next(), walk.next()].map((x) => x?.address)).toEqual(['192.0.2.3', '192.0.2.2', '192.0.2.1', undefined]);
    expect(walk.remaining).toBe(0);

    now += 2500; // the 2 s block has expired
    expect(blacklist.isBlocked(t('192.0.2.2'))).toBe(false);
    expect(blacklist.isBlocked(t('192.0.2.1'))).toBe(true);
    expect(blacklist.isBlocked(t('192.0.2.1', 'tcp'))).toBe(false); // another transport is another target
    now += 3000;
    expect(blacklist.size).toBe(0);
  });

  it('blocks per failure kind, for Retry-After seconds on a 503, and unblocks on success', () => {
    let now = 0;
    const blacklist = new TargetBlacklist({ now: () => now });
    const walk = new FailoverTargets([t('a'), t('b'), t('c')], { blacklist, blockMs: { timeout: 60_000, 'transport-error': 1000 } });
    walk.next();
    walk.fail('service-unavailable', { retryAfterSeconds: 30 });
    expect(blacklist.blockedUntil(t('a'))).toBe(30_000);
    walk.fail('timeout');
    expect(blacklist.blockedUntil(t('b'))).toBe(60_000);
    expect(walk.current?.address).toBe('c');
    walk.succeeded();
    blacklist.markFailed(t('c'), 1000);
    blacklist.markFailed(t('c'), 10); // a shorter block does not shorten the longer one
    expect(blacklist.blockedUntil(t('c'))).toBe(1000);
    walk.succeeded(t('c'));
    expect(blacklist.isBlocked(t('c'))).toBe(false);
    now = 30_000;
    expect(blacklist.isBlocked(t('a'))).toBe(false);
    expect(FailoverTargets.same(t('a'), { ...t('a'), hostname: 'x' })).toBe(true);
  });
});

describe('RFC 3263 helpers with fake data', () => {
  it('orderSrvRecords: priority ascending, "." dropped, weights proportional (seeded, bounded)', () => {
    const recs: SrvRecord[] = [
      { priority: 2, weight: 0, port: 1, name: 'late' },
      { priority: 1, weight: 10, port: 1, name: 'w10' },
      { priority: 1, weight: 90, port: 1, name: 'w90' },
      { priority: 1, weight: 0, port: 1, name: 'w0' },
      { priority: 0, weight: 0, port: 0, name: '.' },
    ];
    const random = seeded(42);
    const first = new Map<string, number>();
    const runs = 2000;
    for (let i = 0; i < runs; i++) {
      const order = orderSrvRecords(recs, random).map((r) => r.name);
      expect(order).toHaveLength(4);
      expect(order[3]).toBe('late');
      expect(order[2]).toBe('w0'); // weight 0 only after the weighted ones
      first.set(order[0]!, (first.get(order[0]!) ?? 0) + 1);
    }
    expect((first.get('w90') ?? 0) / runs).toBeCloseTo(0.9, 1);
    expect((first.get('w10') ?? 0) / runs).toBeCloseTo(0.1, 1);
    // Extremes of the random source stay in range.
    expect(orderSrvRecords(recs, () => 0).map((r) => r.name)).toEqual(['w10', 'w90', 'w0', 'late']);
    expect(orderSrvRecords(recs, () => 0.9999999).map((r) => r.name)).toEqual(['w90', 'w10', 'w0', 'late']);
  });

  it('selectNaptrRecords keeps "s" records of enabled SIP services, SIPS only for sips', () => {
    const recs = [
      { flags: 's', service: 'SIPS+D2T', regexp: '', replacement: '_sips._tcp.x.', order: 10, preference: 1 },
      { flags: 's', service: 'sip+d2u', regexp: '', replacement: '_sip._udp.x', order: 10, preference: 0 },
      { flags: 's', service: 'SIP+D2W', regexp: '', replacement: '_sip._ws.x', order: 1, preference: 0 },
      { flags: 'a', service: 'SIP+D2T', regexp: '', replacement: 'x', order: 1, preference: 0 },
      { flags: 's', service: 'SIP+D2T', regexp: '', replacement: '', order: 1, preference: 0 },
    ];
    expect(selectNaptrRecords(recs, { secure: false, transports: ['udp', 'tcp', 'tls'] })).toEqual([
      { protocol: 'udp', srvName: '_sip._udp.x', order: 10, preference: 0 },
      { protocol: 'tls', srvName: '_sips._tcp.x', order: 10, preference: 1 },
    ]);
    expect(selectNaptrRecords(recs, { secure: true, transports: ['udp', 'tcp', 'tls'] }).map((c) => c.protocol)).toEqual(['tls']);
    expect(selectNaptrRecords(recs, { secure: false, transports: ['tcp'] })).toEqual([]);
  });

  it('a failing NAPTR query does not stop SRV and A lookups', async () => {
    const fail = (code: string) => () => Promise.reject(Object.assign(new Error(code), { code }));
    const resolver: DnsResolver = {
      resolveNaptr: fail('ESERVFAIL'),
      resolveSrv: (name) => Promise.resolve(name === '_sip._tcp.pbx.test' ? [{ priority: 1, weight: 1, port: 5090, name: 'pbx.test' }] : []),
      resolve4: () => Promise.resolve(['198.51.100.4']),
      resolve6: fail('ENODATA'),
    };
    expect(await new ServerLocator({ resolver }).locate({ host: 'pbx.test', secure: false })).toEqual([
      { protocol: 'tcp', address: '198.51.100.4', port: 5090, hostname: 'pbx.test' },
    ]);
  });
});
