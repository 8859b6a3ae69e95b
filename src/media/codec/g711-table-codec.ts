import type { AudioCodec } from './audio-codec.js';

/**
 * A G.711 codec driven by two precomputed tables: the encode table is indexed by the
 * sample shifted down to the law's resolution (14 bits μ-law, 13 bits A-law), the
 * decode table by the 8-bit code. PCMU and PCMA differ only in their tables.
 */
export abstract class G711TableCodec implements AudioCodec {
  abstract readonly name: 'PCMU' | 'PCMA';
  abstract readonly payloadType: 0 | 8;
  readonly clockRate = 8000 as const;
  abstract readonly silence: number;

  protected constructor(
    private readonly encodeTable: Uint8Array,
    private readonly decodeTable: Int16Array,
    /** Right shift from 16-bit samples to the encode table's index. */
    private readonly shift: number,
  ) {}

  encode(pcm: Int16Array): Buffer {
    const out = Buffer.allocUnsafe(pcm.length);
    const table = this.encodeTable;
    const shift = this.shift;
    const mask = table.length - 1;
    for (let i = 0; i < pcm.length; i++) out[i] = table[(pcm[i]! >> shift) & mask]!;
    return out;
  }

  decode(payload: Uint8Array): Int16Array {
    const out = new Int16Array(payload.length);
    const table = this.decodeTable;
    for (let i = 0; i < payload.length; i++) out[i] = table[payload[i]!]!;
    return out;
  }
}
