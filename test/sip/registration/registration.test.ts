import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { parseSipUri, type SipRequest } from '../../../src/sip/messages/index.js';
import type { Registration } from '../../../src/sip/registration/registration.js';
import type { RegistrationOptions } from '../../../src/sip/registration/registration-options.js';
import { SipStack } from '../../../src/sip/sip-stack.js';
import { DemoPbx } from '../../../src/sim/demo-pbx.js';
import { hasIpv6Loopback } from '../transport/raw-peer.js';
import { waitForState } from '../../support/registration-state.js';

const ipv6 = await hasIpv6Loopback();

type Answer = { status: number; headers?: Array<[string, string]> } | 'silent';

/** A registrar on a second stack that answers REGISTER as the test scripts it, recording every request. */
class ScriptedRegistrar {
  readonly requests: Array<{ at: number; request: SipRequest }> = [];
  script: (request: SipRequest, index: number) => Answer = () => ({ status: 200 });

  private constructor(readonly stack: SipStack) {
    stack.core.handle('REGISTER', (request, tx) => {
      const index = this.requests.length;
      this.requests.push({ at: Date.now(), request });
      const answer = this.script(request, index);
      if (answer === 'silent') return;
      tx.respond(stack.core.response(request, answer.status, answer.headers ? { headers: answer.headers } : {}));
    });
  }

  static async start(): Promise<ScriptedRegistrar> {
    return new ScriptedRegistrar(await SipStack.start({ listen: [{ protocol: 'udp', address: '127.0.0.1', port: 0 }] }));
  }

  get uri(): string {
    return `sip:127.0.0.1:${this.stack.transport.listeningPoints[0]!.port}`;
  }
}


const contactOf = (r: SipRequest) => r.getHeader('Contact') ?? '';

/** Polls until `condition` holds; rejects after `ms`. */
async function until(condition: () => boolean, ms: number): Promise<void> {
  const deadline = Date.now() + ms;
  while (!condition()) {
    if (Date.now() > deadline) throw new Error(`condition not met within ${ms} ms`);
    await new Promise((r) => setTimeout(r, 10));
  }
}

describe('Registration against an in-test registrar (two stacks on loopback)', () => {
  let ua: SipStack;
  let registrar: ScriptedRegistrar;
  const regs: Registration[] = [];

  beforeEach(async () => {
    ua = await SipStack.start({ listen: [{ protocol: 'udp', address: '127.0.0.1', port: 0 }], timers: { t1: 20, t2: 80 } });
    registrar = await ScriptedRegistrar.start();
  });
  afterEach(async () => {
    for (const r of regs.splice(0)) r.close();
    await ua.close();
    await registrar.stack.close();
  });

  function register(options: Partial<RegistrationOptions> = {}): Registration {
    const reg = ua.register({ aor: parseSipUri('sip:door@pbx.test'), registrar: parseSipUri(registrar.uri), expires: 600, ...options });
    regs.push(reg);
    return reg;
  }

  it('builds a RFC 3261 §10.2 REGISTER: AoR in From/To, own Contact, Expires, one Call-ID, rising CSeq', async () => {
    const reg = register({ displayName: 'Front Door' });
    reg.start();
    const s = await waitForState(reg, (x) => x.state === 'registered', 3000);
    reg.refreshNow();
    await until(() => registrar.requests.length === 2, 3000);
    const [first, second] = registrar.requests.map((r) => r.request);
    const port = ua.transport.listeningPoints[0]!.port;
    expect(first!.uri.toString()).toBe(registrar.uri);
    expect(first!.from.uri.toString()).toBe('sip:door@pbx.test');
    expect(first!.from.displayName).toBe('Front Door');
    expect(first!.from.tag).toBeTruthy();
    expect(first!.to.uri.toString()).toBe('sip:door@pbx.test');
    expect(first!.to.tag).toBeUndefined();
    expect(contactOf(first!)).toBe(`<sip:door@127.0.0.1:${port}>;expires=600`);
    expect(first!.expires).toBe(600);
    expect(first!.userAgent).toMatch(/^Portier\//);
    expect(s.contact).toBe(`sip:door@127.0.0.1:${port}`);
    expect(second!.callId).toBe(first!.callId);
    expect(second!.from.tag).toBe(first!.from.tag);
    expect(second!.cseq.seq).toBe(first!.cseq.seq + 1);
  });

  it('takes the granted expiry from our Contact’s expires parameter, else the Expires header', async () => {
    const port = () => ua.transport.listeningPoints[0]!.port;
    registrar.script = (req, i) =>
      i === 0
        ? { status: 200, headers: [['Contact', `<sip:other@10.0.0.1>;expires=999, <sip:door@127.0.0.1:${port()}>;expires=77`], ['Expires', '555']] }
        : { status: 200, headers: [['Expires', '66']] };
    const reg = register();
    reg.start();
    expect((await waitForState(reg, (x) => x.state === 'registered', 3000)).expires).toBe(77);
    const next = waitForState(reg, (x) => x.state === 'registered' && x.expires === 66, 3000);
    reg.refreshNow();
    expect((await next).expires).toBe(66);
  });

  it('refreshes at 90 % of the granted expiry', async () => {
    registrar.script = () => ({ status: 200, headers: [['Expires', '2']] });
    const reg = register({ expires: 2 });
    reg.start();
    await until(() => registrar.requests.length >= 2, 4000);
    const times = registrar.requests.map((r) => r.at);
    expect(times.length).toBeGreaterThanOrEqual(2);
    const gap = times[1]! - times[0]!;
    expect(gap).toBeGreaterThanOrEqual(1700);
    expect(gap).toBeLessThan(2000);
  });

  it('raises the expiry to Min-Expires after a 423 (§10.2.8) and gives up after repeated 423s', async () => {
    registrar.script = (req) => ((req.expires ?? 0) < 1800 ? { status: 423, headers: [['Min-Expires', '1800']] } : { status: 200 });
    const reg = register({ expires: 60 });
    reg.start();
    const s = await waitForState(reg, (x) => x.state === 'registered', 3000);
    expect(registrar.requests.map((r) => r.request.expires)).toEqual([60, 1800]);
    expect(s.expires).toBe(1800);
    expect(contactOf(registrar.requests[1]!.request)).toMatch(/;expires=1800$/);
  });

  it('does not follow a Min-Expires that is not higher (no 423 loop)', async () => {
    registrar.script = () => ({ status: 423, headers: [['Min-Expires', '30']] });
    const reg = register({ expires: 60, retryBaseMs: 5000 });
    reg.start();
    const s = await waitForState(reg, (x) => x.state === 'failed', 3000);
    expect(s.error?.code).toBe('SIP_ERR_REGISTRATION_REJECTED');
    expect(registrar.requests).toHaveLength(1);
  });

  it('backs off exponentially with jitter after server errors, capped', async () => {
    registrar.script = () => ({ status: 500 });
    const reg = register({ retryBaseMs: 100, retryMaxMs: 400 });
    const delays: number[] = [];
    reg.on('state', (s) => {
      if (s.state === 'failed') delays.push(s.retryInMs!);
    });
    reg.start();
    await until(() => delays.length >= 5, 5000);
    // base·2ⁿ capped at 400, scaled by a factor in [0.5, 1].
    const caps = [100, 200, 400, 400, 400];
    delays.slice(0, 5).forEach((d, i) => {
      expect(d).toBeGreaterThanOrEqual(caps[i]! / 2);
      expect(d).toBeLessThanOrEqual(caps[i]!);
    });
    expect(reg.status.error?.message).toMatch(/500/);
  });

  it('treats 403 as permanent: the long retry delay, not the backoff', async () => {
    registrar.script = () => ({ status: 403 });
    const reg = register({ retryBaseMs: 100, authFailureRetryMs: 60_000 });
    reg.start();
    const s = await waitForState(reg, (x) => x.state === 'failed', 3000);
    expect(s.retryInMs).toBe(60_000);
    await new Promise((r) => setTimeout(r, 300));
    expect(registrar.requests).toHaveLength(1);
  });

  it.each([
    ['a realm without credentials', 'Digest realm="pbx.test", nonce="abc", qop="auth"', {}, 'SIP_ERR_AUTH_NO_CREDENTIALS'],
    ['only an unsupported scheme', 'Basic realm="pbx.test"', { credentials: { username: 'door', password: 'x' } }, 'SIP_ERR_AUTH_UNSUPPORTED'],
  ] as const)('treats a challenge for %s as permanent (no backoff hammering)', async (_what, challenge, extra, code) => {
    registrar.script = () => ({ status: 401, headers: [['WWW-Authenticate', challenge]] });
    const reg = register({ retryBaseMs: 100, authFailureRetryMs: 60_000, ...extra });
    reg.start();
    const s = await waitForState(reg, (x) => x.state === 'failed', 3000);
    expect(s.error?.code).toBe(code);
    expect(s.retryInMs).toBe(60_000);
    await new Promise((r) => setTimeout(r, 300));
    expect(registrar.requests).toHaveLength(1);
  });

  it('never re-uses a CSeq: after a challenged REGISTER times out, the retry counts on from it (§10.2)', async () => {
    registrar.script = (_req, i) =>
      i === 0 ? { status: 401, headers: [['WWW-Authenticate', 'Digest realm="pbx.test", nonce="n1", qop="auth"']] } : i === 1 ? 'silent' : { status: 200 };
    const reg = register({ retryBaseMs: 50, retryMaxMs: 50, credentials: { username: 'door', password: 'pw' } });
    reg.start();
    await waitForState(reg, (x) => x.state === 'registered', 5000);
    const seqs = registrar.requests.map((r) => r.request.cseq.seq);
    expect(seqs).toHaveLength(3);
    expect(seqs[1]).toBeGreaterThan(seqs[0]!);
    // The registrar may have bound the silent one: an equal CSeq would be refused (§10.3 step 7).
    expect(seqs[2]).toBeGreaterThan(seqs[1]!);
  });

  it('stop() gives up on an un-REGISTER the registrar does not answer after unregisterTimeoutMs', async () => {
    const reg = register({ unregisterTimeoutMs: 300 });
    reg.start();
    await waitForState(reg, (x) => x.state === 'registered', 3000);
    registrar.script = () => 'silent';
    const started = Date.now();
    await reg.stop();
    expect(Date.now() - started).toBeLessThan(800);
    expect(Date.now() - started).toBeGreaterThanOrEqual(250);
    expect(reg.status.state).toBe('unregistered');
    const last = registrar.requests.at(-1)!.request;
    expect(contactOf(last)).toMatch(/;expires=0$/);
    expect(last.expires).toBe(0);
  });

  it('start() after stop() does nothing, and stop() twice is harmless', async () => {
    const reg = register();
    reg.start();
    await waitForState(reg, (x) => x.state === 'registered', 3000);
    await reg.stop();
    await reg.stop();
    reg.start();
    await new Promise((r) => setTimeout(r, 100));
    expect(reg.status.state).toBe('unregistered');
    expect(registrar.requests).toHaveLength(2);
  });

  it('registers with digest at the demo PBX and removes the binding on stop', async () => {
    const pbx = await DemoPbx.start({ users: { door: 'secret' } });
    try {
      const reg = ua.register({
        aor: parseSipUri(`sip:door@${pbx.realm}`),
        registrar: parseSipUri(`sip:127.0.0.1:${pbx.port}`),
        credentials: { username: 'door', password: 'secret' },
      });
      regs.push(reg);
      reg.start();
      const s = await waitForState(reg, (x) => x.state === 'registered', 3000);
      expect(pbx.registered().map((b) => b.contact)).toEqual([s.contact]);
      await reg.stop();
      expect(pbx.registered()).toEqual([]);
    } finally {
      await pbx.close();
    }
  });

  it('registers over TCP from a stack that only listens on UDP (client-only TCP, like TLS)', async () => {
    const tcpRegistrar = await SipStack.start({ listen: [{ protocol: 'tcp', address: '127.0.0.1', port: 0 }] });
    const seen: SipRequest[] = [];
    tcpRegistrar.core.handle('REGISTER', (req, tx) => {
      seen.push(req);
      tx.respond(tcpRegistrar.core.response(req, 200));
    });
    try {
      const port = tcpRegistrar.transport.listeningPoints[0]!.port;
      const reg = register({ registrar: parseSipUri(`sip:127.0.0.1:${port};transport=tcp`) });
      reg.start();
      const s = await waitForState(reg, (x) => x.state === 'registered' || x.state === 'failed', 3000);
      expect(s.error?.message).toBeUndefined();
      expect(s.state).toBe('registered');
      // The Contact names the connection's own local port and the transport.
      const local = ua.transport.openConnections[0]!.local;
      expect(s.contact).toBe(`sip:door@127.0.0.1:${local.port};transport=tcp`);
      expect(seen[0]!.topVia!.transport).toBe('TCP');
      // The first REGISTER could not know the connection's port; the next one registers it and
      // removes the guess, so the registrar keeps exactly one binding.
      const contacts = seen.map(contactOf);
      expect(contacts).toEqual([
        '<sip:door@127.0.0.1;transport=tcp>;expires=600',
        `<${s.contact!}>;expires=600, <sip:door@127.0.0.1;transport=tcp>;expires=0`,
      ]);
      // A refresh names only the real Contact.
      reg.refreshNow();
      await until(() => seen.length === 3, 3000);
      expect(contactOf(seen[2]!)).toBe(`<${s.contact!}>;expires=600`);
      await reg.stop();
    } finally {
      await tcpRegistrar.close();
    }
  });

  it('never overlaps UDP OPTIONS keep-alives: a tick is skipped while one is in flight (Timer F > interval)', async () => {
    // Timer F here is 64·20 ms = 1.28 s, the interval 150 ms: the same ratio trouble as 32 s vs 25 s.
    const options: SipRequest[] = [];
    registrar.stack.core.handle('OPTIONS', (req) => {
      options.push(req); // silent: the keep-alive only ends by Timer F
    });
    const reg = register({ keepAliveIntervalMs: 150 });
    reg.start();
    await waitForState(reg, (x) => x.state === 'registered', 3000);
    await until(() => options.length >= 1, 1000);
    // Well within Timer F of the first keep-alive: several ticks passed, none started another OPTIONS.
    await new Promise((r) => setTimeout(r, 800));
    expect(options).toHaveLength(1);
    expect(registrar.requests).toHaveLength(1);
    // When Timer F ends the first one, the flow counts as failed and the UA re-registers.
    await until(() => registrar.requests.length >= 2, 2000);
  });

  it.skipIf(!ipv6)('notices at once that its TCP flow closed when the registrar URI writes IPv6 in another form', async () => {
    const tcpRegistrar = await SipStack.start({ listen: [{ protocol: 'tcp', address: '::1', port: 0 }] });
    const seen: SipRequest[] = [];
    tcpRegistrar.core.handle('REGISTER', (req, tx) => {
      seen.push(req);
      tx.respond(tcpRegistrar.core.response(req, 200));
    });
    try {
      const port = tcpRegistrar.transport.listeningPoints[0]!.port;
      const reg = register({ registrar: parseSipUri(`sip:[0:0:0:0:0:0:0:1]:${port};transport=tcp`) });
      reg.start();
      await waitForState(reg, (x) => x.state === 'registered', 3000);
      const before = seen.length;
      const conn = tcpRegistrar.transport.openConnections[0]!;
      tcpRegistrar.transport.closeConnection({ protocol: 'tcp', ...conn.remote });
      // RFC 5626 §4.4: a failed flow is re-registered at once, not at the next keep-alive (25 s).
      await until(() => seen.length > before, 2000);
      await waitForState(reg, (x) => x.state === 'registered', 3000);
    } finally {
      await tcpRegistrar.close();
    }
  });
});
