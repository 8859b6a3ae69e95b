import { afterEach, describe, expect, it } from 'vitest';
import type { Call } from '../../src/calls/call.js';
import type { DtmfPress } from '../../src/calls/dtmf-press.js';
import { Phone } from '../../src/calls/phone.js';
import { steadyTone, ToneSource } from '../../src/media/audio/tone-source.js';
import { parseSipUri } from '../../src/sip/messages/index.js';
import { SipStack } from '../../src/sip/sip-stack.js';
import { dominantFrequency } from '../support/tone-analysis.js';
import { MemorySink } from './memory-sink.js';

const cleanups: Array<() => Promise<void> | void> = [];
afterEach(async () => {
  for (const c of cleanups.splice(0).reverse()) await c();
});

async function phone(user: string, toneHz: number, dtmfMode: 'auto' | 'info' | 'rfc4733' | 'inband' = 'auto') {
  const stack = await SipStack.start({ listen: [{ protocol: 'udp', address: '127.0.0.1', port: 0 }] });
  const source = new ToneSource(steadyTone(toneHz));
  const sink = new MemorySink();
  const p = new Phone({
    stack,
    aor: parseSipUri(`sip:${user}@127.0.0.1`),
    media: { address: '127.0.0.1', portRange: { min: 26500, max: 26999 }, codecs: ['PCMU', 'PCMA'], dtmfMode },
    audio: { source, sink },
  });
  source.start();
  cleanups.push(async () => {
    p.close();
    await source.close();
    await stack.close();
  });
  return { stack, phone: p, sink, uri: `sip:${user}@127.0.0.1:${stack.transport.listeningPoints[0]!.port}` };
}

function waitFor<T>(fn: (resolve: (v: T) => void) => void, ms = 5000): Promise<T> {
  return new Promise((resolve, reject) => {
    const t = setTimeout(() => reject(new Error('timed out')), ms);
    fn((v) => {
      clearTimeout(t);
      resolve(v);
    });
  });
}

async function connect(dtmfMode: 'auto' | 'info' = 'auto') {
  const door = await phone('door', 1000, dtmfMode);
  const flat = await phone('flat', 440, dtmfMode);
  const incoming = waitFor<Call>((resolve) =>
    flat.phone.on('incoming', (call, session) => {
      void session.ring().then(() => session.accept());
      resolve(call);
    }),
  );
  const call = await door.phone.call(flat.uri);
  const answered = await incoming;
  await waitFor<void>((resolve) => (call.state === 'connected' ? resolve() : call.on('state', (s) => s === 'connected' && resolve())));
  return { door, flat, call, answered };
}

describe('Phone: two Portier phones on loopback', () => {
  it('places a call, carries audio both ways, and hangs up', async () => {
    const { door, flat, call, answered } = await connect();
    await new Promise((r) => setTimeout(r, 600));
    // Each side hears the other's tone: 1 kHz at the flat, 440 Hz at the door.
    expect(Math.abs(dominantFrequency(flat.sink.tail(10)) - 1000)).toBeLessThan(5);
    expect(Math.abs(dominantFrequency(door.sink.tail(10)) - 440)).toBeLessThan(5);
    expect(call.stats!.packetsSent).toBeGreaterThan(15);
    const ended = waitFor<string>((resolve) => answered.on('ended', (info) => resolve(info.reason)));
    await call.hangUp();
    expect(await ended).toBe('bye-remote');
    expect(call.state).toBe('ended');
  });

  it('reports DTMF from RFC 4733 once per key, in order', async () => {
    const { call, answered } = await connect();
    const presses: DtmfPress[] = [];
    call.on('dtmf', (p) => presses.push(p));
    await answered.sendDtmf('1234#');
    await waitFor<void>((resolve) => {
      const check = () => presses.length >= 5 && resolve();
      call.on('dtmf', check);
    }, 8000);
    await new Promise((r) => setTimeout(r, 300));
    expect(presses.map((p) => p.digit).join('')).toBe('1234#');
    expect(new Set(presses.map((p) => p.source))).toEqual(new Set(['rfc4733']));
  });

  it('sends and receives DTMF as SIP INFO when the mode says info', async () => {
    const { call, answered } = await connect('info');
    const presses: DtmfPress[] = [];
    call.on('dtmf', (p) => presses.push(p));
    await answered.sendDtmf('9*');
    await new Promise((r) => setTimeout(r, 300));
    expect(presses.map((p) => `${p.digit}/${p.source}`)).toEqual(['9/info', '*/info']);
  });
});
