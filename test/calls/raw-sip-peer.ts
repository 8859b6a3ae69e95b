import { createResponse, type SipRequest, type SipResponse } from '../../src/sip/messages/index.js';
import { SipStack } from '../../src/sip/sip-stack.js';

/** A valid PCMU answer/offer from a peer whose RTP port nobody listens on. */
export function peerSdp(port: number, version = 1, extra: string[] = []): string {
  return ['v=0', `o=raw 1 ${version} IN IP4 127.0.0.1`, 's=-', 'c=IN IP4 127.0.0.1', 't=0 0', `m=audio ${port} RTP/AVP 0 101`, 'a=rtpmap:0 PCMU/8000', 'a=rtpmap:101 telephone-event/8000', ...extra, ''].join('\r\n');
}

/** A hand-driven SIP peer on a bare stack (loopback UDP): the test decides every response. */
export async function rawSipPeer() {
  const stack = await SipStack.start({ listen: [{ protocol: 'udp', address: '127.0.0.1', port: 0 }] });
  const port = stack.transport.listeningPoints[0]!.port;
  const contact = (user: string) => `<sip:${user}@127.0.0.1:${port}>`;
  const acks: SipRequest[] = [];
  const byes: SipRequest[] = [];
  stack.core.on('ack', (ack) => acks.push(ack));
  stack.core.handle('BYE', (request, tx) => {
    byes.push(request);
    tx.respond(stack.core.response(request, 200));
  });
  const respond = (invite: SipRequest, status: number, tag: string, sdp?: string, headers: Array<[string, string]> = []): SipResponse =>
    createResponse(invite, status, {
      toTag: tag,
      headers: [['Contact', contact(tag)], ...headers],
      ...(sdp !== undefined ? { body: sdp, contentType: 'application/sdp' } : {}),
    });
  return { stack, port, uri: `sip:raw@127.0.0.1:${port}`, acks, byes, respond, contact };
}

export type RawSipPeer = Awaited<ReturnType<typeof rawSipPeer>>;
