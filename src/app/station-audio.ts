import type { AudioConfig } from '../config/portier-config.js';
import { silentLogger, type Logger } from '../log/logger.js';
import { AlsaCaptureSource } from '../media/audio/alsa-capture-source.js';
import { AplayPlaybackSink } from '../media/audio/aplay-playback-sink.js';
import type { AudioDeviceState } from '../media/audio/audio-device-state.js';
import type { AudioSink } from '../media/audio/audio-sink.js';
import type { AudioSource } from '../media/audio/audio-source.js';
import { LocalTonePlayer, type LocalTone } from '../media/audio/local-tone-player.js';
import { SilenceSource } from '../media/audio/silence-source.js';
import { steadyTone, ToneSource } from '../media/audio/tone-source.js';
import { WavFileSource } from '../media/audio/wav-file-source.js';
import { DiscardingAudioSink } from './discarding-audio-sink.js';

/**
 * The door's microphone and loudspeaker per `audio` in the configuration: ALSA
 * capture and aplay playback, or simulated sources and a discarding sink. The
 * loudspeaker is wrapped by the LocalTonePlayer, so tones and call audio share it.
 */
export class StationAudio {
  private closed = false;

  private constructor(
    /** Microphone: clocks outgoing RTP (one 20 ms frame in, one packet out). */
    readonly source: AudioSource,
    /** Loudspeaker with the local tones in front of it; call audio is written here. */
    readonly speaker: LocalTonePlayer,
    private readonly logger: Logger,
  ) {}

  /** Opens (starts) both devices; device trouble is retried by the adapters, never thrown. */
  static async open(config: AudioConfig, options: { logger?: Logger } = {}): Promise<StationAudio> {
    const logger = (options.logger ?? silentLogger).child({ component: 'audio' });
    let source: AudioSource;
    let sink: AudioSink;
    if (config.driver === 'alsa') {
      source = new AlsaCaptureSource({ device: config.captureDevice, gainDb: config.captureGainDb, logger });
      sink = new AplayPlaybackSink({ device: config.playbackDevice, gainDb: config.playbackGainDb, logger });
    } else {
      const sim = config.sim;
      if (sim.source === 'file' && sim.file !== undefined) source = await WavFileSource.open(sim.file, { gainDb: config.captureGainDb });
      else if (sim.source === 'tone') source = new ToneSource(steadyTone(sim.toneHz), { gainDb: config.captureGainDb });
      else source = new SilenceSource();
      sink = new DiscardingAudioSink();
    }
    const speaker = new LocalTonePlayer(sink);
    const report = (name: string) => (s: AudioDeviceState) => {
      if (s.state === 'retrying') logger.warn(`${name} device unavailable; retrying`, { error: s.error, retryInMs: s.retryInMs });
      else logger.debug(`${name} device ${s.state}`);
    };
    source.on('state', report('capture'));
    speaker.on('state', report('playback'));
    source.start();
    speaker.start();
    return new StationAudio(source, speaker, logger);
  }

  /** Plays a local tone at the door (replacing call audio while it plays). */
  play(tone: LocalTone, forMs?: number): void {
    if (this.closed) return;
    this.speaker.play(tone);
    if (forMs !== undefined) {
      const t = setTimeout(() => {
        if (this.speaker.playing === tone) this.speaker.stop();
      }, forMs);
      t.unref();
    }
  }

  /** Stops the tone playing, if it is `tone` (or any tone when unset). */
  stopTone(tone?: LocalTone): void {
    if (tone === undefined || this.speaker.playing === tone) this.speaker.stop();
  }

  /** Closes both devices. Idempotent. */
  async close(): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    await Promise.allSettled([this.source.close(), this.speaker.close()]);
    this.logger.debug('audio closed');
  }
}
