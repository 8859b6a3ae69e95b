import { describe, expect, it } from 'vitest';
import { PcmaCodec, alawToLinear, linearToAlaw } from '../../../src/media/codec/pcma-codec.js';
import { PcmuCodec, linearToMulaw, mulawToLinear } from '../../../src/media/codec/pcmu-codec.js';
import type { AudioCodec } from '../../../src/media/codec/audio-codec.js';
import { refAlawToLinear, refLinearToAlaw, refLinearToUlaw, refUlawToLinear } from './g711-reference.js';

const ALL_SAMPLES = (() => {
  const pcm = new Int16Array(65536);
  for (let i = 0; i < 65536; i++) pcm[i] = i - 32768;
  return pcm;
})();
const ALL_CODES = Buffer.from(Array.from({ length: 256 }, (_, i) => i));

describe('G.711 μ-law (PcmuCodec)', () => {
  const codec = new PcmuCodec();

  it('describes itself for SDP', () => {
    expect([codec.name, codec.payloadType, codec.clockRate]).toEqual(['PCMU', 0, 8000]);
    expect(mulawToLinear(codec.silence)).toBe(0);
    expect(codec.encode(new Int16Array([0]))[0]).toBe(codec.silence);
  });

  it('decodes the ITU reference points', () => {
    expect(mulawToLinear(0xff)).toBe(0);
    expect(mulawToLinear(0x7f)).toBe(0);
    expect(mulawToLinear(0x80)).toBe(32124);
    expect(mulawToLinear(0x00)).toBe(-32124);
    expect(mulawToLinear(0xfe)).toBe(8);
    expect(mulawToLinear(0xef)).toBe(132); // first level of segment 1
    expect(mulawToLinear(0xdf)).toBe(396); // first level of segment 2
  });

  it('matches the textbook decoder for all 256 codes', () => {
    const decoded = codec.decode(ALL_CODES);
    for (let c = 0; c < 256; c++) expect(decoded[c]).toBe(refUlawToLinear(c));
  });

  it('matches the textbook encoder for every 16-bit sample', () => {
    const encoded = codec.encode(ALL_SAMPLES);
    let mismatches = 0;
    for (let i = 0; i < ALL_SAMPLES.length; i++) {
      if (encoded[i] !== refLinearToUlaw(ALL_SAMPLES[i]!)) mismatches++;
    }
    expect(mismatches).toBe(0);
    expect(linearToMulaw(32767)).toBe(0x80);
    expect(linearToMulaw(-32768)).toBe(0x00);
    expect(linearToMulaw(0)).toBe(0xff);
    expect(linearToMulaw(-1)).toBe(0x7e); // 14-bit floor makes -1 a magnitude of 1, not 0
  });
});

describe('G.711 A-law (PcmaCodec)', () => {
  const codec = new PcmaCodec();

  it('describes itself for SDP', () => {
    expect([codec.name, codec.payloadType, codec.clockRate]).toEqual(['PCMA', 8, 8000]);
    expect(codec.encode(new Int16Array([0]))[0]).toBe(codec.silence);
  });

  it('decodes the ITU reference points', () => {
    expect(alawToLinear(0xd5)).toBe(8);
    expect(alawToLinear(0x55)).toBe(-8);
    expect(alawToLinear(0x2a)).toBe(-32256);
    expect(alawToLinear(0xaa)).toBe(32256);
  });

  it('matches the textbook decoder for all 256 codes', () => {
    const decoded = codec.decode(ALL_CODES);
    for (let c = 0; c < 256; c++) expect(decoded[c]).toBe(refAlawToLinear(c));
  });

  it('matches the textbook encoder for every 16-bit sample', () => {
    const encoded = codec.encode(ALL_SAMPLES);
    let mismatches = 0;
    for (let i = 0; i < ALL_SAMPLES.length; i++) {
      if (encoded[i] !== refLinearToAlaw(ALL_SAMPLES[i]!)) mismatches++;
    }
    expect(mismatches).toBe(0);
    expect(linearToAlaw(32767)).toBe(0xaa);
    expect(linearToAlaw(-32768)).toBe(0x2a);
  });
});

describe.each<[string, AudioCodec, number]>([
  // The largest error is in the clipped tail beyond the top reconstruction level.
  ['PCMU', new PcmuCodec(), 32768 - 32124],
  ['PCMA', new PcmaCodec(), 32768 - 32256],
])('%s properties', (_name, codec, maxError) => {
  const decoded = codec.decode(codec.encode(ALL_SAMPLES));

  it('bounds the error of a full 16-bit sweep, relative to the sample size', () => {
    let worst = 0;
    for (let i = 0; i < ALL_SAMPLES.length; i++) {
      const x = ALL_SAMPLES[i]!;
      const err = Math.abs(decoded[i]! - x);
      worst = Math.max(worst, err);
      // Companding keeps the error within one step: about 1/16 of the segment, so ≤ |x|/16 + small.
      if (Math.abs(x) < 32000) expect(err).toBeLessThanOrEqual(Math.abs(x) / 16 + 16);
    }
    expect(worst).toBeLessThanOrEqual(maxError);
  });

  it('is monotonic non-decreasing over the sweep', () => {
    for (let i = 1; i < decoded.length; i++) {
      if (decoded[i]! < decoded[i - 1]!) throw new Error(`not monotonic at ${ALL_SAMPLES[i]}`);
    }
  });

  it('is idempotent: decode(encode(decode(c))) == decode(c) for all 256 codes', () => {
    const once = codec.decode(ALL_CODES);
    const twice = codec.decode(codec.encode(once));
    expect(Array.from(twice)).toEqual(Array.from(once));
  });

  it('round-trips every code through the decoder except μ-law negative zero', () => {
    const back = codec.encode(codec.decode(ALL_CODES));
    const differing = Array.from(ALL_CODES).filter((c) => back[c] !== c);
    expect(differing).toEqual(codec.name === 'PCMU' ? [0x7f] : []);
  });

  it('encodes and decodes frames of any length', () => {
    expect(codec.encode(new Int16Array(0)).length).toBe(0);
    expect(codec.decode(Buffer.alloc(160, codec.silence))).toEqual(new Int16Array(160).fill(codec.decode(Buffer.from([codec.silence]))[0]!));
  });
});
