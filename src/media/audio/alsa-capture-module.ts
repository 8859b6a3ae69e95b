import { AudioError, AudioErrorCode } from './audio-error.js';

/** The part of an `alsa-capture` instance the capture source uses (an EventEmitter). */
export interface AlsaCaptureInstance {
  /** `audio` (Buffer of one period), `error` (open failed), `readError`, `shortRead`, `overrun`, `rateDeviating`, `periodSizeDeviating`, `periodTime`, `close`. */
  on(event: string, listener: (...args: any[]) => void): unknown;
  /** Asks the capture thread to stop after its current read; `close` follows. */
  close(): void;
}

/** Hardware parameters passed to `new AlsaCapture(options)`. */
export interface AlsaCaptureOptions {
  device: string;
  channels: number;
  rate: number;
  format: 'S16_LE';
  periodSize: number;
}

/** The `alsa-capture` class. */
export type AlsaCaptureConstructor = new (options: AlsaCaptureOptions) => AlsaCaptureInstance;

/** The fix named by PORTIER_ERR_AUDIO_MODULE. */
export const ALSA_CAPTURE_FIX = 'apt install libasound2-dev && npm ci';

/**
 * Lazily loads the optional native module `alsa-capture` (a missing module or a
 * native part that did not build becomes PORTIER_ERR_AUDIO_MODULE naming the fix).
 */
export async function loadAlsaCapture(load: () => Promise<unknown> = () => import('alsa-capture')): Promise<AlsaCaptureConstructor> {
  let mod: unknown;
  try {
    mod = await load();
  } catch (error) {
    throw missing(error instanceof Error ? error.message : String(error), error);
  }
  // CommonJS `module.exports = AlsaCapture` arrives on `default` through import().
  const candidate = (mod as { default?: unknown } | null)?.default ?? mod;
  if (typeof candidate !== 'function') throw missing('the module does not export the AlsaCapture class');
  return candidate as AlsaCaptureConstructor;
}

function missing(detail: string, cause?: unknown): AudioError {
  return new AudioError(
    AudioErrorCode.Module,
    `the optional audio capture module 'alsa-capture' is not available (${detail.split('\n')[0]}); install it with: ${ALSA_CAPTURE_FIX}`,
    { cause },
  );
}
