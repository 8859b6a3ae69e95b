import { afterEach, describe, expect, it } from 'vitest';
import type { Call, CallState } from '../../src/calls/call.js';
import { Phone } from '../../src/calls/phone.js';
import { parseSipUri } from '../../src/sip/messages/index.js';
import { SipStack } from '../../src/sip/sip-stack.js';
import { peerSdp, rawSipPeer, type RawSipPeer } from './raw-sip-peer.js';

const cleanups: Array<() => Promise<void> | void> = [];
afterEach(async () => {
  for (const c of cleanups.splice(0).reverse()) await c();
});

async function door(): Promise<Phone> {
  const stack = await SipStack.start({ listen: [{ protocol: 'udp', address: '127.0.0.1', port: 0 }] });
  const phone = new Phone({
    stack,
    aor: parseSipUri('sip:door@127.0.0.1'),
    media: { address: '127.0.0.1', portRange: { min: 27000, max: 27199 }, codecs: ['PCMU'], dtmfMode: 'auto' },
    session: { reliableProvisionals: false },
  });
  cleanups.push(async () => {
    phone.close();
    await stack.close();
  });
  return phone;
}

async function peer(): Promise<RawSipPeer> {
  const p = await rawSipPeer();
  cleanups.push(() => p.stack.close());
  return p;
}

function stateReached(call: Call, wanted: CallState, ms = 3000): Promise<void> {
  return new Promise((resolve, reject) => {
    if (call.state === wanted) return resolve();
    const t = setTimeout(() => reject(new Error(`call stayed ${call.state}, never ${wanted}`)), ms);
    call.on('state', (s) => {
      if (s !== wanted) return;
      clearTimeout(t);
      resolve();
    });
  });
}

describe('an answer in an unreliable 183 followed by the 2xx (RFC 3261 §13.2.1)', () => {
  it('connects the call and sends media to the address of the dialog\'s first answer', async () => {
    const phone = await door();
    const raw = await peer();
    raw.stack.core.handle('INVITE', (invite, tx) => {
      tx.respond(raw.respond(invite, 183, 'pbx', peerSdp(41000, 1)));
      // The same dialog's 2xx repeats the answer (here with a new o= version, as some PBXs do).
      setTimeout(() => tx.respond(raw.respond(invite, 200, 'pbx', peerSdp(41000, 2))), 50);
    });
    const call = await phone.call(raw.uri);
    await stateReached(call, 'connected');
    expect(call.media.rtp.negotiated?.remoteRtpPort).toBe(41000);
    await call.hangUp();
    expect(raw.acks).toHaveLength(1);
    expect(raw.byes).toHaveLength(1);
  });

  it('follows the winning fork\'s 2xx answer when another fork gave the early media', async () => {
    const phone = await door();
    const raw = await peer();
    raw.stack.core.handle('INVITE', (invite, tx, info) => {
      tx.respond(raw.respond(invite, 183, 'forkA', peerSdp(41000)));
      setTimeout(() => void raw.stack.transport.sendResponse(raw.respond(invite, 200, 'forkB', peerSdp(42000)), info), 50);
    });
    const call = await phone.call(raw.uri);
    await stateReached(call, 'connected');
    expect(call.media.rtp.negotiated?.remoteRtpPort).toBe(42000);
  });

  it('moves the media to the winning fork even when a losing fork answered in a reliable 183 (RFC 3262)', async () => {
    const phone = await door();
    const raw = await peer();
    const pracks: string[] = [];
    raw.stack.core.handle('PRACK', (prack, tx) => {
      pracks.push(prack.getHeader('RAck') ?? '');
      tx.respond(raw.stack.core.response(prack, 200));
    });
    raw.stack.core.handle('INVITE', (invite, tx, info) => {
      tx.respond(raw.respond(invite, 183, 'forkA', peerSdp(41000), [['Require', '100rel'], ['RSeq', '7']]));
      setTimeout(() => void raw.stack.transport.sendResponse(raw.respond(invite, 200, 'forkB', peerSdp(42000)), info), 100);
    });
    const call = await phone.call(raw.uri);
    await stateReached(call, 'connected');
    expect(pracks).toEqual(['7 1 INVITE']);
    expect(call.media.rtp.negotiated?.remoteRtpPort).toBe(42000);
  });

  it('ACKs and then BYEs a 2xx whose answer cannot be used, instead of hanging in ringing (§13.2.2.4)', async () => {
    const phone = await door();
    const raw = await peer();
    raw.stack.core.handle('INVITE', (invite, tx) => {
      tx.respond(raw.respond(invite, 180, 'pbx'));
      tx.respond(raw.respond(invite, 200, 'pbx', 'v=0\r\nthis is not SDP\r\n'));
    });
    const call = await phone.call(raw.uri);
    const ended = new Promise<string>((resolve) => call.on('ended', (info) => resolve(info.reason)));
    expect(await ended).toBe('error');
    await new Promise((r) => setTimeout(r, 200));
    expect(raw.acks).toHaveLength(1);
    expect(raw.byes).toHaveLength(1);
    expect(call.media.rtp.closed).toBe(true);
  });
});
