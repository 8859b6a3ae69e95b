import { afterEach, describe, expect, it, vi } from 'vitest';
import { CallMedia } from '../../src/calls/call-media.js';
import { Phone } from '../../src/calls/phone.js';
import { parseSipUri, type SipResponse } from '../../src/sip/messages/index.js';
import { SipStack } from '../../src/sip/sip-stack.js';
import { createCancel } from '../../src/sip/transactions/cancel-request.js';
import { buildRawInvite, peerSdp, rawSipPeer } from './raw-sip-peer.js';

const cleanups: Array<() => Promise<void> | void> = [];
afterEach(async () => {
  for (const c of cleanups.splice(0).reverse()) await c();
});

/** A phone with room for exactly one call's RTP/RTCP pair: a leaked pair makes the next call fail. */
async function onePairPhone(min: number) {
  const stack = await SipStack.start({ listen: [{ protocol: 'udp', address: '127.0.0.1', port: 0 }] });
  const phone = new Phone({
    stack,
    aor: parseSipUri('sip:door@127.0.0.1'),
    media: { address: '127.0.0.1', portRange: { min, max: min + 1 }, codecs: ['PCMU'], dtmfMode: 'auto' },
  });
  const raw = await rawSipPeer();
  cleanups.push(async () => {
    phone.close();
    await stack.close();
    await raw.stack.close();
  });
  return { phone, raw, port: stack.transport.listeningPoints[0]!.port };
}

describe('Phone: RTP ports are released on every ending path', () => {
  it('a call cancelled while its media opens is not announced and frees its ports', async () => {
    const { phone, raw, port } = await onePairPhone(27600);
    // Binding the ports takes a while (a busy board): long enough for the CANCEL to arrive meanwhile.
    const open = CallMedia.prototype.open;
    const slowOpen = vi.spyOn(CallMedia.prototype, 'open').mockImplementation(async function (this: CallMedia) {
      await new Promise((r) => setTimeout(r, 100));
      return open.call(this);
    });
    cleanups.push(() => slowOpen.mockRestore());
    const announced: string[] = [];
    phone.on('incoming', (call, session) => {
      announced.push(call.state);
      void session.accept();
    });
    const target = { protocol: 'udp' as const, address: '127.0.0.1', port };
    const first = buildRawInvite(raw, port, peerSdp(41000));
    const finals: number[] = [];
    raw.stack.core.transactions.sendRequest(first, target).on('response', (r: SipResponse) => r.status >= 200 && finals.push(r.status));
    // The CANCEL right behind the INVITE.
    raw.stack.core.transactions.sendRequest(createCancel(first), target);
    await new Promise((r) => setTimeout(r, 300));
    expect(finals).toEqual([487]);
    expect(announced).toEqual([]);
    expect(phone.activeCalls).toHaveLength(0);

    slowOpen.mockRestore();
    // The only port pair is free again: the next call gets media and is answered 200.
    const second = buildRawInvite(raw, port, peerSdp(41000));
    const status = await new Promise<number>((resolve) =>
      raw.stack.core.transactions.sendRequest(second, target).on('response', (r: SipResponse) => r.status >= 200 && resolve(r.status)),
    );
    expect(status).toBe(200);
  });

  it('a call to a target that cannot be parsed releases the media it opened', async () => {
    const { phone } = await onePairPhone(27610);
    await expect(phone.call('not a sip uri')).rejects.toThrow();
    const stack = await SipStack.start({ listen: [{ protocol: 'udp', address: '127.0.0.1', port: 0 }] });
    cleanups.push(() => stack.close());
    // Media for the next call can still bind the range's only pair.
    const call = await phone.call(`sip:nobody@127.0.0.1:${stack.transport.listeningPoints[0]!.port}`);
    expect(call.media.rtp.closed).toBe(false);
    await call.hangUp();
  });
});
