import { TypedEmitter } from '../util/typed-emitter.js';
import type { AudioDeviceState } from '../media/audio/audio-device-state.js';
import type { AudioSink, AudioSinkEvents } from '../media/audio/audio-sink.js';

/** The simulated loudspeaker: accepts frames at any pace and counts them, playing nothing. */
export class DiscardingAudioSink extends TypedEmitter<AudioSinkEvents> implements AudioSink {
  private current: AudioDeviceState = { state: 'idle' };
  /** Frames written so far (tones and call audio). */
  frames = 0;

  get state(): AudioDeviceState {
    return this.current;
  }

  start(): void {
    if (this.current.state !== 'idle') return;
    this.current = { state: 'running' };
    this.emit('state', this.current);
  }

  write(_frame: Int16Array): void {
    if (this.current.state === 'running') this.frames++;
  }

  close(): Promise<void> {
    if (this.current.state !== 'closed') {
      this.current = { state: 'closed' };
      this.emit('state', this.current);
    }
    return Promise.resolve();
  }
}
