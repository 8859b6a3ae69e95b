import { afterEach, describe, expect, it } from 'vitest';
import { connect, FixedSdp, stopParties, type Party } from './session-test-kit.js';

/** A handler whose media layer fails (throws) on every offer after the first. */
class FailingSdp extends FixedSdp {
  offersSeen = 0;
  override receiveOffer(sdp: string): { answer: string } | { reject: 488 } {
    if (++this.offersSeen > 1) throw new Error('media layer failed');
    return super.receiveOffer(sdp);
  }
}

describe('a media layer that throws on a renegotiation', () => {
  let parties: Party[] = [];
  afterEach(async () => {
    await stopParties(...parties);
    parties = [];
  });

  it('answers the re-INVITE 488 and keeps the call (no unanswered transaction, no unhandled rejection)', async () => {
    const { alice, bob, call, answered } = await connect('udp', { bob: { handler: (user, port) => new FailingSdp(user, port) } });
    parties = [alice, bob];
    expect(await call.reinvite()).toBe(488);
    expect(call.state).toBe('Confirmed');
    expect(answered.state).toBe('Confirmed');
  });

  it('answers an UPDATE with an offer 488', async () => {
    const { alice, bob, call } = await connect('udp', { bob: { handler: (user, port) => new FailingSdp(user, port) } });
    parties = [alice, bob];
    expect(await call.update()).toBe(488);
    expect(call.state).toBe('Confirmed');
  });
});
