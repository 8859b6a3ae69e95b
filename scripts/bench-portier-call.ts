/**
 * One Portier call in a process of its own, for the call benchmarks (so that its CPU and
 * memory figures are Portier's alone): a Phone with a 1 kHz ToneSource (clocked like the
 * capture device) and a sink that discards, listening for SIP on 127.0.0.1:<sipPort>
 * (where the benchmark points its OPTIONS load), calls <target>, holds for <seconds>,
 * hangs up and exits. Reports on stdout as JSON lines: listening, connected, hanging-up,
 * ended (with the call's RTP counters).
 *
 *   node --import tsx scripts/bench-portier-call.ts <target> <sipPort> <rtpMin> <rtpMax> <seconds> [alsa-device]
 *
 * With an ALSA device (e.g. `pulse`), what the call receives is played there with
 * AplayPlaybackSink instead of being discarded.
 */
import { Phone } from '../src/calls/phone.js';
import { AplayPlaybackSink } from '../src/media/audio/aplay-playback-sink.js';
import type { AudioDeviceState } from '../src/media/audio/audio-device-state.js';
import type { AudioSink, AudioSinkEvents } from '../src/media/audio/audio-sink.js';
import { steadyTone, ToneSource } from '../src/media/audio/tone-source.js';
import { parseSipUri } from '../src/sip/messages/index.js';
import { SipStack } from '../src/sip/sip-stack.js';
import { TypedEmitter } from '../src/util/typed-emitter.js';

/** A loudspeaker that plays nothing: the benchmark measures the call, not a player process. */
class DiscardSink extends TypedEmitter<AudioSinkEvents> implements AudioSink {
  frames = 0;
  readonly state: AudioDeviceState = { state: 'running' };
  start(): void {}
  write(): void {
    this.frames++;
  }
  async close(): Promise<void> {}
}

function report(event: string, data: Record<string, unknown> = {}): void {
  process.stdout.write(`${JSON.stringify({ event, at: performance.now(), ...data })}\n`);
}

const [target, sipPortText, rtpMinText, rtpMaxText, secondsText, alsaDevice] = process.argv.slice(2);
if (!target || !sipPortText || !rtpMinText || !rtpMaxText || !secondsText) {
  process.stderr.write('usage: bench-portier-call.ts <target> <sipPort> <rtpMin> <rtpMax> <seconds>\n');
  process.exit(64);
}
const seconds = Number(secondsText);
// Bounded whatever happens: the process ends itself shortly after the planned call.
const watchdog = setTimeout(() => {
  report('watchdog');
  process.exit(3);
}, (seconds + 30) * 1000);
watchdog.unref();

const stack = await SipStack.start({ listen: [{ protocol: 'udp', address: '127.0.0.1', port: Number(sipPortText) }] });
const source = new ToneSource(steadyTone(1000));
const sink: AudioSink & { frames?: number } = alsaDevice ? new AplayPlaybackSink({ device: alsaDevice }) : new DiscardSink();
sink.start();
const phone = new Phone({
  stack,
  aor: parseSipUri(`sip:door@127.0.0.1:${sipPortText}`),
  media: { address: '127.0.0.1', portRange: { min: Number(rtpMinText), max: Number(rtpMaxText) }, codecs: ['PCMU'], dtmfMode: 'rfc4733' },
  session: { sessionTimers: false },
  audio: { source, sink },
});
source.start();
report('listening');

const call = await phone.call(target);
const connected = new Promise<void>((resolve, reject) => {
  call.on('state', (s) => s === 'connected' && resolve());
  call.on('ended', (info) => reject(new Error(`call ended before it was answered: ${JSON.stringify(info)}`)));
});
await connected;
report('connected');
await new Promise((r) => setTimeout(r, seconds * 1000));
report('hanging-up', { stats: call.stats, sink: sink instanceof AplayPlaybackSink ? sink.stats : { frames: sink.frames } });
const ended = new Promise((resolve) => call.once('ended', resolve));
await call.hangUp();
report('ended', { info: await ended });
phone.close();
await source.close();
await sink.close();
await stack.close();
clearTimeout(watchdog);
