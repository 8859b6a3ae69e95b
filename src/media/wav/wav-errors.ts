import { PortierError } from '../../util/portier-error.js';

/** A file that is not a well-formed RIFF/WAVE file (bad magic, truncated or missing chunks). */
export class WavGarbledError extends PortierError {
  constructor(message: string) {
    super('PORTIER_ERR_WAV_GARBLED', message);
  }
}

/** A well-formed WAVE file in an encoding Portier cannot play (e.g. ADPCM, RIFX, 12-bit). */
export class WavUnsupportedError extends PortierError {
  constructor(message: string) {
    super('PORTIER_ERR_WAV_UNSUPPORTED', message);
  }
}
