import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { randomBytes } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTestCertificates } from '../support/tls-certificates.js';
import { checkKamailioConfig, startKamailio, type KamailioInstance } from './support/kamailio.js';
import { validateKamailioOptions } from './support/kamailio-config.js';
import { groupHasLiveMembers } from './support/process-reaper.js';
import { RawSipStream, digestAuthorization, type RawSipResponse } from './support/raw-sip-stream.js';
import { parseSippStats, runSipp, startSipp, type SippResult } from './support/sipp.js';
import { optionsScenario, registerScenario, uacCallScenario, uasAnswerScenario } from './support/sipp-scenarios.js';

// Ports: Kamailio 35060 (UDP) / 35061 (TCP) / 35062 (TLS); SIPp 360xx, control port +50.
const PORTS = {
  kamailioUdp: 35060,
  kamailioTcp: 35061,
  kamailioTls: 35062,
  aliceUdp: 36000,
  aliceTcp: 36001,
  bobUdp: 36010,
  bobTcp: 36011,
  carolNat: 36012,
  daveTcp: 36013,
  probe: 36020,
  probe6: 36021,
};

const USERS = [
  { username: 'alice', password: 'alice-secret' },
  { username: 'bob', password: 'bob-secret' },
  { username: 'carol', password: 'carol-secret' },
  { username: 'dave', password: 'dave-secret' },
  { username: 'tls-user', password: 'tls secret!' },
];

function password(username: string): string {
  const user = USERS.find((u) => u.username === username);
  if (user === undefined) throw new Error(`no test user ${username}`);
  return user.password;
}

/** Fails with SIPp's own traces, so a broken harness explains itself. */
function expectSippSuccess(result: SippResult): void {
  const detail = `${result.command}\nexit ${String(result.code)} signal ${String(result.signal)} timedOut ${String(result.timedOut)}\n--- errors ---\n${result.errors}\n--- messages ---\n${result.messages.slice(-6000)}`;
  expect(result.code, detail).toBe(0);
  expect(result.stats.successfulCalls, detail).toBe(1);
  expect(result.stats.failedCalls, detail).toBe(0);
}

describe('integration harness: Kamailio registrar/proxy driven by SIPp', () => {
  let kamailio: KamailioInstance;
  let certDir: string;
  let caPem: string;

  beforeAll(async () => {
    certDir = mkdtempSync(join(tmpdir(), 'portier-harness-certs-'));
    const certs = await createTestCertificates(certDir);
    caPem = readFileSync(certs.caPath, 'utf8');
    kamailio = await startKamailio({
      udpPort: PORTS.kamailioUdp,
      tcpPort: PORTS.kamailioTcp,
      tlsPort: PORTS.kamailioTls,
      ipv6: true,
      users: USERS,
      tls: { certPath: certs.certPath, keyPath: certs.keyPath, caPath: certs.caPath },
      minExpires: 60,
      maxExpires: 3600,
      defaultExpires: 600,
    });
  });

  afterAll(async () => {
    await kamailio?.stop();
    if (certDir !== undefined) rmSync(certDir, { recursive: true, force: true });
  });

  it('starts Kamailio with every configured listener answering and logs captured', () => {
    expect(kamailio.pid).toBeGreaterThan(0);
    expect(kamailio.ports).toEqual({ udp: 35060, tcp: 35061, tls: 35062 });
    expect(kamailio.logs()).toContain('kamailio');
    expect(kamailio.config).toContain('listen=tls:[::1]:35062');
  });

  it('registers over UDP with digest auth: REGISTER → 401 → REGISTER → 200', async () => {
    const result = await runSipp({
      scenario: registerScenario({ username: 'alice', domain: kamailio.domain }),
      target: `127.0.0.1:${PORTS.kamailioUdp}`,
      localPort: PORTS.aliceUdp,
      auth: { username: 'alice', password: password('alice') },
    });
    expectSippSuccess(result);
    expect(result.messages).toContain('SIP/2.0 401');
    expect(result.messages).toMatch(/SIP\/2\.0 200 OK[\s\S]*Contact: <sip:alice@127\.0\.0\.1:36000;transport=UDP>;expires=300/);
  });

  it('answers a wrong password with 401 again and never 200', async () => {
    const result = await runSipp({
      scenario: registerScenario({ username: 'alice', domain: kamailio.domain, expectStatus: 401 }),
      target: `127.0.0.1:${PORTS.kamailioUdp}`,
      localPort: PORTS.aliceUdp,
      auth: { username: 'alice', password: 'not-the-password' },
    });
    expectSippSuccess(result);
    expect(result.messages).not.toContain('SIP/2.0 200');

    // The same scenario expecting 200 must fail: proves the scenario can tell them apart.
    const failing = await runSipp({
      scenario: registerScenario({ username: 'alice', domain: kamailio.domain }),
      target: `127.0.0.1:${PORTS.kamailioUdp}`,
      localPort: PORTS.aliceUdp,
      auth: { username: 'alice', password: 'not-the-password' },
    });
    expect(failing.code).toBe(1);
    expect(failing.stats.failedCalls).toBe(1);
  });

  it('refuses a too-brief expiry with 423 (minExpires 60)', async () => {
    const result = await runSipp({
      scenario: registerScenario({ username: 'alice', domain: kamailio.domain, expires: 10, expectStatus: 423 }),
      target: `127.0.0.1:${PORTS.kamailioUdp}`,
      localPort: PORTS.aliceUdp,
      auth: { username: 'alice', password: password('alice') },
    });
    expectSippSuccess(result);
    expect(result.messages).toMatch(/Min-Expires: 60/);
  });

  it('answers OPTIONS to itself with 200 over UDP and IPv6', async () => {
    const v4 = await runSipp({
      scenario: optionsScenario({ requestUri: `sip:127.0.0.1:${PORTS.kamailioUdp}` }),
      target: `127.0.0.1:${PORTS.kamailioUdp}`,
      localPort: PORTS.probe,
    });
    expectSippSuccess(v4);
    // The bare domain (no port) is the server too: clients use it with an outbound proxy.
    const bare = await runSipp({
      scenario: optionsScenario({ requestUri: `sip:${kamailio.domain}` }),
      target: `127.0.0.1:${PORTS.kamailioUdp}`,
      localPort: PORTS.probe,
    });
    expectSippSuccess(bare);
    const v6 = await runSipp({
      scenario: optionsScenario(),
      target: `[::1]:${PORTS.kamailioUdp}`,
      localIp: '::1',
      localPort: PORTS.probe6,
    });
    expectSippSuccess(v6);
  });

  async function registerAndAnswer(
    username: string,
    port: number,
    transport: 'udp' | 'tcp',
  ): Promise<Awaited<ReturnType<typeof startSipp>>> {
    const target = `127.0.0.1:${transport === 'udp' ? PORTS.kamailioUdp : PORTS.kamailioTcp}`;
    const registered = await runSipp({
      scenario: registerScenario({ username, domain: kamailio.domain }),
      target,
      transport,
      localPort: port,
      auth: { username, password: password(username) },
    });
    expectSippSuccess(registered);
    return startSipp({ scenario: uasAnswerScenario({ username }), transport, localPort: port, timeoutMs: 30_000 });
  }

  async function call(
    caller: string,
    callee: string,
    port: number,
    transport: 'udp' | 'tcp',
  ): Promise<SippResult> {
    return runSipp({
      scenario: uacCallScenario({ caller, callee, domain: kamailio.domain }),
      target: `127.0.0.1:${transport === 'udp' ? PORTS.kamailioUdp : PORTS.kamailioTcp}`,
      transport,
      localPort: port,
      auth: { username: caller, password: password(caller) },
    });
  }

  it('routes an authenticated UDP call A → B: INVITE/407/200/ACK/BYE complete on both sides', async () => {
    const uas = await registerAndAnswer('bob', PORTS.bobUdp, 'udp');
    try {
      const uac = await call('alice', 'bob', PORTS.aliceUdp, 'udp');
      expectSippSuccess(uac);
      expect(uac.messages).toContain('SIP/2.0 407');
      expect(uac.messages).toMatch(/Record-Route: <sip:127\.0\.0\.1:35060;lr/);
      const answered = await uas.result;
      expectSippSuccess(answered);
      // The callee saw the request come through the proxy, credentials consumed.
      expect(answered.messages).toMatch(/INVITE sip:bob@127\.0\.0\.1:36010;transport=UDP SIP\/2\.0/);
      expect(answered.messages).not.toMatch(/Proxy-Authorization/);
    } finally {
      await uas.stop();
    }
  });

  it('routes the same call over TCP', async () => {
    const uas = await registerAndAnswer('bob', PORTS.bobTcp, 'tcp');
    try {
      const uac = await call('alice', 'bob', PORTS.aliceTcp, 'tcp');
      expectSippSuccess(uac);
      expect(uac.messages).toContain('TCP message received');
      expectSippSuccess(await uas.result);
    } finally {
      await uas.stop();
    }
  });

  it('bridges transports: a UDP caller reaches a TCP callee (double Record-Route)', async () => {
    const uas = await registerAndAnswer('dave', PORTS.daveTcp, 'tcp');
    try {
      const uac = await call('alice', 'dave', PORTS.aliceUdp, 'udp');
      expectSippSuccess(uac);
      expect(uac.messages).toMatch(/Record-Route: <sip:127\.0\.0\.1:35061;transport=tcp;r2=on;lr/);
      expectSippSuccess(await uas.result);
    } finally {
      await uas.stop();
    }
  });

  it('answers 404 for a call to a user that is not registered', async () => {
    const result = await runSipp({
      scenario: uacCallScenario({ caller: 'alice', callee: 'nobody', domain: kamailio.domain, expectStatus: 404 }),
      target: `127.0.0.1:${PORTS.kamailioUdp}`,
      localPort: PORTS.aliceUdp,
      auth: { username: 'alice', password: password('alice') },
    });
    expectSippSuccess(result);
  });

  it('reaches a client behind "NAT" at its source address, not its advertised Contact', async () => {
    // carol registers from 127.0.0.1:36012 but claims to be at 10.0.0.5:5062.
    const registered = await runSipp({
      scenario: registerScenario({ username: 'carol', domain: kamailio.domain, contactHostPort: '10.0.0.5:5062' }),
      target: `127.0.0.1:${PORTS.kamailioUdp}`,
      localPort: PORTS.carolNat,
      auth: { username: 'carol', password: password('carol') },
    });
    expectSippSuccess(registered);
    const uas = await startSipp({ scenario: uasAnswerScenario({ username: 'carol' }), localPort: PORTS.carolNat });
    try {
      const uac = await call('alice', 'carol', PORTS.aliceUdp, 'udp');
      expectSippSuccess(uac);
      const answered = await uas.result;
      expectSippSuccess(answered);
      // The Request-URI still names the advertised Contact; only the destination changed.
      expect(answered.messages).toMatch(/INVITE sip:carol@10\.0\.0\.5:5062;transport=UDP SIP\/2\.0/);
    } finally {
      await uas.stop();
    }
  });

  async function tlsRegister(stream: RawSipStream, username: string, secret: string): Promise<RawSipResponse[]> {
    const { address, port } = stream.local;
    const callId = randomBytes(8).toString('hex');
    const uri = `sip:${kamailio.domain}`;
    const build = (cseq: number, authorization?: string): string =>
      [
        `REGISTER ${uri} SIP/2.0`,
        `Via: SIP/2.0/TLS ${address}:${port};branch=z9hG4bK${randomBytes(6).toString('hex')};rport`,
        'Max-Forwards: 70',
        `From: <sip:${username}@${kamailio.domain}>;tag=${callId.slice(0, 8)}`,
        `To: <sip:${username}@${kamailio.domain}>`,
        `Call-ID: ${callId}`,
        `CSeq: ${cseq} REGISTER`,
        `Contact: <sip:${username}@${address}:${port};transport=tls>`,
        'Expires: 120',
        ...(authorization !== undefined ? [`Authorization: ${authorization}`] : []),
        'Content-Length: 0',
        '',
        '',
      ].join('\r\n');
    const first = await stream.request(build(1));
    const challenge = first.headers.get('www-authenticate')?.[0];
    if (first.status !== 401 || challenge === undefined) return [first];
    const authorization = digestAuthorization({ challenge, method: 'REGISTER', uri, username, password: secret });
    return [first, await stream.request(build(2, authorization))];
  }

  it('registers over TLS, verifying Kamailio against the test CA (node:tls; the installed SIPp has no TLS)', async () => {
    const stream = await RawSipStream.connect({ host: '127.0.0.1', port: PORTS.kamailioTls, transport: 'tls', ca: caPem });
    try {
      const [challenge, final] = await tlsRegister(stream, 'tls-user', password('tls-user'));
      expect(challenge?.status).toBe(401);
      expect(final?.status).toBe(200);
      expect(final?.headers.get('contact')?.[0]).toMatch(/;expires=120/);

      const [, refused] = await tlsRegister(stream, 'tls-user', 'wrong');
      expect(refused?.status).toBe(401);
    } finally {
      stream.close();
    }
  });

  it('delivers a call to a TLS-registered client over the connection it opened', async () => {
    const stream = await RawSipStream.connect({ host: '127.0.0.1', port: PORTS.kamailioTls, transport: 'tls', ca: caPem });
    try {
      const [, registered] = await tlsRegister(stream, 'tls-user', password('tls-user'));
      expect(registered?.status).toBe(200);
      const caller = runSipp({
        scenario: uacCallScenario({ caller: 'alice', callee: 'tls-user', domain: kamailio.domain, expectStatus: 486 }),
        target: `127.0.0.1:${PORTS.kamailioUdp}`,
        localPort: PORTS.aliceUdp,
        auth: { username: 'alice', password: password('alice') },
      });
      const invite = await stream.next(5000);
      expect(invite).toMatch(/^INVITE sip:tls-user@127\.0\.0\.1:\d+;transport=tls SIP\/2\.0\r\n/);
      const lines = invite.split('\r\n');
      const copy = (name: RegExp): string[] => lines.filter((line) => name.test(line));
      stream.send(
        [
          'SIP/2.0 486 Busy Here',
          ...copy(/^(Via|v):/i),
          ...copy(/^(From|f):/i),
          ...copy(/^(To|t):/i).map((to) => `${to};tag=busy1`),
          ...copy(/^(Call-ID|i):/i),
          ...copy(/^CSeq:/i),
          'Content-Length: 0',
          '',
          '',
        ].join('\r\n'),
      );
      expectSippSuccess(await caller);
    } finally {
      stream.close();
    }
  });

  it('refuses a TLS client that does not trust the certificate', async () => {
    const otherCa = await createTestCertificates(join(certDir, 'other'));
    await expect(
      RawSipStream.connect({ host: '127.0.0.1', port: PORTS.kamailioTls, transport: 'tls', ca: readFileSync(otherCa.caPath, 'utf8') }),
    ).rejects.toThrow(/certificate/i);
  });

  it('restarts: same ports answer again and registrations are gone', async () => {
    const before = kamailio.pid;
    await kamailio.restart();
    expect(kamailio.pid).toBeGreaterThan(0);
    expect(kamailio.pid).not.toBe(before);
    const options = await runSipp({
      scenario: optionsScenario({ requestUri: `sip:127.0.0.1:${PORTS.kamailioUdp}` }),
      target: `127.0.0.1:${PORTS.kamailioUdp}`,
      localPort: PORTS.probe,
    });
    expectSippSuccess(options);
    // bob registered before the restart; usrloc was in memory.
    const result = await runSipp({
      scenario: uacCallScenario({ caller: 'alice', callee: 'bob', domain: kamailio.domain, expectStatus: 404 }),
      target: `127.0.0.1:${PORTS.kamailioUdp}`,
      localPort: PORTS.aliceUdp,
      auth: { username: 'alice', password: password('alice') },
    });
    expectSippSuccess(result);
    expect(kamailio.logs()).toContain('run 2');
  });

  it('kill(SIGKILL) takes down the whole process group; stop() stays idempotent', async () => {
    const pid = kamailio.pid;
    expect(pid).toBeGreaterThan(0);
    kamailio.kill('SIGKILL');
    await kamailio.stop();
    await kamailio.stop();
    expect(kamailio.pid).toBeUndefined();
    expect(groupHasLiveMembers(pid ?? 0)).toBe(false);
  });
});

describe('integration harness: config generator and SIPp runner edges', () => {
  it('yields configs that kamailio -c accepts for each listener subset', async () => {
    const variants = [
      { udpPort: 35080 },
      { tcpPort: 35081, users: [{ username: 'a', password: 'p' }], proxyAuth: false },
      { udpPort: 35082, tcpPort: 35082, ipv6: true, domain: 'portier.test', minExpires: 30, defaultExpires: 60 },
    ];
    for (const options of variants) {
      const { ok, output } = await checkKamailioConfig(options);
      expect(ok, output).toBe(true);
    }
  });

  it('rejects options Kamailio could not honour, before starting anything', () => {
    expect(() => validateKamailioOptions({})).toThrow(/at least one/);
    expect(() => validateKamailioOptions({ tlsPort: 35090 })).toThrow(/tls: \{ certPath/);
    expect(() => validateKamailioOptions({ udpPort: 35090, users: [{ username: 'x', password: 'a"b' }] })).toThrow(
      /password of x/,
    );
    expect(() => validateKamailioOptions({ udpPort: 35090, domain: 'bad domain' })).toThrow(/domain/);
  });

  it('parses the counters of SIPp statistics screens, keeping the last screen', () => {
    const screen = (ok: number, failed: number): string =>
      `  Outgoing calls created |        0                  |        2                 \n` +
      `  Successful call        |        0                  |        ${ok}                 \n` +
      `  Failed call            |        1                  |        ${failed}                 \n`;
    expect(parseSippStats(screen(0, 0) + screen(1, 1))).toEqual({ outgoingCalls: 2, successfulCalls: 1, failedCalls: 1 });
    expect(parseSippStats('no screen')).toEqual({});
  });

  it('ends a SIPp run against a silent peer at its timeout with a failure code', async () => {
    const started = Date.now();
    const result = await runSipp({
      scenario: optionsScenario(),
      target: '127.0.0.1:36098', // nothing listens here
      localPort: 36022,
      timeoutMs: 1500,
    });
    expect(result.code).not.toBe(0);
    expect(Date.now() - started).toBeLessThan(1500 + 4000);
  });
});
