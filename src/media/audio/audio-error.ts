import { PortierError } from '../../util/portier-error.js';

/** Stable codes of the audio device layer's errors. */
export const AudioErrorCode = {
  /** The optional native module `alsa-capture` is not installed or did not build. */
  Module: 'PORTIER_ERR_AUDIO_MODULE',
  /** An ALSA device could not be opened, failed while running, or its process exited. */
  Device: 'PORTIER_ERR_AUDIO_DEVICE',
  /** A capture device stopped delivering audio without reporting an error. */
  Stalled: 'PORTIER_ERR_AUDIO_STALLED',
  /** A helper program (aplay) is not installed. */
  Program: 'PORTIER_ERR_AUDIO_PROGRAM',
  /** An audio option is out of range (rate, gain, latency). */
  Config: 'PORTIER_ERR_AUDIO_CONFIG',
} as const;

export type AudioErrorCode = (typeof AudioErrorCode)[keyof typeof AudioErrorCode];

/** An error of the audio device layer; `message` says what failed and, where known, the fix. */
export class AudioError extends PortierError {
  declare readonly code: AudioErrorCode;

  constructor(code: AudioErrorCode, message: string, options?: { cause?: unknown }) {
    super(code, message, options);
  }
}

/** Turns anything thrown or emitted into an Error for state reports and logs. */
export function toError(value: unknown): Error {
  if (value instanceof Error) return value;
  return new Error(String(value).trim());
}
