import { afterEach, describe, expect, it } from 'vitest';
import { createResponse, type SipRequest, type SipResponse } from '../../../src/sip/messages/index.js';
import { SipStack } from '../../../src/sip/sip-stack.js';
import type { InviteServerTransaction } from '../../../src/sip/transactions/invite-server-transaction.js';
import { next, requestsOf, startParty, stopParties, until, type Party } from './session-test-kit.js';

const SDP = 'v=0\r\no=raw 1 1 IN IP4 127.0.0.1\r\ns=-\r\nc=IN IP4 127.0.0.1\r\nt=0 0\r\nm=audio 41000 RTP/AVP 0\r\n';

/** A hand-driven UAS on a bare stack: the test decides every response. */
async function rawPeer(protocol: 'udp' | 'tcp') {
  const stack = await SipStack.start({ listen: [{ protocol, address: '127.0.0.1', port: 0 }] });
  const port = stack.transport.listeningPoints[0]!.port;
  const suffix = protocol === 'udp' ? '' : ';transport=tcp';
  const contact = (tag: string) => `<sip:${tag}@127.0.0.1:${port}${suffix}>`;
  const acks: SipRequest[] = [];
  const byes: SipRequest[] = [];
  stack.core.on('ack', (ack) => acks.push(ack));
  stack.core.handle('BYE', (request, tx) => {
    byes.push(request);
    tx.respond(stack.core.response(request, 200));
  });
  const ok = (invite: SipRequest, tag: string): SipResponse =>
    createResponse(invite, 200, { toTag: tag, headers: [['Contact', contact(tag)]], body: SDP, contentType: 'application/sdp' });
  return { stack, uri: `sip:raw@127.0.0.1:${port}${suffix}`, acks, byes, ok, contact };
}

for (const protocol of ['udp', 'tcp'] as const) {
  describe(`forked and crossing responses over ${protocol}`, () => {
    let alice: Party | undefined;
    let raw: Awaited<ReturnType<typeof rawPeer>> | undefined;
    afterEach(async () => {
      await stopParties(alice);
      await raw?.stack.close();
      alice = raw = undefined;
    });

    it('keeps an early dialog per To tag, takes the first 2xx, ACKs and BYEs a second fork (§13.2.2.4)', async () => {
      alice = await startParty({ user: 'alice', protocol });
      raw = await rawPeer(protocol);
      const peer = raw;
      peer.stack.core.handle('INVITE', (invite, tx, info) => {
        for (const tag of ['forkA', 'forkB']) {
          tx.respond(createResponse(invite, 180, { toTag: tag, headers: [['Contact', peer.contact(tag)]] }));
        }
        tx.respond(peer.ok(invite, 'forkA'));
        // The second fork's 2xx, sent as a forking proxy would pass it on.
        void peer.stack.transport.sendResponse(peer.ok(invite, 'forkB'), info);
      });
      const call = alice.manager.invite(peer.uri);
      await next(call, 'accepted');
      await until(() => peer.acks.length >= 2 && peer.byes.length >= 1, 3000, 'ACKs and BYE');
      expect(new Set(peer.acks.map((a) => a.to.tag))).toEqual(new Set(['forkA', 'forkB']));
      expect(peer.byes.map((b) => b.to.tag)).toEqual(['forkB']);
      // The BYE went to the second fork's Contact.
      expect(peer.byes[0]!.uri.toString()).toContain('forkB@');
      expect(call.dialogState?.remoteTag).toBe('forkA');
      expect(call.state).toBe('Confirmed');
    });

    it('ACKs a 2xx that crosses its CANCEL, then ends the call with BYE (§9.1)', async () => {
      alice = await startParty({ user: 'alice', protocol });
      raw = await rawPeer(protocol);
      const peer = raw;
      peer.stack.core.handle('INVITE', (invite, tx) => {
        tx.respond(createResponse(invite, 180, { toTag: 'late', headers: [['Contact', peer.contact('late')]] }));
      });
      // The UAS answers the INVITE 200 instead of 487 when the CANCEL arrives (the race, played deterministically).
      peer.stack.core.handleCancel((_cancel, invite: InviteServerTransaction) => invite.respond(peer.ok(invite.request, 'late')));
      const call = alice.manager.invite(peer.uri);
      await next(call, 'progress');
      const ended = next(call, 'ended');
      call.cancel();
      expect((await ended)[0]).toMatchObject({ reason: 'cancelled', status: 200 });
      await until(() => peer.acks.length === 1 && peer.byes.length === 1, 3000, 'ACK and BYE');
      expect(peer.byes[0]!.to.tag).toBe('late');
      expect(requestsOf(alice.sent, 'CANCEL')).toHaveLength(1);
    });

    it('handles 2xx copies that arrive after the INVITE transaction ended (RFC 6026: stray responses)', async () => {
      // T1 = 20 ms: Timer M (64·T1) ends the INVITE transaction after 1.28 s.
      alice = await startParty({ user: 'alice', protocol, timers: { t1: 20, t2: 80 } });
      raw = await rawPeer(protocol);
      const peer = raw;
      peer.stack.core.handle('INVITE', (invite, tx, info) => {
        const ok = peer.ok(invite, 'one');
        tx.respond(ok);
        setTimeout(() => void peer.stack.transport.sendResponse(ok, info), 1500);
        setTimeout(() => void peer.stack.transport.sendResponse(peer.ok(invite, 'two'), info), 1600);
      });
      const call = alice.manager.invite(peer.uri);
      await next(call, 'accepted');
      expect(alice.stack.core.transactions.clientTransactionCount).toBe(1);
      // Before the late copies: the INVITE transaction is gone.
      await until(() => alice!.stack.core.transactions.clientTransactionCount === 0, 1450, 'Timer M');
      await until(() => peer.acks.length === 3 && peer.byes.length === 1, 4000, 'late ACKs and BYE');
      expect(peer.acks.map((a) => a.to.tag)).toEqual(['one', 'one', 'two']);
      expect(peer.byes[0]!.to.tag).toBe('two');
      expect(call.state).toBe('Confirmed');
    });

    it('re-ACKs a retransmitted 2xx with the very same ACK', async () => {
      alice = await startParty({ user: 'alice', protocol });
      raw = await rawPeer(protocol);
      const peer = raw;
      peer.stack.core.handle('INVITE', (invite, tx, info) => {
        const ok = peer.ok(invite, 'one');
        tx.respond(ok);
        setTimeout(() => void peer.stack.transport.sendResponse(ok, info), 50);
      });
      const call = alice.manager.invite(peer.uri);
      await next(call, 'accepted');
      await until(() => peer.acks.length === 2, 3000, 'two ACKs');
      expect(peer.acks[0]!.topVia?.branch).toBe(peer.acks[1]!.topVia?.branch);
      expect(peer.byes).toHaveLength(0);
    });
  });
}
