import { createHash } from 'node:crypto';
import { afterEach, describe, expect, it } from 'vitest';
import { createResponse, type SipRequest } from '../../../src/sip/messages/index.js';
import { SipStack } from '../../../src/sip/sip-stack.js';
import { next, requestsOf, startParty, stopParties, until, type Party } from './session-test-kit.js';

const md5 = (s: string) => createHash('md5').update(s).digest('hex');
const SDP = 'v=0\r\no=proxy 1 1 IN IP4 127.0.0.1\r\ns=-\r\nc=IN IP4 127.0.0.1\r\nt=0 0\r\nm=audio 41000 RTP/AVP 0\r\n';

describe('outgoing INVITE with proxy authentication', () => {
  let alice: Party | undefined;
  let proxy: SipStack | undefined;
  afterEach(async () => {
    await stopParties(alice);
    await proxy?.close();
    alice = proxy = undefined;
  });

  async function challenger(password: string) {
    proxy = await SipStack.start({ listen: [{ protocol: 'udp', address: '127.0.0.1', port: 0 }] });
    const port = proxy.transport.listeningPoints[0]!.port;
    const stack = proxy;
    const acks: SipRequest[] = [];
    stack.core.on('ack', (a) => acks.push(a));
    stack.core.handle('INVITE', (invite, tx) => {
      const auth = invite.getHeader('Proxy-Authorization');
      if (!auth) {
        tx.respond(createResponse(invite, 407, { toTag: 'p', headers: [['Proxy-Authenticate', 'Digest realm="test", nonce="n0nce", qop="auth", algorithm=MD5']] }));
        return;
      }
      const f = (k: string) => new RegExp(`${k}="?([^",]+)"?`).exec(auth)?.[1] ?? '';
      const ha1 = md5(`${f('username')}:test:${password}`);
      const ha2 = md5(`INVITE:${f('uri')}`);
      const expected = md5(`${ha1}:${f('nonce')}:${f('nc')}:${f('cnonce')}:auth:${ha2}`);
      if (f('response') !== expected) {
        tx.respond(createResponse(invite, 407, { toTag: 'p', headers: [['Proxy-Authenticate', 'Digest realm="test", nonce="n0nce2", qop="auth"']] }));
        return;
      }
      tx.respond(createResponse(invite, 200, { toTag: 'ok', headers: [['Contact', `<sip:bob@127.0.0.1:${port}>`]], body: SDP, contentType: 'application/sdp' }));
    });
    return { uri: `sip:bob@127.0.0.1:${port}`, acks };
  }

  it('answers 407 with credentials: new CSeq, same Call-ID and From tag; the ACK carries them too', async () => {
    const peer = await challenger('secret');
    alice = await startParty({ user: 'alice', protocol: 'udp', credentials: { username: 'alice', password: 'secret' } });
    const call = alice.manager.invite(peer.uri);
    await next(call, 'accepted');
    const invites = requestsOf(alice.sent, 'INVITE');
    expect(invites).toHaveLength(2);
    expect(invites[1]!.cseq.seq).toBe(invites[0]!.cseq.seq + 1);
    expect(invites[1]!.callId).toBe(invites[0]!.callId);
    expect(invites[1]!.from.tag).toBe(invites[0]!.from.tag);
    expect(invites[1]!.topVia?.branch).not.toBe(invites[0]!.topVia?.branch);
    await until(() => peer.acks.length === 1, 2000, 'ACK');
    expect(peer.acks[0]!.getHeader('Proxy-Authorization')).toBe(invites[1]!.getHeader('Proxy-Authorization'));
    expect(peer.acks[0]!.cseq).toEqual({ seq: 2, method: 'ACK' });
  });

  it('reports a rejected password as rejected 407 without looping', async () => {
    const peer = await challenger('secret');
    alice = await startParty({ user: 'alice', protocol: 'udp', credentials: { username: 'alice', password: 'wrong' } });
    const call = alice.manager.invite(peer.uri);
    expect((await next(call, 'ended'))[0]).toMatchObject({ reason: 'rejected', status: 407 });
    expect(requestsOf(alice.sent, 'INVITE')).toHaveLength(2);
  });

  it('reports 407 as rejected when it has no credentials', async () => {
    const peer = await challenger('secret');
    alice = await startParty({ user: 'alice', protocol: 'udp' });
    const call = alice.manager.invite(peer.uri);
    expect((await next(call, 'ended'))[0]).toEqual({ reason: 'rejected', status: 407 });
  });
});
