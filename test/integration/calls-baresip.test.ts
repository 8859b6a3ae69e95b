import { setTimeout as delay } from 'node:timers/promises';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import type { Call } from '../../src/calls/call.js';
import { steadyTone, ToneSource } from '../../src/media/audio/tone-source.js';
import { baresipUnavailableReason, startBaresip, type BaresipInstance, type BaresipOptions } from './support/baresip.js';
import { expectTone } from './support/tone-expectations.js';
import { startKamailio, type KamailioInstance } from './support/kamailio.js';
import { FrameRecorderSink } from './support/frame-recorder-sink.js';
import { callEnds, callReaches, registeredPhone, type RegisteredPhone } from './support/portier-phone.js';

// Ports: Kamailio 35400, baresip SIP 36400 / ctrl 36450, RTP Portier 27000–27099, baresip 27100–27199.
const KAMAILIO_UDP = 35400;
const USERS = { door: { username: 'door', password: 'door-pw' }, flat: { username: 'flat', password: 'flat-pw' } };

const unavailable = baresipUnavailableReason();
if (unavailable) console.warn(`skipping baresip call tests: ${unavailable}`);

describe.skipIf(unavailable !== undefined)('Portier calls baresip 1.0.0 through Kamailio', () => {
  let kamailio: KamailioInstance;
  const cleanups: Array<() => Promise<void> | void> = [];

  beforeAll(async () => {
    kamailio = await startKamailio({ udpPort: KAMAILIO_UDP, users: [USERS.door, USERS.flat] });
  });
  afterAll(async () => {
    await kamailio?.stop();
  });
  afterEach(async () => {
    for (const c of cleanups.splice(0).reverse()) await c();
  });

  async function flat(options: Partial<BaresipOptions> = {}): Promise<BaresipInstance> {
    const baresip = await startBaresip({
      sipPort: 36400,
      ctrlPort: 36450,
      rtpPorts: { min: 27100, max: 27199 },
      user: 'flat',
      domain: kamailio.domain,
      password: USERS.flat.password,
      outboundProxy: kamailio.proxyUri('udp'),
      answerMode: 'auto',
      source: { sineHz: 440 },
      ...options,
    });
    cleanups.push(() => baresip.stop());
    await baresip.waitRegistered();
    return baresip;
  }

  async function door(): Promise<RegisteredPhone & { source: ToneSource; sink: FrameRecorderSink }> {
    const source = new ToneSource(steadyTone(1000));
    const sink = new FrameRecorderSink();
    source.start();
    const phone = await registeredPhone({ kamailio, ...USERS.door, rtpPorts: { min: 27000, max: 27099 }, audio: { source, sink } });
    cleanups.push(async () => {
      await phone.close();
      await source.close();
    });
    return { ...phone, source, sink };
  }

  function failureContext(baresip: BaresipInstance): string {
    return `\n--- baresip ---\n${baresip.logs().slice(-4000)}\n--- kamailio ---\n${kamailio.logs().slice(-3000)}`;
  }

  async function connectedCall(): Promise<{ baresip: BaresipInstance; portier: Awaited<ReturnType<typeof door>>; call: Call }> {
    const baresip = await flat();
    const portier = await door();
    const call = await portier.phone.call(kamailio.aor('flat'));
    try {
      await callReaches(call, 'connected');
      await baresip.waitForEvent('CALL_ESTABLISHED');
    } catch (error) {
      throw new Error(`${String(error)}${failureContext(baresip)}`);
    }
    return { baresip, portier, call };
  }

  it('carries 1 kHz to baresip and 440 Hz back, and Portier hangs up (baresip sees the BYE)', async () => {
    const { baresip, portier, call } = await connectedCall();
    // Kamailio challenged the INVITE (407); Portier re-sent it with Proxy-Authorization.
    expect(portier.statuses).toContain(407);
    const invites = portier.sent.filter((r) => r.method === 'INVITE');
    expect(invites).toHaveLength(2);
    expect(invites[1]!.hasHeader('Proxy-Authorization')).toBe(true);
    await delay(2000);
    const ended = callEnds(call);
    await call.hangUp();
    expect((await ended).reason).toBe('bye-local');
    const closed = await baresip.waitForEvent('CALL_CLOSED');
    // baresip reports a remote BYE as "Connection reset by peer".
    expect(closed.param).toMatch(/reset by peer/i);
    // What Portier heard: baresip's 440 Hz sine, through PCMU.
    expectTone(portier.sink.samples(-60, -5), 440, 'Portier heard');
    // What baresip heard (its decoder's output, dumped by the sndfile filter): Portier's 1 kHz.
    expectTone(baresip.recording('heard'), 1000, 'baresip heard');
    expect(call.stats!.packetsReceived).toBeGreaterThan(80);
  });

  it('ends with bye-remote when baresip hangs up', async () => {
    const { baresip, call } = await connectedCall();
    await delay(500);
    const ended = callEnds(call);
    const answer = await baresip.command('hangup');
    expect(answer.ok).toBe(true);
    expect((await ended).reason).toBe('bye-remote');
    expect(call.state).toBe('ended');
    await baresip.waitForEvent('CALL_CLOSED');
  });

  it('cancels while baresip rings: baresip stops ringing, the call ends cancelled with 487', async () => {
    const baresip = await flat({ answerMode: 'manual' });
    const portier = await door();
    const call = await portier.phone.call(kamailio.aor('flat'));
    await baresip.waitForEvent('CALL_INCOMING');
    await callReaches(call, 'ringing');
    const ended = callEnds(call);
    await call.hangUp();
    const info = await ended;
    expect(info.reason).toBe('cancelled');
    expect(info.status).toBe(487);
    const closed = await baresip.waitForEvent('CALL_CLOSED');
    expect(closed.direction).toBe('incoming');
    // Nothing was answered: baresip never established a call.
    expect(baresip.events().some((e) => e.type === 'CALL_ESTABLISHED')).toBe(false);
  });

  it('baresip calls Portier, Portier answers from the incoming event, audio flows both ways', async () => {
    const baresip = await flat({ answerMode: 'manual' });
    const portier = await door();
    const incoming = new Promise<Call>((resolve) =>
      portier.phone.on('incoming', (call, session) => {
        void session.ring().then(() => session.accept());
        resolve(call);
      }),
    );
    const dialled = await baresip.command('dial', kamailio.aor('door'));
    expect(dialled.ok).toBe(true);
    const call = await Promise.race([incoming, delay(10_000).then(() => Promise.reject(new Error(`no incoming call${failureContext(baresip)}`)))]);
    expect(call.direction).toBe('incoming');
    expect(call.remote).toContain('flat@');
    await callReaches(call, 'connected');
    await baresip.waitForEvent('CALL_ESTABLISHED');
    await delay(2000);
    const ended = callEnds(call);
    await baresip.command('hangup');
    expect((await ended).reason).toBe('bye-remote');
    await baresip.waitForEvent('CALL_CLOSED');
    expectTone(portier.sink.samples(-60, -5), 440, 'Portier heard');
    expectTone(baresip.recording('heard'), 1000, 'baresip heard');
  });
});
