import { afterEach, describe, expect, it } from 'vitest';
import { buildRawInvite, peerSdp, rawRequest, rawSipPeer, type RawSipPeer } from '../../calls/raw-sip-peer.js';
import type { SipRequest, SipResponse } from '../../../src/sip/messages/index.js';
import { next, startParty, stopParties, type Party } from './session-test-kit.js';

describe('requests inside early dialogs (RFC 3311 §5.1, RFC 6086)', () => {
  let portier: Party | undefined;
  let raw: RawSipPeer | undefined;
  afterEach(async () => {
    await stopParties(portier);
    await raw?.stack.close();
    portier = raw = undefined;
  });

  it('as caller: takes INFO and an UPDATE without offer from the callee before the 2xx, and 491s an UPDATE offer crossing ours', async () => {
    portier = await startParty({ user: 'alice', protocol: 'udp' });
    raw = await rawSipPeer();
    const peer = raw;
    let invite: SipRequest | undefined;
    peer.stack.core.handle('INVITE', (request, tx) => {
      invite = request;
      tx.respond(peer.respond(request, 180, 'pbx'));
    });
    const call = portier.manager.invite(peer.uri);
    await next(call, 'progress');
    const port = portier.stack.transport.listeningPoints[0]!.port;
    const dialog = { callId: invite!.callId, fromTag: 'pbx', toTag: invite!.from.tag!, remotePort: port, remoteUri: invite!.contacts[0]!.uri.toString() };
    const info = next(call, 'info');
    const infoResponse = await rawRequest(peer, dialog, 'INFO', 1, { body: 'Signal=5\r\nDuration=160\r\n', contentType: 'application/dtmf-relay' });
    expect(infoResponse.status).toBe(200);
    expect(infoResponse.to.tag).toBe(invite!.from.tag);
    expect((await info)[0].body.toString()).toContain('Signal=5');
    expect((await rawRequest(peer, dialog, 'UPDATE', 2)).status).toBe(200);
    // Our INVITE's offer has no reliable answer in this dialog yet.
    expect((await rawRequest(peer, dialog, 'UPDATE', 3, { body: peerSdp(41000) })).status).toBe(491);
    expect(call.state).toBe('Early');
  });

  it('as callee: answers an UPDATE offer 500 with Retry-After while the INVITE\'s offer is unanswered', async () => {
    portier = await startParty({ user: 'bob', protocol: 'udp' });
    raw = await rawSipPeer();
    const peer = raw;
    const invitation = next(portier.manager, 'invitation');
    const port = portier.stack.transport.listeningPoints[0]!.port;
    const invite = buildRawInvite(peer, port, peerSdp(41000));
    const ringing = new Promise<SipResponse>((resolve) =>
      peer.stack.core.transactions.sendRequest(invite, { protocol: 'udp', address: '127.0.0.1', port }).on('response', (r: SipResponse) => r.status === 180 && resolve(r)),
    );
    const [session] = await invitation;
    await session.ring();
    const ring = await ringing;
    const dialog = { callId: invite.callId, fromTag: 'rawtag', toTag: ring.to.tag!, remotePort: port, remoteUri: ring.contacts[0]!.uri.toString() };
    const response = await rawRequest(peer, dialog, 'UPDATE', 2, { body: peerSdp(42000) });
    expect(response.status).toBe(500);
    expect(Number(response.getHeader('Retry-After'))).toBeLessThanOrEqual(10);
    expect(portier.handlers[0]!.offersReceived).toHaveLength(0);
    expect(session.state).toBe('Early');
  });
});
