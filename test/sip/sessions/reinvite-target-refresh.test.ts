import { afterEach, describe, expect, it } from 'vitest';
import { peerSdp, rawSipPeer, type RawSipPeer } from '../../calls/raw-sip-peer.js';
import { next, startParty, stopParties, until, type Party } from './session-test-kit.js';

describe('the 2xx to a re-INVITE refreshes the remote target (RFC 3261 §12.2.1.2)', () => {
  let alice: Party | undefined;
  let raw: RawSipPeer | undefined;
  afterEach(async () => {
    await stopParties(alice);
    await raw?.stack.close();
    alice = raw = undefined;
  });

  it('sends the ACK for that 2xx, and later requests, to the new Contact', async () => {
    alice = await startParty({ user: 'alice', protocol: 'udp' });
    raw = await rawSipPeer();
    const peer = raw;
    peer.stack.core.handle('INVITE', (invite, tx) => {
      // The initial INVITE is answered from "pbx", the re-INVITE from "moved" (a new Contact).
      const tag = 'pbx';
      const response = peer.respond(invite, 200, tag, peerSdp(41000));
      if (invite.to.tag !== undefined) response.setHeader('Contact', peer.contact('moved'));
      tx.respond(response);
    });
    const call = alice.manager.invite(peer.uri);
    await next(call, 'accepted');
    await until(() => peer.acks.length === 1, 2000, 'first ACK');
    expect(await call.reinvite()).toBe(200);
    await until(() => peer.acks.length === 2, 2000, 'ACK to the re-INVITE 2xx');
    expect(peer.acks[0]!.uri.toString()).toContain('sip:pbx@');
    expect(peer.acks[1]!.uri.toString()).toContain('sip:moved@');
    await call.bye();
    expect(peer.byes[0]!.uri.toString()).toContain('sip:moved@');
  });
});
