import { MediaClock, type MediaClockTick } from '../clock/media-clock.js';
import { systemTimeSource, type TimeSource } from '../clock/time-source.js';
import { TypedEmitter } from '../../util/typed-emitter.js';
import type { AudioDeviceState } from './audio-device-state.js';
import { AUDIO_FRAME_MS } from './audio-format.js';
import type { AudioSource, AudioSourceEvents } from './audio-source.js';

/** Options shared by the generated (device-less) sources. */
export interface TimedFrameSourceOptions {
  timeSource?: TimeSource;
  /** Most late periods delivered back to back before older ones are skipped. Default 5. */
  maxCatchUpFrames?: number;
  /**
   * Final approach of each frame deadline, ms (see MediaClockOptions.finalApproachMs):
   * frames leave within a fraction of a millisecond of their 20 ms grid, for a far-end
   * jitter buffer that can then stay small. Only while someone listens for frames (a
   * call): an idle station's microphone ticks on timers alone. Default 2; 0 for timers only.
   */
  finalApproachMs?: number;
}

/** Default final approach: libuv's timers are off by up to ~2 ms either way. */
const DEFAULT_FINAL_APPROACH_MS = 2;

/**
 * Base of the sources that generate audio instead of capturing it (simulation mode,
 * tests): frames are clocked by an absolute-deadline MediaClock on the monotonic
 * clock, never by setInterval, so they come at exactly 50 per second on average.
 */
export abstract class TimedFrameSource extends TypedEmitter<AudioSourceEvents> implements AudioSource {
  private readonly clock: MediaClock;
  private readonly finalApproachMs: number;
  private current: AudioDeviceState = { state: 'idle' };

  constructor(options: TimedFrameSourceOptions = {}) {
    super();
    this.finalApproachMs = options.finalApproachMs ?? DEFAULT_FINAL_APPROACH_MS;
    this.clock = new MediaClock((tick) => this.onTick(tick), {
      periodMs: AUDIO_FRAME_MS,
      maxCatchUpTicks: options.maxCatchUpFrames ?? 5,
      timeSource: options.timeSource ?? systemTimeSource,
      onError: (error) => this.emit('error', error instanceof Error ? error : new Error(String(error))),
    });
  }

  /** The next 20 ms frame (a fresh array the listener may keep). */
  protected abstract nextFrame(): Int16Array;

  get state(): AudioDeviceState {
    return this.current;
  }

  /** Frames emitted so far. */
  get framesEmitted(): number {
    return this.clock.ticks - this.clock.skipped;
  }

  start(): void {
    if (this.current.state !== 'idle') return;
    this.setState({ state: 'running' });
    this.clock.start();
  }

  close(): Promise<void> {
    if (this.current.state !== 'closed') {
      this.clock.close();
      this.setState({ state: 'closed' });
    }
    return Promise.resolve();
  }

  private onTick(tick: MediaClockTick): void {
    // Blocking the event loop for frames nobody takes would buy nothing (and idle
    // measurably grew RSS by ~3 MB): precise only while a listener is attached.
    this.clock.setFinalApproach(this.listenerCount('frame') > 0 ? this.finalApproachMs : 0);
    if (tick.skipped > 0) {
      // Keep the generated signal in step with time, as a device would have run on.
      for (let i = 0; i < tick.skipped; i++) this.nextFrame();
      this.emit('skip', tick.skipped);
    }
    this.emit('frame', this.nextFrame());
  }

  private setState(state: AudioDeviceState): void {
    this.current = state;
    this.emit('state', state);
  }
}
