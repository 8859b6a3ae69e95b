import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { parseSipUri, type SipRequest, type SipResponse } from '../../src/sip/messages/index.js';
import type { Registration } from '../../src/sip/registration/registration.js';
import type { IncomingInviteSession } from '../../src/sip/sessions/incoming-invite-session.js';
import type { InviteSession } from '../../src/sip/sessions/invite-session.js';
import type { InviteSessionEvents } from '../../src/sip/sessions/session-events.js';
import { SessionManager } from '../../src/sip/sessions/session-manager.js';
import { SipStack } from '../../src/sip/sip-stack.js';
import { FixedSdp } from '../sip/sessions/session-test-kit.js';
import { startKamailio, type KamailioInstance } from './support/kamailio.js';

// Ports 35200–35249 belong to the session tests.
const PORTS = { udp: 35200, tcp: 35201 };
const USERS = [
  { username: 'alice', password: 'alice-pw' },
  { username: 'bob', password: 'bob-pw' },
];

interface Phone {
  stack: SipStack;
  manager: SessionManager;
  registration: Registration;
  received: Array<SipRequest | SipResponse>;
  sent: SipRequest[];
}

function once<K extends keyof InviteSessionEvents>(session: InviteSession, event: K, ms = 10_000): Promise<InviteSessionEvents[K]> {
  return new Promise((resolve, reject) => {
    const t = setTimeout(() => reject(new Error(`no ${event} within ${ms} ms`)), ms);
    session.once(event, ((...args: InviteSessionEvents[K]) => {
      clearTimeout(t);
      resolve(args);
    }) as never);
  });
}

describe('INVITE sessions through a real Kamailio (record-routing, 407 proxy auth)', () => {
  let kamailio: KamailioInstance;
  const phones: Phone[] = [];

  beforeAll(async () => {
    kamailio = await startKamailio({ udpPort: PORTS.udp, tcpPort: PORTS.tcp, users: USERS });
  });

  afterAll(async () => {
    await kamailio?.stop();
  });

  afterEach(async () => {
    for (const p of phones.splice(0)) {
      p.manager.close();
      await p.stack.close();
    }
  });

  async function phone(user: (typeof USERS)[number], protocol: 'udp' | 'tcp'): Promise<Phone> {
    const stack = await SipStack.start({ listen: [{ protocol, address: '127.0.0.1', port: 0 }] });
    const manager = new SessionManager(stack.core, {
      aor: parseSipUri(kamailio.aor(user.username)),
      credentials: user,
      createHandler: () => new FixedSdp(user.username),
    });
    const registration = stack.register({
      aor: parseSipUri(kamailio.aor(user.username)),
      registrar: parseSipUri(kamailio.proxyUri(protocol)),
      credentials: user,
      expires: 120,
    });
    const received: Array<SipRequest | SipResponse> = [];
    const sent: SipRequest[] = [];
    stack.transport.on('request', (r) => received.push(r));
    stack.transport.on('response', (r) => received.push(r));
    const send = stack.transport.sendRequest.bind(stack.transport);
    stack.transport.sendRequest = async (request, target) => {
      sent.push(request.clone());
      return send(request, target);
    };
    const p = { stack, manager, registration, received, sent };
    phones.push(p);
    const registered = new Promise<void>((resolve, reject) => {
      const t = setTimeout(() => reject(new Error(`${user.username} did not register`)), 10_000);
      registration.on('state', (s) => {
        if (s.state === 'registered') {
          clearTimeout(t);
          resolve();
        }
      });
    });
    registration.start();
    await registered;
    return p;
  }

  /** Bob's address at the proxy: the Request-URI names Kamailio, which looks bob up (usrloc). */
  function bobViaProxy(protocol: 'udp' | 'tcp'): string {
    return protocol === 'udp' ? `sip:bob@127.0.0.1:${PORTS.udp}` : `sip:bob@127.0.0.1:${PORTS.tcp};transport=tcp`;
  }

  for (const protocol of ['udp', 'tcp'] as const) {
    it(`alice calls bob over ${protocol}: 407 answered, ringing, answer, BYE through the proxy`, async () => {
      const alice = await phone(USERS[0]!, protocol);
      const bob = await phone(USERS[1]!, protocol);
      const invited = new Promise<IncomingInviteSession>((resolve) => bob.manager.once('invitation', resolve));
      const call = alice.manager.invite(bobViaProxy(protocol));
      const incoming = await invited;
      // Kamailio record-routed the INVITE; bob's dialog will route back through it.
      expect(incoming.request.getHeaders('Record-Route').join(',')).toContain(`127.0.0.1:${protocol === 'udp' ? PORTS.udp : PORTS.tcp}`);
      const progress = once(call, 'progress');
      await incoming.ring();
      expect((await progress)[0].status).toBe(180);
      const up = Promise.all([once(call, 'accepted'), once(incoming, 'accepted')]);
      await incoming.accept();
      await up;
      // The first INVITE was challenged by the proxy and re-sent with credentials.
      const invites = alice.sent.filter((r) => r.method === 'INVITE');
      expect(invites).toHaveLength(2);
      expect(invites[1]!.hasHeader('Proxy-Authorization')).toBe(true);
      expect(alice.received.some((m) => 'status' in m && m.status === 407)).toBe(true);
      // §12.2.1.1: the ACK and BYE carry the route set and go to the proxy, not to bob directly.
      const dialog = call.dialogState!;
      expect(dialog.routeSet.length).toBeGreaterThanOrEqual(1);
      // (The first ACK is the transaction's, for the 407; the 2xx's ACK is the dialog's.)
      const ack = alice.sent.find((r) => r.method === 'ACK' && r.to.tag === dialog.remoteTag)!;
      expect(ack.cseq.seq).toBe(invites[1]!.cseq.seq);
      expect(ack.getHeaders('Route').length).toBeGreaterThanOrEqual(1);
      expect(ack.getHeader('Proxy-Authorization')).toBe(invites[1]!.getHeader('Proxy-Authorization'));
      const ended = Promise.all([once(call, 'ended'), once(incoming, 'ended')]);
      await call.bye();
      const [[a], [b]] = await ended;
      expect(a.reason).toBe('bye-local');
      expect(b.reason).toBe('bye-remote');
      const bye = bob.received.find((m): m is SipRequest => 'method' in m && m.method === 'BYE')!;
      // Kamailio's Via sits above alice's: the BYE went through the proxy.
      expect(bye.vias.length).toBeGreaterThanOrEqual(2);
      expect(bye.vias[0]!.port).toBe(protocol === 'udp' ? PORTS.udp : PORTS.tcp);
    });
  }

  it('bob hangs up: his BYE follows the route set back through the proxy', async () => {
    const alice = await phone(USERS[0]!, 'udp');
    const bob = await phone(USERS[1]!, 'udp');
    const invited = new Promise<IncomingInviteSession>((resolve) => bob.manager.once('invitation', resolve));
    const call = alice.manager.invite(bobViaProxy('udp'));
    const incoming = await invited;
    const up = Promise.all([once(call, 'accepted'), once(incoming, 'accepted')]);
    await incoming.accept();
    await up;
    const ended = once(call, 'ended');
    await incoming.bye();
    expect((await ended)[0].reason).toBe('bye-remote');
    const bye = bob.sent.find((r) => r.method === 'BYE')!;
    expect(bye.getHeaders('Route').join(',')).toContain(`127.0.0.1:${PORTS.udp}`);
    const got = alice.received.find((m): m is SipRequest => 'method' in m && m.method === 'BYE')!;
    expect(got.vias[0]!.port).toBe(PORTS.udp);
  });

  it('alice cancels before bob answers: CANCEL through the proxy, 487 on both sides', async () => {
    const alice = await phone(USERS[0]!, 'udp');
    const bob = await phone(USERS[1]!, 'udp');
    const invited = new Promise<IncomingInviteSession>((resolve) => bob.manager.once('invitation', resolve));
    const call = alice.manager.invite(bobViaProxy('udp'));
    const incoming = await invited;
    const progress = once(call, 'progress');
    await incoming.ring();
    await progress;
    const ended = Promise.all([once(call, 'ended'), once(incoming, 'ended')]);
    call.cancel();
    const [[a], [b]] = await ended;
    expect(a).toMatchObject({ reason: 'cancelled', status: 487 });
    expect(b).toMatchObject({ reason: 'cancelled', status: 487 });
  });

  it('in-dialog re-INVITE and INFO travel through the proxy as well', async () => {
    const alice = await phone(USERS[0]!, 'udp');
    const bob = await phone(USERS[1]!, 'udp');
    const invited = new Promise<IncomingInviteSession>((resolve) => bob.manager.once('invitation', resolve));
    const call = alice.manager.invite(bobViaProxy('udp'));
    const incoming = await invited;
    const up = Promise.all([once(call, 'accepted'), once(incoming, 'accepted')]);
    await incoming.accept();
    await up;
    const reinvite = once(incoming, 'reinvite');
    expect(await call.reinvite()).toBe(200);
    await reinvite;
    const info = once(incoming, 'info');
    expect(await call.info('application/dtmf-relay', 'Signal=1\r\nDuration=100\r\n')).toBe(200);
    expect((await info)[0].body.toString()).toContain('Signal=1');
    await call.bye();
  });
});
