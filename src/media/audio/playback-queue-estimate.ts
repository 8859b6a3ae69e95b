/**
 * Pure model of how much audio is queued ahead of a playback device we cannot query
 * (aplay behind a pipe whose 64 KiB+ buffer would otherwise hide seconds of latency).
 * Written audio fills the queue; once it holds the device's start threshold (aplay
 * starts the PCM when its ALSA buffer is full) it drains in real time. Running dry
 * means the device underran and will wait for the threshold again, as ALSA does.
 * A frame that would push the queue past `maxQueuedMs` is refused, so latency is
 * bounded by maxQueuedMs plus the drift between the device's clock and ours over
 * the time since the queue last ran dry (≈ 100 ppm → 6 ms per minute).
 */
export class PlaybackQueueEstimate {
  private queued = 0;
  private playing = false;
  private lastMs: number | undefined;

  constructor(
    readonly maxQueuedMs: number,
    /** Audio the device needs before it starts playing (aplay: its ALSA buffer time). */
    readonly startThresholdMs: number,
  ) {
    if (!(startThresholdMs >= 0) || !(maxQueuedMs > startThresholdMs)) {
      throw new RangeError(`max queued audio (${maxQueuedMs} ms) must exceed the start threshold (${startThresholdMs} ms)`);
    }
  }

  /** Estimated audio queued and not yet heard, ms. */
  get queuedMs(): number {
    return this.queued;
  }

  /** Whether the modelled device is playing (not waiting for its start threshold). */
  get started(): boolean {
    return this.playing;
  }

  /** Advances the model to `nowMs`; returns true if `frameMs` more audio may be queued (and counts it). */
  admit(nowMs: number, frameMs: number): boolean {
    this.drainTo(nowMs);
    if (this.queued + frameMs > this.maxQueuedMs) return false;
    this.queued += frameMs;
    if (!this.playing && this.queued >= this.startThresholdMs) this.playing = true;
    return true;
  }

  /** The device reported an underrun (or restarted): it is empty and waits for the threshold. */
  resync(nowMs: number): void {
    this.queued = 0;
    this.playing = false;
    this.lastMs = nowMs;
  }

  private drainTo(nowMs: number): void {
    const last = this.lastMs ?? nowMs;
    this.lastMs = nowMs;
    if (!this.playing) return;
    this.queued -= Math.max(0, nowMs - last);
    if (this.queued <= 0) {
      this.queued = 0;
      this.playing = false;
    }
  }
}
