import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { parseSipUri } from '../../src/sip/messages/index.js';
import { SipStack } from '../../src/sip/sip-stack.js';
import { createTestCertificates } from '../support/tls-certificates.js';
import { startKamailio, type KamailioInstance } from './support/kamailio.js';
import { waitForState } from '../support/registration-state.js';

const PORTS = { udp: 35160, tcp: 35161, tls: 35162 };
const USER = { username: 'door', password: 'opensesame' };


describe('registration against a real Kamailio', () => {
  let kamailio: KamailioInstance;
  let certDir: string;
  let caPem: string;

  beforeAll(async () => {
    certDir = mkdtempSync(join(tmpdir(), 'portier-reg-tls-'));
    const certs = await createTestCertificates(certDir);
    caPem = readFileSync(certs.caPath, 'utf8');
    kamailio = await startKamailio({
      udpPort: PORTS.udp,
      tcpPort: PORTS.tcp,
      tlsPort: PORTS.tls,
      users: [USER, { username: 'flat', password: 'flatpw' }],
      tls: { certPath: certs.certPath, keyPath: certs.keyPath, caPath: certs.caPath },
      minExpires: 30,
      maxExpires: 3600,
    });
  });

  afterAll(async () => {
    await kamailio?.stop();
    rmSync(certDir, { recursive: true, force: true });
  });

  for (const protocol of ['udp', 'tcp', 'tls'] as const) {
    it(`registers over ${protocol} with digest auth and unregisters on stop`, async () => {
      const stack = await SipStack.start({
        // TLS as a client only: no certificate of our own, the flow carries requests back.
        listen: [{ protocol: protocol === 'tls' ? 'udp' : protocol, address: '127.0.0.1', port: 0 }],
        tls: { ca: caPem },
      });
      try {
        const reg = stack.register({
          aor: parseSipUri(kamailio.aor(USER.username)),
          registrar: parseSipUri(kamailio.proxyUri(protocol)),
          credentials: USER,
          expires: 120,
        });
        const states: string[] = [];
        reg.on('state', (s) => states.push(s.state));
        reg.start();
        const s = await waitForState(reg, (x) => x.state === 'registered', 10_000);
        expect(s.expires).toBeGreaterThan(0);
        expect(s.expires).toBeLessThanOrEqual(120);
        expect(s.contact).toContain(protocol === 'udp' ? 'sip:door@127.0.0.1' : `transport=${protocol}`);
        expect(states[0]).toBe('registering');
        await reg.stop();
        expect(reg.status.state).toBe('unregistered');
        expect(states.slice(-2)).toEqual(['unregistering', 'unregistered']);
      } finally {
        await stack.close();
      }
    });
  }

  it('raises a too-short expiry to Min-Expires (423) and refreshes before expiry', async () => {
    const stack = await SipStack.start({ listen: [{ protocol: 'udp', address: '127.0.0.1', port: 0 }] });
    try {
      const reg = stack.register({
        aor: parseSipUri(kamailio.aor(USER.username)),
        registrar: parseSipUri(kamailio.proxyUri('udp')),
        credentials: USER,
        expires: 5,
      });
      let registeredEvents = 0;
      reg.on('state', (s) => {
        if (s.state === 'registered') registeredEvents++;
      });
      reg.start();
      const s = await waitForState(reg, (x) => x.state === 'registered', 10_000);
      // Kamailio answered 423 with Min-Expires: 30; we retried with 30.
      expect(s.expires).toBe(30);
      expect(registeredEvents).toBe(1);
      await reg.stop();
    } finally {
      await stack.close();
    }
  });

  it('fails clearly with a wrong password, without a challenge loop', async () => {
    const stack = await SipStack.start({ listen: [{ protocol: 'udp', address: '127.0.0.1', port: 0 }] });
    try {
      let sent = 0;
      const original = stack.transport.sendRequest.bind(stack.transport);
      stack.transport.sendRequest = async (request, target) => {
        if (request.method === 'REGISTER') sent++;
        return original(request, target);
      };
      const reg = stack.register({
        aor: parseSipUri(kamailio.aor(USER.username)),
        registrar: parseSipUri(kamailio.proxyUri('udp')),
        credentials: { username: USER.username, password: 'wrong' },
      });
      reg.start();
      const s = await waitForState(reg, (x) => x.state === 'failed', 10_000);
      expect(s.error?.code).toBe('SIP_ERR_AUTH_REJECTED');
      expect(s.error?.message).toMatch(/wrong username or password/i);
      // One unauthenticated REGISTER and one answer to the challenge; then a long pause, not a loop.
      await new Promise((r) => setTimeout(r, 1500));
      expect(sent).toBe(2);
      expect(s.retryInMs).toBeGreaterThanOrEqual(60_000);
      reg.close();
    } finally {
      await stack.close();
    }
  });

  it('re-registers within seconds after Kamailio is killed and restarted (UDP keep-alive)', async () => {
    const stack = await SipStack.start({
      listen: [{ protocol: 'udp', address: '127.0.0.1', port: 0 }],
      // A short T1 keeps Timer F (64·T1) short so the dead PBX is noticed quickly in the test.
      timers: { t1: 100, t2: 400 },
    });
    try {
      const reg = stack.register({
        aor: parseSipUri(kamailio.aor(USER.username)),
        registrar: parseSipUri(kamailio.proxyUri('udp')),
        credentials: USER,
        expires: 600,
        keepAliveIntervalMs: 1000,
        retryBaseMs: 200,
        retryMaxMs: 2000,
      });
      reg.start();
      await waitForState(reg, (x) => x.state === 'registered', 10_000);
      kamailio.kill('SIGKILL');
      const lost = await waitForState(reg, (x) => x.state === 'failed', 20_000);
      expect(lost.error?.code).toMatch(/SIP_ERR_TRANSACTION_TIMEOUT|SIP_ERR_TRANSPORT/);
      await kamailio.restart();
      const started = Date.now();
      const back = await waitForState(reg, (x) => x.state === 'registered', 15_000);
      expect(Date.now() - started).toBeLessThan(10_000);
      expect(back.expires).toBeGreaterThan(0);
      await reg.stop();
    } finally {
      await stack.close();
    }
  });

  it('re-registers at once when the TCP flow to Kamailio breaks', async () => {
    const stack = await SipStack.start({ listen: [{ protocol: 'tcp', address: '127.0.0.1', port: 0 }] });
    try {
      const reg = stack.register({
        aor: parseSipUri(kamailio.aor(USER.username)),
        registrar: parseSipUri(kamailio.proxyUri('tcp')),
        credentials: USER,
        retryBaseMs: 200,
        retryMaxMs: 1000,
      });
      reg.start();
      await waitForState(reg, (x) => x.state === 'registered', 10_000);
      const restarting = kamailio.restart();
      await waitForState(reg, (x) => x.state !== 'registered', 10_000);
      await restarting;
      const started = Date.now();
      await waitForState(reg, (x) => x.state === 'registered', 10_000);
      expect(Date.now() - started).toBeLessThan(5_000);
      await reg.stop();
    } finally {
      await stack.close();
    }
  });
});
