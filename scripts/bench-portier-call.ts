/**
 * One Portier call in a process of its own, for the call benchmarks (so that its CPU and
 * memory figures are Portier's alone): a Phone with a WavFileSource looping a 1 s 1 kHz
 * clip held in memory (clocked like the capture device; the same work per frame as
 * baresip's aufile, which plays a WAV it keeps in memory — a ToneSource would compute 160
 * sines a frame) and a sink that discards, listening for SIP on 127.0.0.1:<sipPort>
 * (where the benchmark points its OPTIONS load), calls <target>, holds for <seconds>,
 * hangs up and exits. Reports on stdout as JSON lines: listening, connected, hanging-up,
 * ended (with the call's RTP counters).
 *
 *   node --import tsx scripts/bench-portier-call.ts <target> <sipPort> <rtpMin> <rtpMax> <seconds> [alsa-device]
 *
 * With PORTIER_BENCH_TRACE=1 the `hanging-up` report also carries how late each frame
 * left the source against an ideal 20 ms grid (quantiles, ms) and the GC pauses seen, to
 * tell sender-side lateness from the network and the receiver.
 *
 * With an ALSA device (e.g. `pulse`), what the call receives is played there with
 * AplayPlaybackSink instead of being discarded.
 */
import { Phone } from '../src/calls/phone.js';
import { AplayPlaybackSink } from '../src/media/audio/aplay-playback-sink.js';
import type { AudioDeviceState } from '../src/media/audio/audio-device-state.js';
import type { AudioSink, AudioSinkEvents } from '../src/media/audio/audio-sink.js';
import { WavFileSource } from '../src/media/audio/wav-file-source.js';
import { PerformanceObserver } from 'node:perf_hooks';
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
/** 1 s of 1 kHz at the amplitude baresip's harness writes into its WAV (8000). */
function sineClip(hz: number, amplitude = 8000): Int16Array {
  const clip = new Int16Array(8000);
  for (let i = 0; i < clip.length; i++) clip[i] = Math.round(amplitude * Math.sin((2 * Math.PI * hz * i) / 8000));
  return clip;
}
const source = new WavFileSource(sineClip(1000));
const trace = process.env.PORTIER_BENCH_TRACE === '1' ? startTrace(source) : undefined;
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
report('hanging-up', { ...(trace ? { trace: trace() } : {}), stats: call.stats, sink: sink instanceof AplayPlaybackSink ? sink.stats : { frames: sink.frames } });
const ended = new Promise((resolve) => call.once('ended', resolve));
await call.hangUp();
report('ended', { info: await ended });
phone.close();
await source.close();
await sink.close();
await stack.close();
clearTimeout(watchdog);

/** Records when each frame leaves the source and the GC pauses; returns a summary maker. */
function startTrace(src: WavFileSource): () => Record<string, unknown> {
  const at = new Float64Array(50 * (seconds + 40));
  let n = 0;
  src.on('frame', () => {
    if (n < at.length) at[n++] = performance.now();
  });
  const gcs: number[] = [];
  const observer = new PerformanceObserver((list) => {
    for (const entry of list.getEntries()) gcs.push(entry.duration);
  });
  observer.observe({ entryTypes: ['gc'] });
  return () => {
    observer.disconnect();
    // Lateness against the grid anchored at the earliest frame (the ideal clock never runs ahead).
    const late: number[] = [];
    let offset = Infinity;
    for (let i = 0; i < n; i++) offset = Math.min(offset, at[i]! - i * 20);
    for (let i = 0; i < n; i++) late.push(at[i]! - i * 20 - offset);
    late.sort((a, b) => a - b);
    const q = (p: number): number => Number((late[Math.min(late.length - 1, Math.ceil(p * late.length) - 1)] ?? NaN).toFixed(3));
    const sortedGc = [...gcs].sort((a, b) => a - b);
    return {
      frames: n,
      lateMs: { median: q(0.5), p90: q(0.9), p99: q(0.99), max: q(1) },
      gc: { count: gcs.length, totalMs: Number(gcs.reduce((a, b) => a + b, 0).toFixed(2)), maxMs: Number((sortedGc.at(-1) ?? 0).toFixed(2)) },
    };
  };
}
