import type { AudioDeviceState } from './audio-device-state.js';

/** Events of an AudioSource. */
export type AudioSourceEvents = {
  /**
   * One 20 ms frame of 8 kHz mono 16-bit PCM (160 samples), emitted when its period
   * has been captured (or, for generated audio and while a device is down, when its
   * deadline on the monotonic clock arrives). One frame = one RTP packet; the
   * listener may keep or modify the array.
   */
  frame: [frame: Int16Array];
  /**
   * Periods that passed without a frame (the clock fell behind, or a device stalled
   * before it was declared lost): the RTP sender advances its timestamp by 160 per
   * period without sending, so the timestamp keeps tracking real time.
   */
  skip: [periods: number];
  state: [state: AudioDeviceState];
  /** A failure that was handled (logged and retried); informational. */
  error: [error: Error];
};

/**
 * Audio going out of the door station (microphone, or simulated audio), pushed as
 * frames and clocked by its producer — so that RTP is clocked by the capture device.
 */
export interface AudioSource {
  on<K extends keyof AudioSourceEvents>(event: K, listener: (...args: AudioSourceEvents[K]) => void): unknown;
  once<K extends keyof AudioSourceEvents>(event: K, listener: (...args: AudioSourceEvents[K]) => void): unknown;
  off<K extends keyof AudioSourceEvents>(event: K, listener: (...args: AudioSourceEvents[K]) => void): unknown;
  /** Starts producing frames; never throws for device trouble (see `state`). Idempotent. */
  start(): void;
  /** Stops for good and releases the device, timers and processes. Idempotent. */
  close(): Promise<void>;
  readonly state: AudioDeviceState;
}
