import { type DtmfDigit, toDtmfDigit } from '../dtmf/dtmf-digit.js';
import { DtmfDigitError } from '../dtmf/dtmf-errors.js';
import { dtmfFrequencies } from '../dtmf/dtmf-frequencies.js';
import { ToneGenerator } from './tone-generator.js';

/** Construction options of a DtmfToneGenerator. */
export interface DtmfToneGeneratorOptions {
  sampleRate?: number;
  frameSamples?: number;
  /** Tone length per key (ITU-T Q.24 receivers need ≥ 40 ms). */
  toneMs?: number;
  /** Silence after each key. */
  gapMs?: number;
  /** Level of the low-group tone. */
  lowLevelDbm0?: number;
  /** Level of the high-group tone; a little above the low one (pre-emphasis) as telephones do. */
  highLevelDbm0?: number;
}

/** Pure generator of in-band DTMF: send() queues keys, nextFrame() plays them. */
export class DtmfToneGenerator {
  private readonly options: Required<DtmfToneGeneratorOptions>;
  private readonly queue: DtmfDigit[] = [];
  private current: ToneGenerator | undefined;

  constructor(options: DtmfToneGeneratorOptions = {}) {
    this.options = {
      sampleRate: options.sampleRate ?? 8000,
      frameSamples: options.frameSamples ?? 160,
      toneMs: options.toneMs ?? 100,
      gapMs: options.gapMs ?? 60,
      lowLevelDbm0: options.lowLevelDbm0 ?? -8,
      highLevelDbm0: options.highLevelDbm0 ?? -6,
    };
  }

  /** Queues keys (e.g. "1234#"); throws DtmfDigitError and queues nothing if one is invalid. */
  send(digits: string): void {
    const keys = [...digits].map((c) => {
      const key = toDtmfDigit(c);
      if (key === undefined) throw new DtmfDigitError(c);
      return key;
    });
    this.queue.push(...keys);
  }

  /** True when nothing is playing or queued. */
  get idle(): boolean {
    return this.current === undefined && this.queue.length === 0;
  }

  /** The next frame of tones and gaps, or null when idle (send the microphone audio instead). */
  nextFrame(): Int16Array | null {
    if (this.idle) return null;
    const frame = new Int16Array(this.options.frameSamples);
    let filled = 0;
    while (filled < frame.length) {
      if (this.current === undefined) {
        const key = this.queue.shift();
        if (key === undefined) break;
        this.current = this.toneFor(key);
      }
      filled += this.current.renderInto(frame, filled);
      if (this.current.finished) this.current = undefined;
    }
    return frame;
  }

  private toneFor(key: DtmfDigit): ToneGenerator {
    const { toneMs, gapMs, lowLevelDbm0, highLevelDbm0, sampleRate, frameSamples } = this.options;
    return new ToneGenerator(
      {
        segments: [
          { frequencies: dtmfFrequencies(key), durationMs: toneMs, levelsDbm0: [lowLevelDbm0, highLevelDbm0] },
          { frequencies: [], durationMs: gapMs },
        ],
        repeat: false,
        levelDbm0: lowLevelDbm0,
      },
      { sampleRate, frameSamples },
    );
  }
}
