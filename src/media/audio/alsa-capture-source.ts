import { MediaClock, type MediaClockTick } from '../clock/media-clock.js';
import { systemTimeSource, type TimeSource, type TimerHandle } from '../clock/time-source.js';
import { silentLogger, type Logger } from '../../log/logger.js';
import type { ExponentialBackoff } from '../../util/exponential-backoff.js';
import { TypedEmitter } from '../../util/typed-emitter.js';
import { loadAlsaCapture, type AlsaCaptureConstructor, type AlsaCaptureInstance } from './alsa-capture-module.js';
import type { AudioDeviceState } from './audio-device-state.js';
import { AudioError, AudioErrorCode, toError } from './audio-error.js';
import { AUDIO_FRAME_MS, AUDIO_FRAME_SAMPLES } from './audio-format.js';
import type { AudioSource, AudioSourceEvents } from './audio-source.js';
import { CaptureFrameConverter } from './capture-frame-converter.js';
import { DeviceSupervisor, type DeviceAttempt } from './device-supervisor.js';
import { validateGainDb } from './gain-stage.js';

/** Options of an AlsaCaptureSource. */
export interface AlsaCaptureSourceOptions {
  /** ALSA PCM name: `default`, `plughw:1,0`, `plughw:CARD=Device,DEV=0`, `pulse`… */
  device?: string;
  /** Rate the device captures at; anything but 8000 is resampled to 8 kHz. Default 8000. */
  rate?: number;
  /** Channels captured; more than one are mixed to mono. Default 1. */
  channels?: number;
  /** ALSA period in frames; default 20 ms at `rate` (the card may pick another; frames are re-chunked). */
  periodFrames?: number;
  /** Gain applied to the 8 kHz frames, dB. Default 0. */
  gainDb?: number;
  /** A running device silent for this long is declared lost. Default 500 ms. */
  stallTimeoutMs?: number;
  /** A newly opened device must deliver audio within this time. Default 3000 ms. */
  openTimeoutMs?: number;
  /** Capture threads still closing (a hung device) beyond which no new one is opened. Default 2. */
  maxPendingCloses?: number;
  /** Loads `alsa-capture`; tests inject a fake device factory here. */
  loadModule?: () => Promise<unknown>;
  backoff?: ExponentialBackoff;
  /** A device that ran this long before failing is retried from the shortest delay. Default 10 s. */
  stableMs?: number;
  timeSource?: TimeSource;
  logger?: Logger;
}

interface OpenCapture {
  readonly instance: AlsaCaptureInstance;
  readonly attempt: DeviceAttempt;
  readonly openedAtMs: number;
  converter: CaptureFrameConverter;
  lastAudioMs: number | undefined;
  /** Frames actually read into the next `audio` buffer after a short read. */
  shortRead: number | undefined;
  /** The next `audio` buffer holds no new samples (its read overran). */
  discardNext: boolean;
  /** Overruns since the last good read. */
  overrunsInRow: number;
  /** The capture thread has ended (`close` or `error`); the native worker is gone. */
  finished: boolean;
  released: boolean;
  ended: Promise<void>;
  end: () => void;
}

/** Overruns without a good read in between after which the device is taken as gone. */
const MAX_OVERRUNS_IN_ROW = 3;

/** Longest close() waits for a capture thread to end (a hung device never returns from its read). */
const CLOSE_WAIT_MS = 1000;

/**
 * Microphone input through ALSA with the optional native module `alsa-capture`:
 * S16_LE at 8 kHz (or at the device's rate, resampled), periods of any size
 * re-chunked into 20 ms frames, gain in dB. Each captured frame is emitted as it
 * arrives, so the capture device clocks outgoing RTP.
 *
 * A device that is missing, fails to open, reports a read error or goes silent is
 * released and reopened with capped exponential backoff (state `retrying`); until it
 * is back, silence frames are emitted on an absolute-deadline MediaClock continuing
 * the device's cadence, so the RTP timestamp keeps advancing 160 per 20 ms.
 */
export class AlsaCaptureSource extends TypedEmitter<AudioSourceEvents> implements AudioSource {
  private readonly device: string;
  private readonly rate: number;
  private readonly channels: number;
  private readonly periodFrames: number;
  private readonly gainDb: number;
  private readonly stallTimeoutMs: number;
  private readonly openTimeoutMs: number;
  private readonly maxPendingCloses: number;
  private readonly loadModule: (() => Promise<unknown>) | undefined;
  private readonly time: TimeSource;
  private readonly logger: Logger;
  private readonly supervisor: DeviceSupervisor;
  private lifecycle: 'idle' | 'started' | 'closed' = 'idle';
  private AlsaCapture: AlsaCaptureConstructor | undefined;
  private capture: OpenCapture | undefined;
  private watchdog: TimerHandle | undefined;
  private fillClock: MediaClock | undefined;
  private fillStartTimer: TimerHandle | undefined;
  private lastEmitMs: number | undefined;
  private pendingCloses = new Set<OpenCapture>();
  private closing: Promise<void> | undefined;
  private readonly counters = { deviceFrames: 0, fillFrames: 0, skippedPeriods: 0, overruns: 0, shortReads: 0 };

  constructor(options: AlsaCaptureSourceOptions = {}) {
    super();
    this.device = options.device ?? 'default';
    this.rate = options.rate ?? 8000;
    this.channels = options.channels ?? 1;
    this.periodFrames = options.periodFrames ?? Math.round((this.rate * AUDIO_FRAME_MS) / 1000);
    this.gainDb = validateGainDb(options.gainDb ?? 0);
    this.stallTimeoutMs = options.stallTimeoutMs ?? 500;
    this.openTimeoutMs = options.openTimeoutMs ?? 3000;
    this.maxPendingCloses = options.maxPendingCloses ?? 2;
    this.loadModule = options.loadModule;
    this.time = options.timeSource ?? systemTimeSource;
    this.logger = (options.logger ?? silentLogger).child({ component: 'audio-capture' });
    // Validates rate and channels now, so a bad configuration fails at construction.
    new CaptureFrameConverter({ rate: this.rate, channels: this.channels, gainDb: this.gainDb });
    if (!Number.isInteger(this.periodFrames) || this.periodFrames < 1) {
      throw new AudioError(AudioErrorCode.Config, `capture periodFrames must be a positive integer, got ${this.periodFrames}`);
    }
    this.supervisor = new DeviceSupervisor({
      name: `capture ${this.device}`,
      open: (attempt) => this.open(attempt),
      release: () => this.release(),
      onState: (state) => this.onState(state),
      onError: (error) => this.emit('error', error),
      backoff: options.backoff,
      stableMs: options.stableMs,
      timeSource: this.time,
      logger: this.logger,
    });
  }

  get state(): AudioDeviceState {
    return this.supervisor.state;
  }

  /** Frames emitted from the device and as fill, periods skipped, device overruns and short reads. */
  get stats(): Readonly<typeof this.counters> {
    return { ...this.counters };
  }

  start(): void {
    if (this.lifecycle !== 'idle') return;
    this.lifecycle = 'started';
    this.supervisor.start();
  }

  close(): Promise<void> {
    if (this.closing) return this.closing;
    this.lifecycle = 'closed';
    this.leaveFill();
    const unfinished = [...this.pendingCloses, ...(this.capture ? [this.capture] : [])];
    this.supervisor.close();
    this.closing = waitBounded(
      Promise.all(unfinished.map((c) => c.ended)).then(() => undefined),
      CLOSE_WAIT_MS,
      this.time,
    );
    return this.closing;
  }

  private async open(attempt: DeviceAttempt): Promise<void> {
    this.AlsaCapture ??= await loadAlsaCapture(this.loadModule);
    if (!attempt.current) return;
    if (this.pendingCloses.size >= this.maxPendingCloses) {
      throw new AudioError(
        AudioErrorCode.Device,
        `${this.pendingCloses.size} earlier capture threads on '${this.device}' have not ended; the device seems hung`,
      );
    }
    const instance = new this.AlsaCapture({
      device: this.device,
      channels: this.channels,
      rate: this.rate,
      format: 'S16_LE',
      periodSize: this.periodFrames,
    });
    let end!: () => void;
    const ended = new Promise<void>((resolve) => (end = resolve));
    const cap: OpenCapture = {
      instance,
      attempt,
      openedAtMs: this.time.now(),
      converter: this.newConverter(this.rate),
      lastAudioMs: undefined,
      shortRead: undefined,
      discardNext: false,
      overrunsInRow: 0,
      finished: false,
      released: false,
      ended,
      end,
    };
    this.capture = cap;
    this.wire(cap);
    this.armWatchdog();
  }

  private wire(cap: OpenCapture): void {
    const live = () => this.capture === cap;
    const finish = () => {
      if (cap.finished) return;
      cap.finished = true;
      this.pendingCloses.delete(cap);
      cap.end();
    };
    cap.instance.on('audio', (data: Uint8Array) => {
      if (live()) this.onAudio(cap, data);
    });
    cap.instance.on('error', (error: unknown) => {
      finish();
      if (live()) cap.attempt.failed(this.deviceError('cannot open', error));
    });
    cap.instance.on('close', () => {
      finish();
      if (live()) cap.attempt.failed(new AudioError(AudioErrorCode.Device, `capture from '${this.device}' ended unexpectedly`));
    });
    cap.instance.on('readError', (message: unknown) => {
      if (live()) cap.attempt.failed(this.deviceError('read failed on', message));
    });
    cap.instance.on('shortRead', (frames: unknown) => {
      if (!live()) return;
      this.counters.shortReads++;
      const n = Number(frames);
      cap.shortRead = Number.isFinite(n) && n >= 0 ? n : undefined;
    });
    cap.instance.on('overrun', () => {
      if (!live()) return;
      this.counters.overruns++;
      // alsa-capture still hands over its (stale) buffer after an overrun.
      cap.discardNext = true;
      // A device that is gone (e.g. its sound server died) can overrun on every read, in a
      // tight loop that floods this thread with messages: give it up at once.
      if (++cap.overrunsInRow >= MAX_OVERRUNS_IN_ROW) {
        cap.attempt.failed(new AudioError(AudioErrorCode.Device, `ALSA capture device '${this.device}' overruns on every read; it seems gone`));
        return;
      }
      this.logger.debug('capture overrun: audio was lost', { device: this.device });
    });
    cap.instance.on('rateDeviating', (actual: unknown) => {
      if (!live()) return;
      const rate = Number(actual);
      if (!Number.isInteger(rate) || rate === cap.converter.format.rate) return;
      this.logger.info('capture device runs at another rate; resampling from it', { device: this.device, requested: this.rate, actual: rate });
      try {
        cap.converter = this.newConverter(rate);
      } catch (error) {
        cap.attempt.failed(error);
      }
    });
  }

  private onAudio(cap: OpenCapture, data: Uint8Array): void {
    if (cap.discardNext) {
      cap.discardNext = false;
      return;
    }
    cap.overrunsInRow = 0;
    let bytes = data;
    if (cap.shortRead !== undefined) {
      // alsa-capture hands over its whole period buffer even when the read came up short.
      bytes = bytes.subarray(0, cap.shortRead * 2 * this.channels);
      cap.shortRead = undefined;
    }
    cap.lastAudioMs = this.time.now();
    const frames = cap.converter.process(bytes);
    cap.attempt.running();
    for (const frame of frames) {
      if (this.capture !== cap) return; // a listener closed us or the device was dropped
      this.counters.deviceFrames++;
      this.emitFrame(frame);
    }
  }

  private release(): void {
    this.disarmWatchdog();
    const cap = this.capture;
    this.capture = undefined;
    if (!cap || cap.released) return;
    cap.released = true;
    // The native worker is freed when its thread ends; closing it after that would touch freed memory.
    if (cap.finished) return;
    this.pendingCloses.add(cap);
    try {
      cap.instance.close();
    } catch (error) {
      this.logger.warn('closing the capture device threw', { error: toError(error) });
    }
  }

  private onState(state: AudioDeviceState): void {
    if (state.state === 'running') this.leaveFill();
    else if (state.state === 'starting' || state.state === 'retrying') this.enterFill();
    this.emit('state', state);
  }

  private armWatchdog(): void {
    this.disarmWatchdog();
    const interval = Math.max(10, Math.min(this.stallTimeoutMs, this.openTimeoutMs) / 4);
    this.watchdog = this.time.setTimeout(() => this.checkStall(interval), interval);
  }

  private disarmWatchdog(): void {
    if (this.watchdog !== undefined) this.time.clearTimeout(this.watchdog);
    this.watchdog = undefined;
  }

  private checkStall(interval: number): void {
    this.watchdog = undefined;
    const cap = this.capture;
    if (!cap) return;
    const now = this.time.now();
    if (cap.lastAudioMs === undefined) {
      if (now - cap.openedAtMs >= this.openTimeoutMs) {
        cap.attempt.failed(new AudioError(AudioErrorCode.Stalled, `no audio from capture device '${this.device}' within ${this.openTimeoutMs} ms of opening it`));
        return;
      }
    } else if (now - cap.lastAudioMs >= this.stallTimeoutMs) {
      cap.attempt.failed(new AudioError(AudioErrorCode.Stalled, `capture device '${this.device}' delivered no audio for ${Math.round(now - cap.lastAudioMs)} ms`));
      return;
    }
    this.watchdog = this.time.setTimeout(() => this.checkStall(interval), interval);
  }

  /** Continues the frame cadence with silence, from where the device left off. */
  private enterFill(): void {
    if (this.lifecycle !== 'started' || this.fillClock || this.fillStartTimer !== undefined) return;
    const now = this.time.now();
    if (this.lastEmitMs !== undefined) {
      const nextDue = this.lastEmitMs + AUDIO_FRAME_MS;
      if (now < nextDue) {
        this.fillStartTimer = this.time.setTimeout(() => {
          this.fillStartTimer = undefined;
          this.startFillClock();
        }, nextDue - now);
        return;
      }
      // Periods lost while a stall went unnoticed: the first fill frame takes the latest one.
      const missed = Math.floor((now - this.lastEmitMs) / AUDIO_FRAME_MS) - 1;
      if (missed > 0) this.emitSkip(missed);
    }
    this.startFillClock();
  }

  private startFillClock(): void {
    if (this.lifecycle !== 'started' || this.fillClock) return;
    this.fillClock = new MediaClock((tick) => this.onFillTick(tick), {
      periodMs: AUDIO_FRAME_MS,
      timeSource: this.time,
      onError: (error) => this.logger.error('fill frame handler threw', { error: toError(error) }),
    });
    this.fillClock.start();
  }

  private onFillTick(tick: MediaClockTick): void {
    if (tick.skipped > 0) this.emitSkip(tick.skipped);
    this.counters.fillFrames++;
    this.emitFrame(new Int16Array(AUDIO_FRAME_SAMPLES));
  }

  private leaveFill(): void {
    if (this.fillStartTimer !== undefined) this.time.clearTimeout(this.fillStartTimer);
    this.fillStartTimer = undefined;
    this.fillClock?.close();
    this.fillClock = undefined;
  }

  private emitFrame(frame: Int16Array): void {
    this.lastEmitMs = this.time.now();
    this.emit('frame', frame);
  }

  private emitSkip(periods: number): void {
    this.counters.skippedPeriods += periods;
    this.emit('skip', periods);
  }

  private newConverter(rate: number): CaptureFrameConverter {
    return new CaptureFrameConverter({ rate, channels: this.channels, gainDb: this.gainDb });
  }

  private deviceError(doing: string, detail: unknown): AudioError {
    const text = (detail instanceof Error ? detail.message : String(detail)).trim();
    return new AudioError(AudioErrorCode.Device, `${doing} ALSA capture device '${this.device}': ${text}`, { cause: detail });
  }
}

/** Resolves when `promise` does or after `ms`, whichever comes first. */
function waitBounded(promise: Promise<void>, ms: number, time: TimeSource): Promise<void> {
  return new Promise<void>((resolve) => {
    const timer = time.setTimeout(resolve, ms);
    void promise.then(() => {
      time.clearTimeout(timer);
      resolve();
    });
  });
}
