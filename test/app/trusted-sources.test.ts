import { describe, expect, it } from 'vitest';
import { PbxSourceTracker, type PbxLine } from '../../src/app/pbx-source-tracker.js';
import { TrustedSources } from '../../src/app/trusted-sources.js';
import type { SipAccountConfig } from '../../src/config/portier-config.js';
import { validateConfig } from '../../src/config/validate-config.js';
import { silentLogger } from '../../src/log/logger.js';
import type { RegistrationStatus } from '../../src/sip/registration/registration-state.js';
import type { LocateUri } from '../../src/sip/transport/server-locator.js';
import type { SendTarget } from '../../src/sip/transport/transport-types.js';
import { TypedEmitter } from '../../src/util/typed-emitter.js';

describe('TrustedSources', () => {
  it('trusts configured addresses and CIDR ranges of both families, and nothing else', () => {
    const t = new TrustedSources(['192.0.2.10', '198.51.100.0/24', '2001:db8::/32']);
    expect(t.trusts('192.0.2.10')).toBe(true);
    expect(t.trusts('192.0.2.11')).toBe(false);
    expect(t.trusts('198.51.100.77')).toBe(true);
    expect(t.trusts('198.51.101.1')).toBe(false);
    expect(t.trusts('2001:db8:1::5')).toBe(true);
    expect(t.trusts('2001:db9::5')).toBe(false);
    expect(t.trusts('not an address')).toBe(false);
    expect(new TrustedSources().trusts('127.0.0.1')).toBe(false);
  });

  it('matches an IPv4-mapped IPv6 source (dual-stack socket) against IPv4 entries', () => {
    const t = new TrustedSources(['10.0.0.0/8']);
    expect(t.trusts('::ffff:10.1.2.3')).toBe(true);
    t.learn('pbx', ['192.0.2.1']);
    expect(t.trusts('::ffff:192.0.2.1')).toBe(true);
  });

  it('learns addresses per key, replacing that key only; configure() swaps the configured list', () => {
    const t = new TrustedSources(['192.0.2.0/24']);
    t.learn('a', ['203.0.113.1', '2001:db8::1']);
    t.learn('b', ['203.0.113.2']);
    expect(t.trusts('203.0.113.1')).toBe(true);
    expect(t.trusts('2001:0db8:0:0::1')).toBe(true);
    t.learn('a', ['203.0.113.3']);
    expect(t.trusts('203.0.113.1')).toBe(false);
    expect(t.trusts('203.0.113.2')).toBe(true);
    expect(t.trusts('203.0.113.3')).toBe(true);
    t.configure([]);
    expect(t.trusts('192.0.2.5')).toBe(false);
    expect(t.trusts('203.0.113.3')).toBe(true);
    expect(t.describe()).toEqual(['203.0.113.3', '203.0.113.2']);
  });
});

class FakeRegistration extends TypedEmitter<{ state: [RegistrationStatus] }> {
  status: RegistrationStatus = { state: 'registering', registrar: 'sip:pbx.example.org' };
  flowTarget: SendTarget | undefined;
  registered(flow: SendTarget): void {
    this.flowTarget = flow;
    this.status = { state: 'registered', registrar: this.status.registrar, expires: 300 };
    this.emit('state', this.status);
  }
}

function account(fields: Record<string, unknown>): SipAccountConfig {
  return validateConfig({ sip: { accounts: [{ id: 'door', username: 'door', ...fields }] } }, { env: {} }).sip.accounts[0]!;
}

/** A locator answering from a table (host → addresses); a host not in it fails like a DNS error. */
function locator(table: Record<string, string[]>, asked: LocateUri[] = []) {
  return {
    locate: async (uri: LocateUri): Promise<SendTarget[]> => {
      asked.push(uri);
      const addresses = table[uri.host];
      if (!addresses) throw new Error(`no SIP server found for ${uri.host}`);
      return addresses.map((address) => ({ protocol: 'udp' as const, address, port: uri.port ?? 5060 }));
    },
  };
}

const settle = () => new Promise((r) => setTimeout(r, 10));

describe('PbxSourceTracker', () => {
  it('trusts what the registrar, backup registrar and outbound proxy resolve to, from the start', async () => {
    const trusted = new TrustedSources();
    const asked: LocateUri[] = [];
    const line: PbxLine = {
      account: account({ registrar: 'sip:pbx.example.org;transport=tcp', backupRegistrar: 'sips:backup.example.org:5071', outboundProxy: 'sip:[2001:db8::7]' }),
      stack: { locator: locator({ 'pbx.example.org': ['192.0.2.1', '192.0.2.2'], 'backup.example.org': ['192.0.2.3'], '[2001:db8::7]': ['2001:db8::7'] }, asked) },
      registration: undefined,
    };
    const tracker = new PbxSourceTracker(trusted, silentLogger);
    tracker.watch('door', line);
    await settle();
    for (const a of ['192.0.2.1', '192.0.2.2', '192.0.2.3', '2001:db8::7']) expect(trusted.trusts(a)).toBe(true);
    expect(trusted.trusts('192.0.2.9')).toBe(false);
    expect(asked.find((u) => u.host === 'pbx.example.org')).toMatchObject({ transport: 'tcp', secure: false });
    expect(asked.find((u) => u.host === 'backup.example.org')).toMatchObject({ port: 5071, secure: true });
    tracker.close();
  });

  it('adds the registration flow\'s remote address on success and re-resolves then; a failed lookup keeps what was known', async () => {
    const trusted = new TrustedSources();
    const table: Record<string, string[]> = { 'pbx.example.org': ['192.0.2.1'] };
    const registration = new FakeRegistration();
    const line: PbxLine = { account: account({ registrar: 'sip:pbx.example.org' }), stack: { locator: locator(table) }, registration };
    const tracker = new PbxSourceTracker(trusted, silentLogger);
    tracker.watch('door', line);
    await settle();
    expect(trusted.trusts('192.0.2.1')).toBe(true);
    // The PBX moved (DNS changed) and the registrar answered from an address of its own.
    table['pbx.example.org'] = ['192.0.2.50'];
    registration.registered({ protocol: 'udp', address: '198.51.100.9', port: 5060 });
    expect(trusted.trusts('198.51.100.9')).toBe(true);
    await settle();
    expect(trusted.trusts('192.0.2.50')).toBe(true);
    expect(trusted.trusts('192.0.2.1')).toBe(false);
    // DNS down at the next refresh: the addresses known so far stay trusted.
    delete table['pbx.example.org'];
    registration.registered({ protocol: 'udp', address: '198.51.100.9', port: 5060 });
    await settle();
    expect(trusted.trusts('192.0.2.50')).toBe(true);
    tracker.close();
    // Closed: no more learning.
    table['pbx.example.org'] = ['192.0.2.99'];
    registration.registered({ protocol: 'udp', address: '198.51.100.10', port: 5060 });
    await settle();
    expect(trusted.trusts('198.51.100.10')).toBe(false);
    expect(registration.listenerCount('state')).toBe(0);
  });
});
