import { createSocket, type Socket } from 'node:dgram';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DigestAuthenticator } from '../../src/sip/auth/digest-authenticator.js';
import { generateCallId, generateTag, parseSipUri, SipRequest } from '../../src/sip/messages/index.js';
import type { RegistrationStatus } from '../../src/sip/registration/registration-state.js';
import { SipStack } from '../../src/sip/sip-stack.js';
import { startKamailio, type KamailioInstance } from './support/kamailio.js';
import { waitForState } from '../support/registration-state.js';

const PORTS = { udp: 35300, tcp: 35301 };
const USER = { username: 'door', password: 'opensesame' };
const QUERY_USER = { username: 'flat', password: 'flatpw' };


const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/** Records every REGISTER/OPTIONS the stack hands to its transport (retransmissions included). */
function recordRequests(stack: SipStack): Array<{ at: number; request: SipRequest; branch: string | undefined }> {
  const log: Array<{ at: number; request: SipRequest; branch: string | undefined }> = [];
  const original = stack.transport.sendRequest.bind(stack.transport);
  stack.transport.sendRequest = async (request, target) => {
    log.push({ at: Date.now(), request, branch: request.topVia?.branch });
    return original(request, target);
  };
  return log;
}

describe('registration edge cases against a real Kamailio', () => {
  let kamailio: KamailioInstance;
  /** A second stack that asks Kamailio for the bindings of an AoR (REGISTER without Contact, §10.2.3). */
  let querier: SipStack;

  beforeAll(async () => {
    kamailio = await startKamailio({
      udpPort: PORTS.udp,
      tcpPort: PORTS.tcp,
      users: [USER, QUERY_USER],
      minExpires: 30,
      maxExpires: 3600,
    });
    querier = await SipStack.start({ listen: [{ protocol: 'udp', address: '127.0.0.1', port: 0 }] });
  });

  afterAll(async () => {
    await querier?.close();
    await kamailio?.stop();
  });

  /** The Contact URIs Kamailio holds for `user` right now. */
  async function bindings(user: { username: string; password: string }): Promise<string[]> {
    const aor = kamailio.aor(user.username);
    const request = SipRequest.create({
      method: 'REGISTER',
      uri: kamailio.proxyUri('udp'),
      headers: [
        ['Max-Forwards', '70'],
        ['From', `<${aor}>;tag=${generateTag()}`],
        ['To', `<${aor}>`],
        ['Call-ID', generateCallId()],
        ['CSeq', '1 REGISTER'],
      ],
    });
    const { response } = await querier.core.send(request, { authenticator: new DigestAuthenticator({ defaultCredentials: user }) });
    expect(response.status, `binding query answered ${response.status} ${response.reason}`).toBe(200);
    return response.contacts.map((c) => c.uri.toString());
  }

  it('the binding query sees a registration made elsewhere (harness check)', async () => {
    expect(await bindings(USER)).toEqual([]);
  });

  describe('failover to a backup registrar', () => {
    let silent: Socket;
    let silentPort: number;
    let silentHits = 0;

    beforeAll(async () => {
      silent = createSocket('udp4');
      silent.on('message', () => silentHits++);
      await new Promise<void>((r) => silent.bind(0, '127.0.0.1', () => r()));
      silentPort = silent.address().port;
    });
    afterAll(() => silent?.close());

    it('registers at the backup when the primary does not answer, reporting failed then registered', async () => {
      // Timer F = 64·T1 = 3.2 s with T1 = 50 ms.
      const stack = await SipStack.start({ listen: [{ protocol: 'udp', address: '127.0.0.1', port: 0 }], timers: { t1: 50, t2: 200 } });
      try {
        const reg = stack.register({
          aor: parseSipUri(kamailio.aor(USER.username)),
          registrar: parseSipUri(`sip:127.0.0.1:${silentPort}`),
          backupRegistrars: [parseSipUri(kamailio.proxyUri('udp'))],
          credentials: USER,
          expires: 120,
          retryBaseMs: 100,
          retryMaxMs: 400,
        });
        const states: RegistrationStatus[] = [];
        reg.on('state', (s) => states.push(s));
        reg.start();
        const registered = await waitForState(reg, (s) => s.state === 'registered', 15_000);
        expect(registered.registrar).toBe(kamailio.proxyUri('udp'));
        expect(states.map((s) => s.state)).toEqual(['registering', 'failed', 'registering', 'registered']);
        const failed = states[1]!;
        // The failure names the registrar that failed, not the one tried next.
        expect(failed.registrar).toBe(`sip:127.0.0.1:${silentPort}`);
        expect(failed.error?.code).toBe('SIP_ERR_TRANSACTION_TIMEOUT');
        expect(failed.retryInMs).toBeLessThanOrEqual(400);
        // The primary got the REGISTER and its retransmissions (Timer E) before Timer F gave up.
        expect(silentHits).toBeGreaterThanOrEqual(3);
        expect(await bindings(USER)).toEqual([registered.contact]);
        await reg.stop();
        expect(await bindings(USER)).toEqual([]);
      } finally {
        await stack.close();
      }
    });
  });

  it('rewrites its Contact from received/rport and removes the stale binding', async () => {
    // Advertise an address the packets do not come from: Kamailio's Via answer names the real one.
    const stack = await SipStack.start({ listen: [{ protocol: 'udp', address: '127.0.0.1', port: 0, advertisedHost: '127.0.0.9' }] });
    const port = stack.transport.listeningPoints[0]!.port;
    const sent = recordRequests(stack);
    try {
      const reg = stack.register({
        aor: parseSipUri(kamailio.aor(USER.username)),
        registrar: parseSipUri(kamailio.proxyUri('udp')),
        credentials: USER,
        expires: 120,
      });
      const s = await (reg.start(), waitForState(reg, (x) => x.state === 'registered', 10_000));
      expect(s.contact).toBe(`sip:door@127.0.0.1:${port}`);
      const registers = sent.filter((r) => r.request.method === 'REGISTER').map((r) => r.request.getHeader('Contact'));
      // First round (challenge + answer) with the advertised address, then one REGISTER that adds the
      // public Contact and removes the stale one in the same request.
      expect(registers[0]).toBe(`<sip:door@127.0.0.9:${port}>;expires=120`);
      expect(registers.at(-1)).toBe(`<sip:door@127.0.0.1:${port}>;expires=120, <sip:door@127.0.0.9:${port}>;expires=0`);
      expect(await bindings(USER)).toEqual([`sip:door@127.0.0.1:${port}`]);
      // A refresh keeps the rewritten Contact and no longer mentions the stale one.
      const before = sent.length;
      reg.refreshNow();
      await waitForState(reg, (x) => x.state === 'registered', 5000);
      await sleep(200);
      const refresh = sent.slice(before).filter((r) => r.request.method === 'REGISTER').map((r) => r.request.getHeader('Contact'));
      expect(refresh.length).toBeGreaterThan(0);
      for (const c of refresh) expect(c).toBe(`<sip:door@127.0.0.1:${port}>;expires=120`);
      await reg.stop();
      expect(await bindings(USER)).toEqual([]);
    } finally {
      await stack.close();
    }
  });

  it('keeps one REGISTER outstanding at a time when refreshNow() is called repeatedly', async () => {
    const stack = await SipStack.start({ listen: [{ protocol: 'udp', address: '127.0.0.1', port: 0 }] });
    const sent = recordRequests(stack);
    /** Branches of REGISTERs without a final response yet. */
    const outstanding = new Set<string>();
    const overlaps: string[] = [];
    const original = stack.transport.sendRequest.bind(stack.transport);
    stack.transport.sendRequest = async (request, target) => {
      const branch = request.topVia?.branch;
      if (request.method === 'REGISTER' && branch && !outstanding.has(branch)) {
        if (outstanding.size > 0) overlaps.push(`${branch} while ${[...outstanding].join(',')} in flight`);
        outstanding.add(branch);
      }
      return original(request, target);
    };
    stack.transport.on('response', (response) => {
      if (response.cseq.method === 'REGISTER' && response.status >= 200) outstanding.delete(response.topVia!.branch!);
    });
    try {
      const reg = stack.register({
        aor: parseSipUri(kamailio.aor(USER.username)),
        registrar: parseSipUri(kamailio.proxyUri('udp')),
        credentials: USER,
        expires: 120,
      });
      reg.start();
      await waitForState(reg, (x) => x.state === 'registered', 10_000);
      const before = sent.filter((r) => r.request.method === 'REGISTER').length;
      let registeredEvents = 0;
      reg.on('state', (s) => {
        if (s.state === 'registered') registeredEvents++;
      });
      for (let i = 0; i < 5; i++) reg.refreshNow();
      // Calls while one is in flight collapse into one more REGISTER after it.
      await sleep(1000);
      const after = sent.filter((r) => r.request.method === 'REGISTER');
      const newBranches = new Set(after.slice(before).map((r) => r.branch));
      expect(overlaps).toEqual([]);
      expect(newBranches.size).toBeGreaterThanOrEqual(2);
      expect(newBranches.size).toBeLessThanOrEqual(4); // two refreshes, each possibly challenged once
      expect(registeredEvents).toBe(2);
      // CSeq rises by one per REGISTER within the Call-ID (§10.2.4).
      const seqs = after.map((r) => r.request.cseq.seq);
      const unique = [...new Set(seqs)];
      expect(unique).toEqual(unique.slice().sort((a, b) => a - b));
      expect(new Set(after.map((r) => r.request.callId)).size).toBe(1);
      expect(reg.status.state).toBe('registered');
      await reg.stop();
    } finally {
      await stack.close();
    }
  });

  it('sends the UDP OPTIONS keep-alive at the configured interval, answered by Kamailio', async () => {
    const stack = await SipStack.start({ listen: [{ protocol: 'udp', address: '127.0.0.1', port: 0 }] });
    const sent = recordRequests(stack);
    const answered: number[] = [];
    stack.transport.on('response', (response) => {
      if (response.cseq.method === 'OPTIONS') answered.push(response.status);
    });
    try {
      const reg = stack.register({
        aor: parseSipUri(kamailio.aor(USER.username)),
        registrar: parseSipUri(kamailio.proxyUri('udp')),
        credentials: USER,
        expires: 120,
        keepAliveIntervalMs: 300,
      });
      reg.start();
      await waitForState(reg, (x) => x.state === 'registered', 10_000);
      const start = Date.now();
      await sleep(1350);
      const options = sent.filter((r) => r.request.method === 'OPTIONS' && r.at >= start);
      expect(options.length).toBeGreaterThanOrEqual(3);
      expect(options.length).toBeLessThanOrEqual(5);
      const gaps = options.slice(1).map((o, i) => o.at - options[i]!.at);
      for (const gap of gaps) {
        expect(gap).toBeGreaterThan(200);
        expect(gap).toBeLessThan(450);
      }
      // Each went to the registrar and was answered.
      expect(options[0]!.request.uri.toString()).toBe(kamailio.proxyUri('udp'));
      expect(answered.length).toBeGreaterThanOrEqual(options.length - 1);
      expect(answered.every((s) => s === 200)).toBe(true);
      expect(reg.status.state).toBe('registered');
      await reg.stop();
    } finally {
      await stack.close();
    }
  });

  describe('TCP keep-alive (RFC 5626 CRLF ping)', () => {
    it('gets pongs from Kamailio and stays registered', async () => {
      const stack = await SipStack.start({ listen: [{ protocol: 'tcp', address: '127.0.0.1', port: 0 }] });
      try {
        const reg = stack.register({
          aor: parseSipUri(kamailio.aor(USER.username)),
          registrar: parseSipUri(kamailio.proxyUri('tcp')),
          credentials: USER,
          expires: 120,
          keepAliveIntervalMs: 200,
          pongTimeoutMs: 500,
        });
        const states: string[] = [];
        reg.on('state', (s) => states.push(s.state));
        reg.start();
        await waitForState(reg, (x) => x.state === 'registered', 10_000);
        const before = { ...stack.transport.stats };
        await sleep(1100);
        const pings = stack.transport.stats.keepAlivesSent - before.keepAlivesSent;
        const pongs = stack.transport.stats.pongsReceived - before.pongsReceived;
        expect(pings).toBeGreaterThanOrEqual(4);
        expect(pongs).toBeGreaterThanOrEqual(pings - 1);
        expect(states).toEqual(['registering', 'registered']);
        await reg.stop();
      } finally {
        await stack.close();
      }
    });

    it('re-registers when the pong does not come (Kamailio stopped), and is registered again after it resumes', async () => {
      const stack = await SipStack.start({ listen: [{ protocol: 'tcp', address: '127.0.0.1', port: 0 }] });
      const sent = recordRequests(stack);
      let resumed = false;
      try {
        const reg = stack.register({
          aor: parseSipUri(kamailio.aor(USER.username)),
          registrar: parseSipUri(kamailio.proxyUri('tcp')),
          credentials: USER,
          expires: 120,
          keepAliveIntervalMs: 200,
          pongTimeoutMs: 400,
          retryBaseMs: 200,
          retryMaxMs: 1000,
        });
        reg.start();
        await waitForState(reg, (x) => x.state === 'registered', 10_000);
        const registersBefore = sent.filter((r) => r.request.method === 'REGISTER').length;
        const flowBefore = stack.transport.openConnections.map((c) => c.id);
        expect(flowBefore).toHaveLength(1);
        const statsBefore = { ...stack.transport.stats };
        const states: string[] = [];
        reg.on('state', (s) => states.push(s.state));
        kamailio.kill('SIGSTOP');
        const stoppedAt = Date.now();
        await waitForState(reg, (x) => x.state !== 'registered', 3000);
        // Noticed within one interval plus the pong timeout (plus scheduling slack).
        expect(Date.now() - stoppedAt).toBeLessThan(1500);
        await sleep(300);
        kamailio.kill('SIGCONT');
        resumed = true;
        await waitForState(reg, (x) => x.state === 'registered', 10_000);
        expect(states[0]).toBe('registering');
        expect(states.at(-1)).toBe('registered');
        expect(sent.filter((r) => r.request.method === 'REGISTER').length).toBeGreaterThan(registersBefore);
        // RFC 5626 §4.4.1: the failed flow was dropped and the REGISTER went over a new connection.
        expect(stack.transport.stats.connectionsOpened - statsBefore.connectionsOpened).toBeGreaterThanOrEqual(1);
        const flowAfter = stack.transport.openConnections.map((c) => c.id);
        expect(flowAfter).toHaveLength(1);
        expect(flowAfter).not.toEqual(flowBefore);
        await reg.stop();
      } finally {
        if (!resumed) kamailio.kill('SIGCONT');
        await stack.close();
      }
    });
  });

  it('over TCP without a TCP listener of its own, leaves exactly one binding with the flow’s real port', async () => {
    const stack = await SipStack.start({ listen: [{ protocol: 'udp', address: '127.0.0.1', port: 0 }] });
    try {
      const reg = stack.register({
        aor: parseSipUri(kamailio.aor(USER.username)),
        registrar: parseSipUri(kamailio.proxyUri('tcp')),
        credentials: USER,
        expires: 120,
      });
      reg.start();
      const s = await waitForState(reg, (x) => x.state === 'registered' || x.state === 'failed', 10_000);
      expect(s.state).toBe('registered');
      const local = stack.transport.openConnections.find((c) => c.protocol === 'tcp')!.local;
      expect(s.contact).toBe(`sip:door@127.0.0.1:${local.port};transport=tcp`);
      expect(await bindings(USER)).toEqual([s.contact]);
      await reg.stop();
      expect(await bindings(USER)).toEqual([]);
    } finally {
      await stack.close();
    }
  });

  for (const protocol of ['udp', 'tcp'] as const) {
    it(`SipStack.close() removes the binding (un-REGISTER) over ${protocol}`, async () => {
      const stack = await SipStack.start({ listen: [{ protocol, address: '127.0.0.1', port: 0 }] });
      let closed = false;
      try {
        const reg = stack.register({
          aor: parseSipUri(kamailio.aor(USER.username)),
          registrar: parseSipUri(kamailio.proxyUri(protocol)),
          credentials: USER,
          expires: 300,
        });
        const states: string[] = [];
        reg.on('state', (s) => states.push(s.state));
        reg.start();
        const s = await waitForState(reg, (x) => x.state === 'registered', 10_000);
        expect(await bindings(USER)).toEqual([s.contact]);
        await stack.close();
        closed = true;
        expect(states.slice(-2)).toEqual(['unregistering', 'unregistered']);
        expect(await bindings(USER)).toEqual([]);
      } finally {
        if (!closed) await stack.close();
      }
    });
  }
});
