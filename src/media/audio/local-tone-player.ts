import { MediaClock, type MediaClockTick } from '../clock/media-clock.js';
import { systemTimeSource, type TimeSource } from '../clock/time-source.js';
import type { ToneCadence } from '../tones/tone-cadence.js';
import { BUSY_EU, BUSY_US, CONFIRMATION_CHIME, ERROR_BEEPS, RINGBACK_EU, RINGBACK_US } from '../tones/tone-cadences.js';
import { ToneGenerator } from '../tones/tone-generator.js';
import { TypedEmitter } from '../../util/typed-emitter.js';
import type { AudioDeviceState } from './audio-device-state.js';
import { toError } from './audio-error.js';
import { AUDIO_FRAME_MS, AUDIO_FRAME_SAMPLES, AUDIO_SAMPLE_RATE } from './audio-format.js';
import type { AudioSink, AudioSinkEvents } from './audio-sink.js';
import { GainStage } from './gain-stage.js';
import { loadWavClip } from './wav-clip.js';

/** The tones the door station plays on its own loudspeaker. */
export type LocalTone = 'ringback' | 'busy' | 'confirmation' | 'error';

/** Why a tone stopped. */
export type LocalToneEnd = 'finished' | 'stopped' | 'replaced' | 'closed';

/** Events of a LocalTonePlayer. */
export type LocalTonePlayerEvents = AudioSinkEvents & {
  toneStarted: [tone: LocalTone];
  toneEnded: [tone: LocalTone, reason: LocalToneEnd];
};

/** Options of a LocalTonePlayer. */
export interface LocalTonePlayerOptions {
  /** Tone plan of ringback and busy: ETSI 425 Hz (`eu`, default) or North-American (`us`). */
  region?: 'eu' | 'us';
  /** Replaces the cadence of a tone. */
  cadences?: Partial<Record<LocalTone, ToneCadence>>;
  /** 8 kHz mono clips played instead of generated tones (ringback/busy loop, the others play once). */
  clips?: Partial<Record<LocalTone, Int16Array>>;
  /** Gain of the tones (not of call audio), dB. */
  gainDb?: number;
  timeSource?: TimeSource;
}

/** Whether a tone goes on until stopped (ringback, busy) or plays once (chimes). */
const LOOPS: Record<LocalTone, boolean> = { ringback: true, busy: true, confirmation: false, error: false };

interface FrameGenerator {
  /** The next frame, or null when a one-shot tone is over. */
  nextFrame(): Int16Array | null;
}

/**
 * Plays the door's local tones — ringback while calling, busy, the confirmation chime
 * and the error beeps — into the loudspeaker sink, generated from the tone cadences
 * or from WAVE clips. It is itself the AudioSink call audio is written to: call audio
 * passes through untouched while no tone plays, and is dropped while one plays
 * (tones replace call audio, so a chime is heard clearly over a talking caller).
 * Tones are clocked by their own absolute-deadline MediaClock, since no call audio
 * may be flowing (ringback before the call is answered).
 */
export class LocalTonePlayer extends TypedEmitter<LocalTonePlayerEvents> implements AudioSink {
  private readonly cadences: Record<LocalTone, ToneCadence>;
  private readonly clips: Partial<Record<LocalTone, Int16Array>>;
  private readonly gain: GainStage;
  private readonly time: TimeSource;
  private current: { tone: LocalTone; generator: FrameGenerator; clock: MediaClock } | undefined;
  private closed = false;
  private droppedCallFrames = 0;

  constructor(
    private readonly sink: AudioSink,
    options: LocalTonePlayerOptions = {},
  ) {
    super();
    const us = options.region === 'us';
    this.cadences = {
      ringback: us ? RINGBACK_US : RINGBACK_EU,
      busy: us ? BUSY_US : BUSY_EU,
      confirmation: CONFIRMATION_CHIME,
      error: ERROR_BEEPS,
      ...options.cadences,
    };
    this.clips = { ...options.clips };
    this.gain = new GainStage(options.gainDb ?? 0);
    this.time = options.timeSource ?? systemTimeSource;
    sink.on('state', (state) => this.emit('state', state));
    sink.on('error', (error) => this.emit('error', error));
  }

  /** Builds a player whose tones come from WAVE files where configured (any rate, resampled to 8 kHz). */
  static async create(
    sink: AudioSink,
    options: LocalTonePlayerOptions & { wavFiles?: Partial<Record<LocalTone, string>> } = {},
  ): Promise<LocalTonePlayer> {
    const clips: Partial<Record<LocalTone, Int16Array>> = { ...options.clips };
    for (const [tone, path] of Object.entries(options.wavFiles ?? {}) as Array<[LocalTone, string | undefined]>) {
      if (path !== undefined) clips[tone] = await loadWavClip(path);
    }
    return new LocalTonePlayer(sink, { ...options, clips });
  }

  get state(): AudioDeviceState {
    return this.sink.state;
  }

  /** The tone now playing, if any. */
  get playing(): LocalTone | undefined {
    return this.current?.tone;
  }

  /** Call-audio frames dropped because a tone was playing. */
  get replacedFrames(): number {
    return this.droppedCallFrames;
  }

  start(): void {
    this.sink.start();
  }

  /** Starts `tone` at once, replacing any tone playing. */
  play(tone: LocalTone): void {
    if (this.closed) return;
    this.end('replaced');
    const generator = this.generatorFor(tone);
    const clock = new MediaClock((tick) => this.onTick(tick), {
      periodMs: AUDIO_FRAME_MS,
      timeSource: this.time,
      onError: (error) => this.emit('error', toError(error)),
    });
    this.current = { tone, generator, clock };
    this.emit('toneStarted', tone);
    if (this.current?.clock === clock) clock.start();
  }

  /** Stops the tone playing, if any; call audio is heard again. */
  stop(): void {
    this.end('stopped');
  }

  /** Call audio: played unless a tone is playing (tones replace it). */
  write(frame: Int16Array): void {
    if (this.closed) return;
    if (this.current) {
      this.droppedCallFrames++;
      return;
    }
    this.sink.write(frame);
  }

  /** Stops any tone and closes the sink it plays into. */
  close(): Promise<void> {
    if (!this.closed) {
      this.end('closed');
      this.closed = true;
    }
    return this.sink.close();
  }

  private onTick(tick: MediaClockTick): void {
    const playing = this.current;
    if (!playing) return;
    // Periods the clock had to skip still pass in the cadence, as they would in real time.
    for (let i = 0; i < tick.skipped && playing.generator.nextFrame() !== null; i++);
    const frame = playing.generator.nextFrame();
    if (frame === null) {
      this.end('finished');
      return;
    }
    this.sink.write(this.gain.applyInPlace(frame));
  }

  private end(reason: LocalToneEnd): void {
    const playing = this.current;
    if (!playing) return;
    this.current = undefined;
    playing.clock.close();
    this.emit('toneEnded', playing.tone, reason);
  }

  private generatorFor(tone: LocalTone): FrameGenerator {
    const clip = this.clips[tone];
    if (clip && clip.length > 0) return clipGenerator(clip, LOOPS[tone]);
    const cadence = this.cadences[tone];
    return new ToneGenerator(LOOPS[tone] === cadence.repeat ? cadence : { ...cadence, repeat: LOOPS[tone] }, {
      sampleRate: AUDIO_SAMPLE_RATE,
      frameSamples: AUDIO_FRAME_SAMPLES,
    });
  }
}

function clipGenerator(clip: Int16Array, loop: boolean): FrameGenerator {
  let position = 0;
  return {
    nextFrame() {
      if (!loop && position >= clip.length) return null;
      const frame = new Int16Array(AUDIO_FRAME_SAMPLES);
      let filled = 0;
      while (filled < frame.length) {
        if (position >= clip.length) {
          if (!loop) break; // the last frame is padded with silence
          position = 0;
        }
        const take = Math.min(frame.length - filled, clip.length - position);
        frame.set(clip.subarray(position, position + take), filled);
        filled += take;
        position += take;
      }
      return frame;
    },
  };
}
