import { TypedEmitter } from '../../util/typed-emitter.js';
import { WavWriter } from '../wav/wav-writer.js';
import type { AudioDeviceState } from './audio-device-state.js';
import { AudioError, AudioErrorCode, toError } from './audio-error.js';
import { AUDIO_SAMPLE_RATE } from './audio-format.js';
import type { AudioSink, AudioSinkEvents } from './audio-sink.js';
import { GainStage } from './gain-stage.js';

/** Options of a WavRecorderSink. */
export interface WavRecorderSinkOptions {
  gainDb?: number;
}

/**
 * A sink that records every frame it is given to an 8 kHz mono 16-bit WAVE file
 * (the simulated loudspeaker, call recordings in tests). The file is readable even
 * if the process dies before close(), which patches the sizes.
 */
export class WavRecorderSink extends TypedEmitter<AudioSinkEvents> implements AudioSink {
  private readonly gain: GainStage;
  private current: AudioDeviceState = { state: 'idle' };
  private writer: Promise<WavWriter | undefined> | undefined;
  private chain: Promise<void> = Promise.resolve();
  private failed = false;
  private samplesWritten = 0;
  private closing: Promise<void> | undefined;

  constructor(
    readonly path: string,
    options: WavRecorderSinkOptions = {},
  ) {
    super();
    this.gain = new GainStage(options.gainDb ?? 0);
  }

  get state(): AudioDeviceState {
    return this.current;
  }

  /** Samples accepted for the file so far. */
  get samples(): number {
    return this.samplesWritten;
  }

  start(): void {
    if (this.writer !== undefined || this.closing) return;
    this.setState({ state: 'starting' });
    this.writer = WavWriter.open(this.path, { sampleRate: AUDIO_SAMPLE_RATE }).then(
      (writer) => {
        if (this.current.state === 'starting') this.setState({ state: 'running' });
        return writer;
      },
      (error: unknown) => {
        this.fail(new AudioError(AudioErrorCode.Device, `cannot record to '${this.path}': ${toError(error).message}`, { cause: error }));
        return undefined;
      },
    );
  }

  write(frame: Int16Array): void {
    const opening = this.writer;
    if (opening === undefined || this.closing || this.failed) return;
    const copy = this.gain.process(frame);
    this.samplesWritten += copy.length;
    // Writes are chained so they land in order even while the file is still opening.
    this.chain = this.chain.then(async () => {
      const writer = await opening;
      if (!writer || this.failed) return;
      await writer.write(copy).catch((error: unknown) => this.fail(toError(error)));
    });
  }

  close(): Promise<void> {
    this.closing ??= (async () => {
      await this.chain;
      const writer = await this.writer;
      await writer?.close().catch((error: unknown) => this.emit('error', toError(error)));
      this.setState({ state: 'closed' });
    })();
    return this.closing;
  }

  private fail(error: Error): void {
    if (this.failed) return;
    this.failed = true;
    this.emit('error', error);
  }

  private setState(state: AudioDeviceState): void {
    this.current = state;
    this.emit('state', state);
  }
}
