import { afterEach, describe, expect, it } from 'vitest';
import { SipRequest } from '../../../src/sip/messages/index.js';
import type { SessionRenegotiationInfo } from '../../../src/sip/sessions/session-events.js';
import { connect, next, requestsOf, responsesOf, stopParties, until, type Call } from './session-test-kit.js';

for (const protocol of ['udp', 'tcp'] as const) {
  describe(`in-dialog requests over ${protocol}`, () => {
    let c: Call | undefined;

    afterEach(async () => {
      if (c) await stopParties(c.alice, c.bob);
      c = undefined;
    });

    it('puts the call on hold and resumes it with re-INVITE (sendonly → recvonly, then sendrecv)', async () => {
      c = await connect(protocol);
      const { alice, bob, call, answered } = c;
      const aliceSdp = alice.handlers[0]!;
      aliceSdp.direction = 'sendonly';
      const held = next(answered, 'reinvite');
      expect(await call.reinvite()).toBe(200);
      const [info] = await held;
      expect(info).toMatchObject<Partial<SessionRenegotiationInfo>>({ direction: 'sendonly', hold: true, accepted: true });
      expect(aliceSdp.answersReceived.at(-1)).toContain('a=recvonly');
      // §13.2.2.4: the re-INVITE's 2xx was ACKed with the re-INVITE's CSeq number.
      const reinvite = requestsOf(alice.sent, 'INVITE')[1]!;
      expect(reinvite.to.tag).toBeDefined();
      expect(reinvite.cseq.seq).toBe(2);
      await until(() => requestsOf(bob.received, 'ACK').some((a) => a.cseq.seq === 2), 2000, 'ACK of the re-INVITE');
      aliceSdp.direction = 'sendrecv';
      const resumed = next(answered, 'reinvite');
      expect(await call.reinvite()).toBe(200);
      expect((await resumed)[0]).toMatchObject({ direction: 'sendrecv', hold: false });
      expect(call.state).toBe('Confirmed');
    });

    it('lets the callee re-INVITE the caller as well', async () => {
      c = await connect(protocol);
      const { answered, call } = c;
      const got = next(call, 'reinvite');
      expect(await answered.reinvite()).toBe(200);
      expect((await got)[0].accepted).toBe(true);
    });

    it('keeps the session when the peer refuses a re-INVITE offer (488)', async () => {
      c = await connect(protocol);
      const { bob, call, answered } = c;
      bob.handlers[0]!.rejectOffers = true;
      const refused = next(answered, 'reinvite');
      expect(await call.reinvite()).toBe(488);
      expect((await refused)[0].accepted).toBe(false);
      expect(call.state).toBe('Confirmed');
      expect(answered.state).toBe('Confirmed');
    });

    it('answers a re-INVITE without SDP with an offer and takes the answer from the ACK', async () => {
      c = await connect(protocol);
      const { alice, bob, answered } = c;
      const dialog = c.call.dialogState!;
      const invite = dialog.createRequest('INVITE', { headers: [['Contact', `<${alice.uri}>`]] });
      const targets = await alice.stack.core.sender.resolveTargets(invite);
      const got = next(answered, 'reinvite');
      const tx = alice.stack.core.transactions.sendRequest(invite, targets[0]!);
      await new Promise<void>((resolve) => tx.on('response', (r) => r.status >= 200 && resolve()));
      await got;
      const ok = responsesOf(alice.received, 'INVITE').at(-1)!;
      expect(ok.status).toBe(200);
      expect(ok.body.toString()).toContain('o=bob');
      const ack = dialog.createRequest('ACK', { cseq: invite.cseq.seq, headers: [['Content-Type', 'application/sdp']], body: alice.handlers[0]!.sdp('sendrecv') });
      await alice.stack.core.transactions.sendAck(ack, targets[0]!);
      await until(() => bob.handlers[0]!.answersReceived.length === 1, 2000, 'answer from the ACK');
      expect(answered.state).toBe('Confirmed');
    });

    it('renegotiates with UPDATE (RFC 3311), with and without an offer', async () => {
      c = await connect(protocol);
      const { alice, bob, call, answered } = c;
      alice.handlers[0]!.direction = 'inactive';
      const got = next(answered, 'update');
      expect(await call.update()).toBe(200);
      expect((await got)[0]).toMatchObject({ direction: 'inactive', hold: true, accepted: true });
      expect(alice.handlers[0]!.answersReceived.at(-1)).toContain('a=inactive');
      const plain = next(call, 'update');
      expect(await answered.update({ offer: false })).toBe(200);
      expect((await plain)[0].offer).toBeUndefined();
      const update = requestsOf(bob.sent, 'UPDATE')[0]!;
      expect(update.body.length).toBe(0);
      expect(update.contacts).toHaveLength(1);
    });

    it('delivers INFO to the app and answers what its responder says', async () => {
      c = await connect(protocol, { bob: { session: { infoResponder: (type) => (type === 'application/dtmf-relay' ? 200 : 415) } } });
      const { call, answered } = c;
      const got = next(answered, 'info');
      expect(await call.info('application/dtmf-relay', 'Signal=5\r\nDuration=160\r\n')).toBe(200);
      const [msg] = await got;
      expect(msg.contentType).toBe('application/dtmf-relay');
      expect(msg.body.toString()).toBe('Signal=5\r\nDuration=160\r\n');
      let infos = 0;
      answered.on('info', () => infos++);
      expect(await call.info('text/plain', 'hello')).toBe(415);
      expect(infos).toBe(0);
    });

    it('answers OPTIONS in the dialog with 200', async () => {
      c = await connect(protocol);
      const dialog = c.call.dialogState!;
      const outcome = await c.alice.stack.core.send(dialog.createRequest('OPTIONS'));
      expect(outcome.response.status).toBe(200);
      expect(outcome.response.allow).toContain('UPDATE');
    });

    it('answers 481 to requests for a dialog that does not exist', async () => {
      c = await connect(protocol);
      const dialog = c.call.dialogState!;
      const bye = dialog.createRequest('BYE');
      bye.setHeader('Call-ID', 'no-such-call');
      expect((await c.alice.stack.core.send(bye)).response.status).toBe(481);
      expect(c.answered.state).toBe('Confirmed');
    });

    it('answers 500 to a request whose CSeq is lower than the last one (§12.2.2)', async () => {
      c = await connect(protocol);
      const { alice, call } = c;
      expect(await call.info('application/dtmf-relay', 'Signal=1\r\n')).toBe(200);
      const stale = call.dialogState!.createRequest('INFO', { cseq: 1, headers: [['Content-Type', 'application/dtmf-relay']], body: 'Signal=2\r\n' });
      const outcome = await alice.stack.core.send(stale);
      expect(outcome.response.status).toBe(500);
    });

    it('resolves re-INVITE glare with 491 and a randomized retry (§14.1)', async () => {
      const glareDelayMs = (owner: boolean) => (owner ? 250 : 20);
      c = await connect(protocol, { alice: { session: { glareDelayMs } }, bob: { session: { glareDelayMs } } });
      const { alice, bob, call, answered } = c;
      const [a, b] = await Promise.all([call.reinvite(), answered.reinvite()]);
      expect(a).toBe(200);
      expect(b).toBe(200);
      // The crossing re-INVITEs met a pending one at least on one side (491) and were retried.
      const glared = [...responsesOf(alice.received, 'INVITE'), ...responsesOf(bob.received, 'INVITE')].filter((r) => r.status === 491);
      expect(glared.length).toBeGreaterThanOrEqual(1);
      expect(requestsOf(alice.sent, 'INVITE').length + requestsOf(bob.sent, 'INVITE').length).toBe(3 + glared.length);
      expect(call.state).toBe('Confirmed');
    });

    it('hangs up after the maximum call duration', async () => {
      c = await connect(protocol, { alice: { session: { maxDurationMs: 300 } } });
      const started = Date.now();
      const [[a], [b]] = await Promise.all([next(c.call, 'ended'), next(c.answered, 'ended')]);
      expect(a.reason).toBe('max-duration');
      expect(b.reason).toBe('bye-remote');
      expect(Date.now() - started).toBeGreaterThanOrEqual(250);
    });

    it('refuses in-dialog operations after the session ended', async () => {
      c = await connect(protocol);
      await c.call.bye();
      await expect(c.call.reinvite()).rejects.toMatchObject({ code: 'SIP_ERR_SESSION_ENDED' });
      await expect(c.call.info('text/plain', 'x')).rejects.toMatchObject({ code: 'SIP_ERR_SESSION_ENDED' });
      await c.call.bye();
      c.call.close();
      expect(c.call.endedInfo?.reason).toBe('bye-local');
    });
  });
}

describe('INVITE without SDP', () => {
  let c: Call | undefined;
  afterEach(async () => {
    if (c) await stopParties(c.alice, c.bob);
    c = undefined;
  });

  it('offers in the 200 and takes the answer from the ACK (§13.3.1.4, RFC 3264)', async () => {
    // Establish the two stacks via a normal call, then place a raw INVITE without body from alice.
    c = await connect('udp');
    const { alice, bob } = c;
    const got = next(bob.manager, 'invitation');
    const invite = SipRequest.create({
      method: 'INVITE',
      uri: bob.uri,
      headers: [
        ['Max-Forwards', '70'],
        ['From', '<sip:alice@127.0.0.1>;tag=nosdp'],
        ['To', `<${bob.uri}>`],
        ['Call-ID', 'no-sdp-call'],
        ['CSeq', '1 INVITE'],
        ['Contact', `<${alice.uri}>`],
      ],
    });
    const targets = await alice.stack.core.sender.resolveTargets(invite);
    const tx = alice.stack.core.transactions.sendRequest(invite, targets[0]!);
    const [invitation] = await got;
    expect(invitation.offer).toBeUndefined();
    const accepted = next(invitation, 'accepted');
    await invitation.accept();
    await until(() => responsesOf(alice.received, 'INVITE').some((r) => r.callId === 'no-sdp-call' && r.status === 200), 2000, '200');
    const ok = responsesOf(alice.received, 'INVITE').find((r) => r.callId === 'no-sdp-call' && r.status === 200)!;
    expect(ok.contentType).toBe('application/sdp');
    expect(ok.body.toString()).toContain('o=bob');
    const { Dialog } = await import('../../../src/sip/dialogs/dialog.js');
    const dialog = Dialog.fromUac(tx.request, ok);
    const ack = dialog.createRequest('ACK', { cseq: 1, headers: [['Content-Type', 'application/sdp']], body: alice.handlers[0]!.sdp('sendrecv') });
    await alice.stack.core.transactions.sendAck(ack, targets[0]!);
    await accepted;
    expect(bob.handlers.at(-1)!.answersReceived).toHaveLength(1);
    expect(bob.handlers.at(-1)!.offersMade).toHaveLength(1);
  });
});
