import { G711TableCodec } from './g711-table-codec.js';

/*
 * ITU-T G.711 A-law, table-driven.
 *
 * A-law quantises the 13-bit domain (sample16 >> 3), so one 8192-entry table
 * covers every input. Negative samples use the one's-complement magnitude
 * (−x − 1), which is what makes the code set symmetric without a negative zero.
 * Segment 0 and 1 both have a step of 2 (the linear part of the curve);
 * segment s ≥ 1 spans [16·2^s, 32·2^s). Even bits are inverted on the line
 * (XOR 0x55), and the sign bit is 1 for positive values (G.711 §3, table 1a).
 */

/** Even-bit inversion applied to every transmitted A-law code. */
const EVEN_BIT_MASK = 0x55;

const DECODE_TABLE = new Int16Array(256);
const ENCODE_TABLE = new Uint8Array(1 << 13);

for (let code = 0; code < 256; code++) {
  const raw = code ^ EVEN_BIT_MASK;
  const segment = (raw >> 4) & 0x07;
  const step = raw & 0x0f;
  // Mid-step reconstruction in 13-bit units: segment 0 starts at 0, segment s ≥ 1 at 16·2^s.
  const magnitude13 = segment === 0 ? (step << 1) + 1 : ((step << 1) + 33) << (segment - 1);
  const value = magnitude13 << 3;
  DECODE_TABLE[code] = raw & 0x80 ? value : -value;
}

for (let index = 0; index < 1 << 13; index++) {
  const sample13 = index >= 1 << 12 ? index - (1 << 13) : index;
  const positive = sample13 >= 0;
  const magnitude = positive ? sample13 : -sample13 - 1;
  // Segment = position of the highest set bit above bit 4; 0 below 32.
  const segment = magnitude < 32 ? 0 : 31 - Math.clz32(magnitude) - 4;
  const step = (magnitude >> (segment === 0 ? 1 : segment)) & 0x0f;
  ENCODE_TABLE[index] = ((positive ? 0x80 : 0) | (segment << 4) | step) ^ EVEN_BIT_MASK;
}

/** Encodes one 16-bit linear sample to an A-law code. */
export function linearToAlaw(sample: number): number {
  return ENCODE_TABLE[(sample >> 3) & 0x1fff]!;
}

/** Decodes one A-law code to a 16-bit linear sample. */
export function alawToLinear(code: number): number {
  return DECODE_TABLE[code & 0xff]!;
}

/** G.711 A-law (PCMA, static payload type 8). */
export class PcmaCodec extends G711TableCodec {
  readonly name = 'PCMA' as const;
  readonly payloadType = 8 as const;
  readonly silence = 0xd5;

  constructor() {
    super(ENCODE_TABLE, DECODE_TABLE, 3);
  }
}
