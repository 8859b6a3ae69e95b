import { afterEach, describe, expect, it } from 'vitest';
import type { Call } from '../../src/calls/call.js';
import { Phone } from '../../src/calls/phone.js';
import { parseSipUri } from '../../src/sip/messages/index.js';
import { SipStack } from '../../src/sip/sip-stack.js';
import { peerSdp, rawAck, rawInvite, rawRequest, rawSipPeer } from './raw-sip-peer.js';

const cleanups: Array<() => Promise<void> | void> = [];
afterEach(async () => {
  for (const c of cleanups.splice(0).reverse()) await c();
});

async function setup() {
  const stack = await SipStack.start({ listen: [{ protocol: 'udp', address: '127.0.0.1', port: 0 }] });
  const phone = new Phone({
    stack,
    aor: parseSipUri('sip:door@127.0.0.1'),
    media: { address: '127.0.0.1', portRange: { min: 27400, max: 27599 }, codecs: ['PCMU'], dtmfMode: 'auto' },
  });
  const raw = await rawSipPeer();
  cleanups.push(async () => {
    phone.close();
    await stack.close();
    await raw.stack.close();
  });
  const calls: Call[] = [];
  phone.on('incoming', (call, session) => {
    calls.push(call);
    void session.accept();
  });
  return { phone, raw, calls, port: stack.transport.listeningPoints[0]!.port };
}

describe('an incoming call whose peer answers our offer with SDP we cannot use', () => {
  it('ends with BYE when the ACK to our offer in the 2xx carries an unusable answer (INVITE without SDP)', async () => {
    const { raw, calls, port } = await setup();
    const { dialog, response } = await rawInvite(raw, port);
    expect(response.body.toString()).toContain('m=audio');
    const call = calls[0]!;
    const ended = new Promise<string>((resolve) => call.on('ended', (info) => resolve(info.reason)));
    await rawAck(raw, dialog, 1, 'v=0\r\nnot an answer\r\n');
    expect(await ended).toBe('error');
    await new Promise((r) => setTimeout(r, 100));
    expect(raw.byes).toHaveLength(1);
    expect(call.media.rtp.closed).toBe(true);
  });

  it('ends with BYE when the ACK to our offer in a 2xx to a re-INVITE without SDP is unusable', async () => {
    const { raw, calls, port } = await setup();
    const { dialog } = await rawInvite(raw, port, peerSdp(41000));
    await rawAck(raw, dialog, 1);
    const call = calls[0]!;
    await new Promise<void>((resolve) => (call.state === 'connected' ? resolve() : call.on('state', (s) => s === 'connected' && resolve())));
    const ended = new Promise<string>((resolve) => call.on('ended', (info) => resolve(info.reason)));
    const ok = await rawRequest(raw, dialog, 'INVITE', 2);
    expect(ok.status).toBe(200);
    await rawAck(raw, dialog, 2, 'v=0\r\nnot an answer\r\n');
    expect(await ended).toBe('error');
    await new Promise((r) => setTimeout(r, 100));
    expect(raw.byes).toHaveLength(1);
  });
});
