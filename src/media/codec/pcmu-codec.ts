import { G711TableCodec } from './g711-table-codec.js';

/*
 * ITU-T G.711 μ-law, table-driven.
 *
 * The encoder works on the 14-bit magnitude domain of G.711 (the low two bits of
 * a 16-bit sample carry no information), so one 16384-entry table covers every
 * input. Both tables are built once at module load from the segment/step
 * description in G.711 §2 (table 2a), not from a per-sample branch.
 *
 * In the biased domain (magnitude + 33), segment s (0..7) spans
 * [32·2^s, 64·2^s) and is split into 16 equal steps of 2^(s+1); the code is
 * sign | segment << 4 | step, transmitted inverted (every bit complemented).
 */

/** Bias added to the 14-bit magnitude so that segment boundaries are powers of two. */
const BIAS = 33;
/** Largest biased magnitude inside segment 7; anything above clips to its top step. */
const MAX_BIASED = (1 << 13) - 1;

const DECODE_TABLE = new Int16Array(256);
const ENCODE_TABLE = new Uint8Array(1 << 14);

for (let code = 0; code < 256; code++) {
  const inverted = ~code & 0xff;
  const segment = (inverted >> 4) & 0x07;
  const step = inverted & 0x0f;
  // Reconstruct at the middle of the step: ((2·step + 33) << segment) − 33 in 14-bit units,
  // then scale to 16 bits.
  const magnitude14 = (((step << 1) + BIAS) << segment) - BIAS;
  const value = magnitude14 << 2;
  DECODE_TABLE[code] = inverted & 0x80 ? -value : value;
}

for (let index = 0; index < 1 << 14; index++) {
  // index is the 14-bit two's-complement sample (sample16 >> 2) & 0x3fff.
  const sample14 = index >= 1 << 13 ? index - (1 << 14) : index;
  const negative = sample14 < 0;
  const biased = Math.min((negative ? -sample14 : sample14) + BIAS, MAX_BIASED);
  const segment = 31 - Math.clz32(biased) - 5;
  const step = (biased >> (segment + 1)) & 0x0f;
  ENCODE_TABLE[index] = ~((negative ? 0x80 : 0) | (segment << 4) | step) & 0xff;
}

/** Encodes one 16-bit linear sample to a μ-law code. */
export function linearToMulaw(sample: number): number {
  return ENCODE_TABLE[(sample >> 2) & 0x3fff]!;
}

/** Decodes one μ-law code to a 16-bit linear sample. */
export function mulawToLinear(code: number): number {
  return DECODE_TABLE[code & 0xff]!;
}

/** G.711 μ-law (PCMU, static payload type 0). */
export class PcmuCodec extends G711TableCodec {
  readonly name = 'PCMU' as const;
  readonly payloadType = 0 as const;
  readonly silence = 0xff;

  constructor() {
    super(ENCODE_TABLE, DECODE_TABLE, 2);
  }
}
