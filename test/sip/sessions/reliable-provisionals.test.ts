import { afterEach, describe, expect, it } from 'vitest';
import { next, requestsOf, responsesOf, startParty, stopParties, until, type Party } from './session-test-kit.js';

for (const protocol of ['udp', 'tcp'] as const) {
  describe(`reliable provisionals and 2xx retransmission over ${protocol}`, () => {
    let alice: Party | undefined;
    let bob: Party | undefined;
    afterEach(async () => {
      await stopParties(alice, bob);
      alice = bob = undefined;
    });

    it('sends a reliable 180 (RFC 3262): the caller PRACKs it, ring() resolves, then the call is answered', async () => {
      alice = await startParty({ user: 'alice', protocol });
      bob = await startParty({ user: 'bob', protocol });
      const incoming = next(bob.manager, 'invitation');
      const call = alice.manager.invite(bob.uri);
      const [invitation] = await incoming;
      expect(invitation.peerSupports100rel).toBe(true);
      const progress = next(call, 'progress');
      await invitation.ring({ reliable: true });
      const [p] = await progress;
      expect(p).toMatchObject({ status: 180, reliable: true, earlyMedia: false });
      const ringing = responsesOf(bob.sent, 'INVITE').find((r) => r.status === 180)!;
      expect(ringing.require).toContain('100rel');
      const rseq = Number(ringing.getHeader('RSeq'));
      const prack = requestsOf(alice.sent, 'PRACK')[0]!;
      expect(prack.getHeader('RAck')).toBe(`${rseq} 1 INVITE`);
      expect(prack.to.tag).toBe(invitation.localTag);
      expect(prack.cseq.seq).toBe(2);
      await until(() => responsesOf(alice!.received, 'PRACK')[0]?.status === 200, 2000, '200 to PRACK');
      const up = next(call, 'accepted');
      await invitation.accept();
      await up;
      // The dialog's CSeq space went on after the PRACK.
      await call.bye();
      expect(requestsOf(alice.sent, 'BYE')[0]!.cseq.seq).toBe(3);
    });

    it('carries early media in a reliable 183: the caller takes the answer once and PRACKs', async () => {
      alice = await startParty({ user: 'alice', protocol });
      bob = await startParty({ user: 'bob', protocol });
      const incoming = next(bob.manager, 'invitation');
      const call = alice.manager.invite(bob.uri);
      const [invitation] = await incoming;
      const progress = next(call, 'progress');
      await invitation.ring({ reliable: true, earlyMedia: true });
      expect((await progress)[0]).toMatchObject({ status: 183, reliable: true, earlyMedia: true });
      expect(alice.handlers[0]!.answersReceived).toHaveLength(1);
      const up = next(call, 'accepted');
      await invitation.accept();
      await up;
      // The 2xx repeats the answer; the offer/answer was already complete, so it is not re-applied.
      expect(alice.handlers[0]!.answersReceived).toHaveLength(1);
      expect(bob.handlers[0]!.offersReceived).toHaveLength(1);
    });

    it('treats an unreliable 183 with SDP as early media', async () => {
      alice = await startParty({ user: 'alice', protocol, session: { reliableProvisionals: false } });
      bob = await startParty({ user: 'bob', protocol });
      const incoming = next(bob.manager, 'invitation');
      const call = alice.manager.invite(bob.uri);
      const [invitation] = await incoming;
      expect(invitation.peerSupports100rel).toBe(false);
      const progress = next(call, 'progress');
      await invitation.ring({ reliable: true, earlyMedia: true });
      expect((await progress)[0]).toMatchObject({ status: 183, reliable: false, earlyMedia: true });
      expect(requestsOf(alice.sent, 'PRACK')).toHaveLength(0);
      expect(alice.handlers[0]!.answersReceived).toHaveLength(1);
    });

    it('answers a PRACK that matches nothing with 481', async () => {
      alice = await startParty({ user: 'alice', protocol });
      bob = await startParty({ user: 'bob', protocol });
      const incoming = next(bob.manager, 'invitation');
      const call = alice.manager.invite(bob.uri);
      const [invitation] = await incoming;
      await invitation.accept();
      await next(call, 'accepted');
      const prack = call.dialogState!.createRequest('PRACK', { headers: [['RAck', '99 1 INVITE']] });
      expect((await alice.stack.core.send(prack)).response.status).toBe(481);
    });

    it('gives up with 500 when the reliable provisional is never PRACKed (64·T1)', async () => {
      alice = await startParty({ user: 'alice', protocol });
      bob = await startParty({ user: 'bob', protocol, session: { t1: 20 } });
      const send = alice.stack.transport.sendRequest.bind(alice.stack.transport);
      alice.stack.transport.sendRequest = async (request, target) => {
        if (request.method === 'PRACK') return;
        return send(request, target);
      };
      const incoming = next(bob.manager, 'invitation');
      const call = alice.manager.invite(bob.uri);
      const [invitation] = await incoming;
      const ringResult = invitation.ring({ reliable: true });
      const [[a], [b]] = await Promise.all([next(call, 'ended'), next(invitation, 'ended')]);
      await ringResult;
      expect(b).toMatchObject({ reason: 'timeout', status: 500 });
      expect(a).toMatchObject({ reason: 'rejected', status: 500 });
      // Retransmitted with doubling intervals: 20, 40, 80, 160, 320, 640 ms within 1280 ms.
      expect(responsesOf(bob.sent, 'INVITE').filter((r) => r.status === 180).length).toBeGreaterThanOrEqual(5);
    });

    it('retransmits the 2xx until the ACK and ends with BYE when no ACK comes (§13.3.1.4)', async () => {
      alice = await startParty({ user: 'alice', protocol });
      bob = await startParty({ user: 'bob', protocol, session: { t1: 20, t2: 80 } });
      const send = alice.stack.transport.sendRequest.bind(alice.stack.transport);
      let acksDropped = 0;
      alice.stack.transport.sendRequest = async (request, target) => {
        if (request.method === 'ACK') {
          acksDropped++;
          return;
        }
        return send(request, target);
      };
      const incoming = next(bob.manager, 'invitation');
      const call = alice.manager.invite(bob.uri);
      const [invitation] = await incoming;
      await invitation.accept();
      const [[b], [a]] = await Promise.all([next(invitation, 'ended'), next(call, 'ended')]);
      expect(b).toMatchObject({ reason: 'timeout' });
      expect(a).toMatchObject({ reason: 'bye-remote' });
      const oks = responsesOf(bob.sent, 'INVITE').filter((r) => r.status === 200).length;
      if (protocol === 'udp') {
        // 20, 40, 80, 80, … ms for 1280 ms: well over ten copies; each one re-ACKed by alice.
        expect(oks).toBeGreaterThan(10);
        await until(() => acksDropped >= oks - 1, 1000, 'an ACK per 2xx');
      } else {
        // Streams are reliable: one 2xx, and the same 64·T1 wait.
        expect(oks).toBe(1);
      }
    });

    it('stops the 2xx retransmissions once the ACK arrives', async () => {
      alice = await startParty({ user: 'alice', protocol });
      bob = await startParty({ user: 'bob', protocol, session: { t1: 20, t2: 80 } });
      const incoming = next(bob.manager, 'invitation');
      const call = alice.manager.invite(bob.uri);
      const [invitation] = await incoming;
      await invitation.accept();
      await next(invitation, 'accepted');
      const count = responsesOf(bob.sent, 'INVITE').filter((r) => r.status === 200).length;
      await new Promise((r) => setTimeout(r, 200));
      expect(responsesOf(bob.sent, 'INVITE').filter((r) => r.status === 200).length).toBe(count);
      expect(call.state).toBe('Confirmed');
    });
  });
}
