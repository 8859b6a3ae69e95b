import { TypedEmitter } from '../../src/util/typed-emitter.js';
import type { AudioSink, AudioSinkEvents } from '../../src/media/audio/audio-sink.js';
import type { AudioDeviceState } from '../../src/media/audio/audio-device-state.js';

/** A test sink that keeps every frame it is given. */
export class MemorySink extends TypedEmitter<AudioSinkEvents> implements AudioSink {
  readonly frames: Int16Array[] = [];
  readonly state: AudioDeviceState = { state: 'running' };
  start(): void {}
  write(frame: Int16Array): void {
    this.frames.push(Int16Array.from(frame));
  }
  async close(): Promise<void> {}
  /** The last `n` frames joined. */
  tail(n: number): Int16Array {
    const parts = this.frames.slice(-n);
    const out = new Int16Array(parts.length * 160);
    parts.forEach((p, i) => out.set(p, i * 160));
    return out;
  }
}
