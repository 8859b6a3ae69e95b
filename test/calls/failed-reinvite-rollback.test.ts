import { afterEach, describe, expect, it } from 'vitest';
import type { Call } from '../../src/calls/call.js';
import { Phone } from '../../src/calls/phone.js';
import { parseSipUri, type SipRequest } from '../../src/sip/messages/index.js';
import { SipStack } from '../../src/sip/sip-stack.js';
import { peerSdp, rawSipPeer, type RawSipPeer } from './raw-sip-peer.js';

const cleanups: Array<() => Promise<void> | void> = [];
afterEach(async () => {
  for (const c of cleanups.splice(0).reverse()) await c();
});

/** The door calls a raw peer that answers the INVITE and then each re-INVITE with the next status of `reinviteStatuses`. */
async function connected(reinviteStatuses: number[]): Promise<{ call: Call; raw: RawSipPeer; reinvites: SipRequest[] }> {
  const stack = await SipStack.start({ listen: [{ protocol: 'udp', address: '127.0.0.1', port: 0 }] });
  const phone = new Phone({
    stack,
    aor: parseSipUri('sip:door@127.0.0.1'),
    media: { address: '127.0.0.1', portRange: { min: 27200, max: 27399 }, codecs: ['PCMU'], dtmfMode: 'auto' },
    session: { glareDelayMs: () => 20 },
  });
  const raw = await rawSipPeer();
  cleanups.push(async () => {
    phone.close();
    await stack.close();
    await raw.stack.close();
  });
  const reinvites: SipRequest[] = [];
  let version = 1;
  raw.stack.core.handle('INVITE', (invite, tx) => {
    if (invite.to.tag === undefined) {
      tx.respond(raw.respond(invite, 200, 'pbx', peerSdp(41000, version++)));
      return;
    }
    reinvites.push(invite);
    const status = reinviteStatuses.shift() ?? 200;
    tx.respond(raw.respond(invite, status, 'pbx', status === 200 ? peerSdp(41000, version++) : undefined));
  });
  const call = await phone.call(raw.uri);
  await new Promise<void>((resolve) => call.on('state', (s) => s === 'connected' && resolve()));
  return { call, raw, reinvites };
}

describe('a re-INVITE that fails leaves the session as it was (RFC 3261 §14.1)', () => {
  it('lets the next re-INVITE offer again after a 488', async () => {
    const { call, reinvites } = await connected([488]);
    expect(await call.session.reinvite()).toBe(488);
    expect(await call.session.reinvite()).toBe(200);
    expect(reinvites).toHaveLength(2);
    expect(call.state).toBe('connected');
  });

  it('retries a re-INVITE answered 491 with a new offer, and the call stays up', async () => {
    const { call, reinvites, raw } = await connected([491]);
    expect(await call.session.reinvite()).toBe(200);
    expect(reinvites).toHaveLength(2);
    // Each offer raises the o= version (RFC 3264 §8).
    const version = (r: SipRequest) => Number(/^o=\S+ \S+ (\d+)/m.exec(r.body.toString())?.[1]);
    expect(version(reinvites[1]!)).toBeGreaterThan(version(reinvites[0]!));
    expect(call.state).toBe('connected');
    expect(raw.byes).toHaveLength(0);
  });
});
