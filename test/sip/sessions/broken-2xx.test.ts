import { afterEach, describe, expect, it } from 'vitest';
import { peerSdp, rawSipPeer, type RawSipPeer } from '../../calls/raw-sip-peer.js';
import { createResponse } from '../../../src/sip/messages/index.js';
import { next, startParty, stopParties, type Party } from './session-test-kit.js';

describe('a broken 2xx to our INVITE does not leave the call hanging', () => {
  let alice: Party | undefined;
  let raw: RawSipPeer | undefined;
  afterEach(async () => {
    await stopParties(alice);
    await raw?.stack.close();
    alice = raw = undefined;
  });

  it('ends the call when the 2xx has no To tag (it cannot make a dialog, §12.1.2)', async () => {
    alice = await startParty({ user: 'alice', protocol: 'udp' });
    raw = await rawSipPeer();
    const peer = raw;
    peer.stack.core.handle('INVITE', (invite, tx) => {
      tx.respond(peer.respond(invite, 180, 'pbx'));
      // createResponse without a toTag copies the request's tagless To.
      tx.respond(createResponse(invite, 200, { headers: [['Contact', peer.contact('pbx')]], body: peerSdp(41000), contentType: 'application/sdp' }));
    });
    const call = alice.manager.invite(peer.uri);
    const [info] = await next(call, 'ended', 2000);
    expect(info).toMatchObject({ reason: 'error', status: 200 });
    expect(alice.manager.sessions).toHaveLength(0);
  });
});
