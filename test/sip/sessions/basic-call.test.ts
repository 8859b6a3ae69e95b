import { afterEach, describe, expect, it } from 'vitest';
import type { IncomingInviteSession } from '../../../src/sip/sessions/incoming-invite-session.js';
import { SessionState } from '../../../src/sip/sessions/session-state.js';
import type { SessionEndedInfo } from '../../../src/sip/sessions/session-events.js';
import { next, requestsOf, responsesOf, startParty, stopParties, until, type Party } from './session-test-kit.js';

for (const protocol of ['udp', 'tcp'] as const) {
  describe(`INVITE sessions between two stacks over ${protocol}`, () => {
    let alice: Party | undefined;
    let bob: Party | undefined;

    afterEach(async () => {
      await stopParties(alice, bob);
      alice = bob = undefined;
    });

    async function setUp(): Promise<{ alice: Party; bob: Party }> {
      alice = await startParty({ user: 'alice', protocol });
      bob = await startParty({ user: 'bob', protocol });
      return { alice, bob };
    }

    it('calls, rings, answers with SDP, ACKs, and ends with BYE from the caller', async () => {
      const { alice, bob } = await setUp();
      const incoming = next(bob.manager, 'invitation');
      const call = alice.manager.invite(bob.uri);
      const [invitation] = await incoming;
      expect(invitation.state).toBe(SessionState.Incoming);
      expect(invitation.remoteIdentity.uri.toString()).toBe('sip:alice@127.0.0.1');
      expect(invitation.offer).toContain('o=alice');
      const progress = next(call, 'progress');
      await invitation.ring();
      const [p] = await progress;
      expect(p.status).toBe(180);
      expect(call.state).toBe(SessionState.Early);
      const accepted = Promise.all([next(call, 'accepted'), next(invitation, 'accepted')]);
      await invitation.accept();
      await accepted;
      expect(call.state).toBe(SessionState.Confirmed);
      expect(invitation.state).toBe(SessionState.Confirmed);
      // Offer/answer: bob answered alice's offer, alice got the answer.
      expect(bob.handlers[0]!.offersReceived).toEqual(alice.handlers[0]!.offersMade);
      expect(alice.handlers[0]!.answersReceived).toHaveLength(1);
      expect(alice.handlers[0]!.answersReceived[0]).toContain('o=bob');
      // The INVITE advertised 100rel and timer, carried a Contact of our transport.
      const invite = requestsOf(alice.sent, 'INVITE')[0]!;
      expect(invite.supported).toEqual(expect.arrayContaining(['100rel', 'timer']));
      expect(invite.contacts[0]!.uri.toString()).toMatch(protocol === 'tcp' ? /transport=tcp/ : /^sip:alice@127\.0\.0\.1:\d+$/);
      expect(requestsOf(alice.sent, 'ACK')).toHaveLength(1);
      const ended = Promise.all([next(call, 'ended'), next(invitation, 'ended')]);
      await call.bye();
      const [[a], [b]] = await ended;
      expect(a).toEqual<SessionEndedInfo>({ reason: 'bye-local' });
      expect(b).toEqual<SessionEndedInfo>({ reason: 'bye-remote' });
      await until(() => responsesOf(alice.received, 'BYE').length === 1, 2000, '200 to BYE');
      expect(responsesOf(alice.received, 'BYE')[0]!.status).toBe(200);
      expect(alice.manager.sessions).toHaveLength(0);
      expect(bob.manager.sessions).toHaveLength(0);
    });

    it('tells where the INVITE came from: the transport and the address it arrived from (what From cannot prove)', async () => {
      const { alice, bob } = await setUp();
      const incoming = next(bob.manager, 'invitation');
      alice.manager.invite(bob.uri);
      const [invitation] = await incoming;
      expect(invitation.source.protocol).toBe(protocol);
      expect(invitation.source.address).toBe('127.0.0.1');
      // UDP answers come from the listening socket; a TCP connection from an ephemeral port.
      if (protocol === 'udp') expect(invitation.source.port).toBe(alice.stack.transport.listeningPoints[0]!.port);
      else expect(invitation.source.port).toBeGreaterThan(0);
      invitation.reject(486);
    });

    it('ends with BYE from the callee', async () => {
      const { alice, bob } = await setUp();
      const incoming = next(bob.manager, 'invitation');
      const call = alice.manager.invite(bob.uri);
      const [invitation] = await incoming;
      const accepted = next(invitation, 'accepted');
      await invitation.accept();
      await accepted;
      const ended = next(call, 'ended');
      await invitation.bye();
      expect((await ended)[0].reason).toBe('bye-remote');
      expect(invitation.endedInfo?.reason).toBe('bye-local');
      // The BYE carried the next CSeq of bob's own space (§12.2.1.1): its first request, 1.
      expect(requestsOf(bob.sent, 'BYE')[0]!.cseq.seq).toBe(1);
    });

    it('rejects with 486 while busy, without bothering the app', async () => {
      const { alice, bob } = await setUp();
      let offered = 0;
      bob.manager.on('invitation', () => offered++);
      bob.manager.busyWhen(() => true);
      const call = alice.manager.invite(bob.uri);
      const [info] = await next(call, 'ended');
      expect(info).toEqual({ reason: 'rejected', status: 486 });
      expect(offered).toBe(0);
      // The INVITE transaction ACKed the 486 itself (§17.1.1.3).
      await until(() => requestsOf(bob.received, 'ACK').length === 1, 2000, 'ACK of the 486');
    });

    it('rejects with the status the app picks (603)', async () => {
      const { alice, bob } = await setUp();
      bob.manager.on('invitation', (s: IncomingInviteSession) => s.reject(603));
      const call = alice.manager.invite(bob.uri);
      expect((await next(call, 'ended'))[0]).toEqual({ reason: 'rejected', status: 603 });
    });

    it('answers 488 when the handler refuses the offer', async () => {
      const { alice, bob } = await setUp();
      bob.manager.on('invitation', (s: IncomingInviteSession) => {
        bob!.handlers.at(-1)!.rejectOffers = true;
        void s.accept();
      });
      const call = alice.manager.invite(bob.uri);
      expect((await next(call, 'ended'))[0]).toEqual({ reason: 'rejected', status: 488 });
    });

    it('cancels a ringing call: 200 to CANCEL, 487 to the INVITE, both sides report cancelled', async () => {
      const { alice, bob } = await setUp();
      const incoming = next(bob.manager, 'invitation');
      const call = alice.manager.invite(bob.uri);
      const [invitation] = await incoming;
      const progress = next(call, 'progress');
      await invitation.ring();
      await progress;
      const ended = Promise.all([next(call, 'ended'), next(invitation, 'ended')]);
      call.cancel();
      const [[a], [b]] = await ended;
      expect(a).toEqual({ reason: 'cancelled', status: 487 });
      expect(b).toEqual({ reason: 'cancelled', status: 487 });
      const cancel = requestsOf(alice.sent, 'CANCEL')[0]!;
      const invite = requestsOf(alice.sent, 'INVITE')[0]!;
      expect(cancel.topVia?.branch).toBe(invite.topVia?.branch);
      expect(responsesOf(alice.received, 'CANCEL')[0]?.status).toBe(200);
    });

    it('holds the CANCEL until a provisional response arrives (§9.1)', async () => {
      const { alice, bob } = await setUp();
      const incoming = next(bob.manager, 'invitation');
      // No 100 Trying from bob's transaction for a while: the CANCEL must wait.
      const call = alice.manager.invite(bob.uri);
      const [invitation] = await incoming;
      call.cancel();
      await new Promise((r) => setTimeout(r, 50));
      expect(requestsOf(alice.sent, 'CANCEL')).toHaveLength(0);
      const ended = next(call, 'ended');
      await invitation.ring();
      expect((await ended)[0]).toEqual({ reason: 'cancelled', status: 487 });
      expect(requestsOf(alice.sent, 'CANCEL')).toHaveLength(1);
    });

    it('answers 480 when nobody listens for invitations', async () => {
      const { alice, bob } = await setUp();
      const call = alice.manager.invite(bob.uri);
      expect((await next(call, 'ended'))[0]).toEqual({ reason: 'rejected', status: 480 });
    });
  });
}

describe('SessionManager.close()', () => {
  it('closes every session without signalling, answers a pending INVITE 480, and is idempotent', async () => {
    const alice = await startParty({ user: 'alice', protocol: 'udp' });
    const bob = await startParty({ user: 'bob', protocol: 'udp' });
    try {
      const incoming = next(bob.manager, 'invitation');
      const call = alice.manager.invite(bob.uri);
      const [invitation] = await incoming;
      const ended = Promise.all([next(invitation, 'ended'), next(call, 'ended')]);
      bob.manager.close();
      bob.manager.close();
      const [[b], [a]] = await ended;
      expect(b.reason).toBe('closed');
      expect(a).toEqual({ reason: 'rejected', status: 480 });
      expect(bob.manager.sessions).toHaveLength(0);
    } finally {
      await stopParties(alice, bob);
    }
  });
});
