import { setTimeout as delay } from 'node:timers/promises';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { AlsaCaptureSource } from '../../src/media/audio/alsa-capture-source.js';
import { AplayPlaybackSink } from '../../src/media/audio/aplay-playback-sink.js';
import { dominantFrequency, toneAmplitude } from '../support/tone-analysis.js';
import { baresipUnavailableReason, startBaresip } from './support/baresip.js';
import { startKamailio, type KamailioInstance } from './support/kamailio.js';
import { callEnds, callReaches, registeredPhone } from './support/portier-phone.js';
import { pulseAudioUnavailableReason, startPulseAudio, type PulseAudioInstance } from './support/pulseaudio.js';
import { expectTone } from './support/tone-expectations.js';

// Ports: Kamailio 35420, baresip SIP 36420 / ctrl 36470, RTP Portier 27500–27599, baresip 27600–27699.
const KAMAILIO_UDP = 35420;
const USERS = { door: { username: 'door', password: 'door-pw' }, flat: { username: 'flat', password: 'flat-pw' } };

const unavailable = baresipUnavailableReason() ?? pulseAudioUnavailableReason();
if (unavailable) console.warn(`skipping the ALSA call test: ${unavailable}`);

async function until(condition: () => boolean, timeoutMs: number, what: string): Promise<void> {
  const end = Date.now() + timeoutMs;
  while (!condition()) {
    if (Date.now() > end) throw new Error(`timed out waiting for ${what}`);
    await delay(20);
  }
}

describe.skipIf(unavailable !== undefined)('A call whose audio crosses real ALSA devices (PulseAudio null sink)', () => {
  let kamailio: KamailioInstance;
  let pulse: PulseAudioInstance;
  let restoreEnv: () => void = () => undefined;
  const cleanups: Array<() => Promise<void> | void> = [];

  beforeAll(async () => {
    kamailio = await startKamailio({ udpPort: KAMAILIO_UDP, users: [USERS.door, USERS.flat] });
    pulse = await startPulseAudio({ rate: 8000, channels: 1 });
    // The alsa-capture thread runs in this process: it finds the daemon through our env.
    restoreEnv = pulse.applyEnv();
  });
  afterAll(async () => {
    restoreEnv();
    await pulse?.stop();
    await kamailio?.stop();
  });
  afterEach(async () => {
    for (const c of cleanups.splice(0).reverse()) await c();
  });

  it("baresip's 440 Hz is played by aplay into the null sink, captured from its monitor by alsa-capture and sent back: baresip hears its own 440 Hz", async () => {
    const baresip = await startBaresip({
      sipPort: 36420,
      ctrlPort: 36470,
      rtpPorts: { min: 27600, max: 27699 },
      user: 'flat',
      domain: kamailio.domain,
      password: USERS.flat.password,
      outboundProxy: kamailio.proxyUri('udp'),
      answerMode: 'auto',
      source: { sineHz: 440 },
    });
    cleanups.push(() => baresip.stop());
    await baresip.waitRegistered();

    // Portier's microphone and loudspeaker are the ALSA `pulse` device: playback goes to the
    // null sink, capture reads the null sink's monitor — a cable from loudspeaker to microphone.
    const capture = new AlsaCaptureSource({ device: pulse.alsaDevice });
    const speaker = new AplayPlaybackSink({ device: pulse.alsaDevice, env: { ...process.env, ...pulse.env } });
    const captured: Int16Array[] = [];
    capture.on('frame', (f) => captured.push(Int16Array.from(f)));
    cleanups.push(async () => {
      await Promise.all([capture.close(), speaker.close()]);
    });
    speaker.start();
    capture.start();
    await until(() => capture.state.state === 'running' && speaker.state.state === 'running', 8000, `devices running (capture ${JSON.stringify(capture.state)}, speaker ${JSON.stringify(speaker.state)})`);

    const portier = await registeredPhone({ kamailio, ...USERS.door, rtpPorts: { min: 27500, max: 27599 }, audio: { source: capture, sink: speaker } });
    cleanups.push(() => portier.close());
    // Before the call the monitor is silent: any 440 Hz captured later came through the call.
    await delay(300);
    const before = captured.length;
    const call = await portier.phone.call(kamailio.aor('flat'));
    await callReaches(call, 'connected');
    await baresip.waitForEvent('CALL_ESTABLISHED');
    await delay(3000);
    const ended = callEnds(call);
    await call.hangUp();
    await ended;
    await baresip.waitForEvent('CALL_CLOSED');

    const idle = new Int16Array(captured.slice(0, before).flatMap((f) => [...f]));
    expect(toneAmplitude(idle, 440), 'capture before the call').toBeLessThan(50);
    // What the microphone (the monitor) picked up during the call: the loudspeaker's 440 Hz.
    const inCall = new Int16Array(captured.slice(-100, -10).flatMap((f) => [...f]));
    expect(Math.abs(dominantFrequency(inCall) - 440), 'ALSA capture during the call').toBeLessThan(5);
    // And baresip heard its own tone, after RTP → aplay → PulseAudio → alsa-capture → RTP.
    expectTone(baresip.recording('heard'), 440, 'baresip heard (loopback through ALSA)', 0.7);
    expect(speaker.stats.framesWritten).toBeGreaterThan(100);
  });
});
