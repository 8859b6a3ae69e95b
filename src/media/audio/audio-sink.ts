import type { AudioDeviceState } from './audio-device-state.js';

/** Events of an AudioSink. */
export type AudioSinkEvents = {
  state: [state: AudioDeviceState];
  /** A failure that was handled (logged and retried); informational. */
  error: [error: Error];
};

/**
 * Audio coming into the door station (the loudspeaker, or a recording), written as
 * 20 ms frames of 8 kHz mono 16-bit PCM at the pace of whoever writes them.
 */
export interface AudioSink {
  on<K extends keyof AudioSinkEvents>(event: K, listener: (...args: AudioSinkEvents[K]) => void): unknown;
  once<K extends keyof AudioSinkEvents>(event: K, listener: (...args: AudioSinkEvents[K]) => void): unknown;
  off<K extends keyof AudioSinkEvents>(event: K, listener: (...args: AudioSinkEvents[K]) => void): unknown;
  /** Opens the device; never throws for device trouble (see `state`). Idempotent. */
  start(): void;
  /**
   * Queues one frame for playing. Never blocks or throws: while the device is down,
   * or when playing it would push latency past the sink's bound, the frame is dropped.
   * The sink does not keep a reference to `frame` after returning.
   */
  write(frame: Int16Array): void;
  /** Stops for good and releases the device; resolves once released. Idempotent. */
  close(): Promise<void>;
  readonly state: AudioDeviceState;
}
