import { createResponse, parseUri, SipRequest, type SipResponse } from '../../src/sip/messages/index.js';
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

/** A dialog the raw peer opened as UAC, for hand-made in-dialog requests. */
export interface RawUacDialog {
  callId: string;
  fromTag: string;
  toTag: string;
  /** The callee's Contact port on loopback. */
  remotePort: number;
  remoteUri: string;
}

/**
 * Sends a hand-made INVITE (with `sdp`, or none) from the raw peer to `port` on loopback and
 * resolves with its 2xx; the test ACKs it with `rawAck`.
 */
export function rawInvite(peer: RawSipPeer, port: number, sdp?: string): Promise<{ dialog: RawUacDialog; response: SipResponse }> {
  const invite = buildRawInvite(peer, port, sdp);
  const callId = invite.callId;
  const target = invite.uri.toString();
  return new Promise((resolve, reject) => {
    const tx = peer.stack.core.transactions.sendRequest(invite, { protocol: 'udp', address: '127.0.0.1', port });
    tx.on('response', (response) => {
      if (response.status < 200) return;
      if (response.status >= 300) return reject(new Error(`INVITE answered ${response.status}`));
      resolve({ dialog: { callId, fromTag: 'rawtag', toTag: response.to.tag!, remotePort: port, remoteUri: target }, response });
    });
    tx.on('timeout', () => reject(new Error('INVITE timed out')));
  });
}

/** A hand-made initial INVITE from the raw peer to `sip:door@127.0.0.1:<port>`. */
export function buildRawInvite(peer: RawSipPeer, port: number, sdp?: string): SipRequest {
  const callId = `raw-${Math.random().toString(36).slice(2)}`;
  const target = `sip:door@127.0.0.1:${port}`;
  return SipRequest.create({
    method: 'INVITE',
    uri: parseUri(target),
    headers: [
      ['Max-Forwards', '70'],
      ['From', `<sip:raw@127.0.0.1:${peer.port}>;tag=rawtag`],
      ['To', `<${target}>`],
      ['Call-ID', callId],
      ['CSeq', '1 INVITE'],
      ['Contact', peer.contact('raw')],
      ...(sdp !== undefined ? ([['Content-Type', 'application/sdp']] as Array<[string, string]>) : []),
    ],
    ...(sdp !== undefined ? { body: sdp } : {}),
  });
}

/** A hand-made in-dialog request of the raw peer (ACK, re-INVITE, INFO…) with CSeq `seq`. */
export function rawInDialog(peer: RawSipPeer, dialog: RawUacDialog, method: string, seq: number, init: { body?: string; contentType?: string } = {}): SipRequest {
  return SipRequest.create({
    method,
    uri: parseUri(dialog.remoteUri),
    headers: [
      ['Max-Forwards', '70'],
      ['From', `<sip:raw@127.0.0.1:${peer.port}>;tag=${dialog.fromTag}`],
      ['To', `<${dialog.remoteUri}>;tag=${dialog.toTag}`],
      ['Call-ID', dialog.callId],
      ['CSeq', `${seq} ${method}`],
      ['Contact', peer.contact('raw')],
      ...(init.body !== undefined ? ([['Content-Type', init.contentType ?? 'application/sdp']] as Array<[string, string]>) : []),
    ],
    ...(init.body !== undefined ? { body: init.body } : {}),
  });
}

/** Sends an ACK of the raw peer's dialog. */
export function rawAck(peer: RawSipPeer, dialog: RawUacDialog, seq: number, body?: string): Promise<void> {
  return peer.stack.core.transactions.sendAck(rawInDialog(peer, dialog, 'ACK', seq, body !== undefined ? { body } : {}), { protocol: 'udp', address: '127.0.0.1', port: dialog.remotePort });
}

/** Sends a non-ACK in-dialog request of the raw peer and resolves with its final response. */
export function rawRequest(peer: RawSipPeer, dialog: RawUacDialog, method: string, seq: number, init: { body?: string; contentType?: string } = {}): Promise<SipResponse> {
  const request = rawInDialog(peer, dialog, method, seq, init);
  return new Promise((resolve, reject) => {
    const tx = peer.stack.core.transactions.sendRequest(request, { protocol: 'udp', address: '127.0.0.1', port: dialog.remotePort });
    tx.on('response', (response) => {
      if (response.status >= 200) resolve(response);
    });
    tx.on('timeout', () => reject(new Error(`${method} timed out`)));
  });
}
