import { afterEach, describe, expect, it } from 'vitest';
import { next, requestsOf, responsesOf, startParty, stopParties, until, type Party } from './session-test-kit.js';

describe('accept() right after a reliable 183 with SDP (RFC 3262 §3)', () => {
  let alice: Party | undefined;
  let bob: Party | undefined;
  afterEach(async () => {
    await stopParties(alice, bob);
    alice = bob = undefined;
  });

  it('sends the 2xx only once the 183 carrying the answer is PRACKed', async () => {
    alice = await startParty({ user: 'alice', protocol: 'udp' });
    bob = await startParty({ user: 'bob', protocol: 'udp' });
    const incoming = next(bob.manager, 'invitation');
    const call = alice.manager.invite(bob.uri);
    const [invitation] = await incoming;
    const up = next(call, 'accepted');
    // The app does not wait for ring(): the 200 must still not overtake the PRACK.
    void invitation.ring({ reliable: true, earlyMedia: true });
    await invitation.accept();
    expect(requestsOf(bob.received, 'PRACK')).toHaveLength(1);
    await up;
    expect(call.state).toBe('Confirmed');
  });

  it('does not wait for a PRACK of a reliable 180 without SDP, and still answers that PRACK 200', async () => {
    alice = await startParty({ user: 'alice', protocol: 'udp' });
    bob = await startParty({ user: 'bob', protocol: 'udp' });
    const incoming = next(bob.manager, 'invitation');
    const call = alice.manager.invite(bob.uri);
    const [invitation] = await incoming;
    const up = next(call, 'accepted');
    void invitation.ring({ reliable: true });
    await invitation.accept();
    expect(requestsOf(bob.received, 'PRACK')).toHaveLength(0);
    await up;
    // "it MUST be prepared to process PRACK requests for those outstanding responses" (RFC 3262 §3).
    await until(() => responsesOf(alice!.received, 'PRACK').length === 1, 2000, 'answer to the PRACK');
    expect(responsesOf(alice.received, 'PRACK')[0]!.status).toBe(200);
  });
});
