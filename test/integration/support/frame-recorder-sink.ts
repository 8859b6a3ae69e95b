import type { AudioDeviceState } from '../../../src/media/audio/audio-device-state.js';
import type { AudioSink, AudioSinkEvents } from '../../../src/media/audio/audio-sink.js';
import { TypedEmitter } from '../../../src/util/typed-emitter.js';

/** A sink that keeps every 20 ms frame in memory, for frequency checks on what a call played. */
export class FrameRecorderSink extends TypedEmitter<AudioSinkEvents> implements AudioSink {
  readonly frames: Int16Array[] = [];
  readonly state: AudioDeviceState = { state: 'running' };
  start(): void {}
  write(frame: Int16Array): void {
    this.frames.push(Int16Array.from(frame));
  }
  async close(): Promise<void> {}
  /** Frames `from`…`to` (slice semantics) joined into one buffer. */
  samples(from?: number, to?: number): Int16Array {
    const parts = this.frames.slice(from, to);
    const out = new Int16Array(parts.reduce((n, p) => n + p.length, 0));
    let offset = 0;
    for (const p of parts) {
      out.set(p, offset);
      offset += p.length;
    }
    return out;
  }
}
