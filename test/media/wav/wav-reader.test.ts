import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { readWav } from '../../../src/media/wav/wav-reader.js';
import { encodeWav } from '../../../src/media/wav/wav-writer.js';
import { WavGarbledError, WavUnsupportedError } from '../../../src/media/wav/wav-errors.js';
import { alawToLinear } from '../../../src/media/codec/pcma-codec.js';
import { mulawToLinear } from '../../../src/media/codec/pcmu-codec.js';
import { dominantFrequency } from '../../support/tone-analysis.js';

function chunk(id: string, body: Uint8Array, declaredSize = body.length): Buffer {
  const header = Buffer.alloc(8);
  header.write(id, 0, 'latin1');
  header.writeUInt32LE(declaredSize, 4);
  return Buffer.concat([header, body, body.length & 1 ? Buffer.alloc(1) : Buffer.alloc(0)]);
}

function fmt(tag: number, channels: number, sampleRate: number, bits: number, extra?: Buffer): Buffer {
  const b = Buffer.alloc(16);
  b.writeUInt16LE(tag, 0);
  b.writeUInt16LE(channels, 2);
  b.writeUInt32LE(sampleRate, 4);
  b.writeUInt32LE((sampleRate * channels * bits) / 8, 8);
  b.writeUInt16LE((channels * bits) / 8, 12);
  b.writeUInt16LE(bits, 14);
  return chunk('fmt ', extra ? Buffer.concat([b, extra]) : b);
}

function riff(...chunks: Buffer[]): Buffer {
  const body = Buffer.concat([Buffer.from('WAVE', 'latin1'), ...chunks]);
  const header = Buffer.alloc(8);
  header.write('RIFF', 0, 'latin1');
  header.writeUInt32LE(body.length, 4);
  return Buffer.concat([header, body]);
}

const le16 = (...values: number[]): Buffer => {
  const b = Buffer.alloc(values.length * 2);
  values.forEach((v, i) => b.writeInt16LE(v, i * 2));
  return b;
};

describe('readWav', () => {
  it('reads 16-bit mono PCM and reports the rate', () => {
    const wav = readWav(riff(fmt(1, 1, 44100, 16), chunk('data', le16(0, 1, -1, 32767, -32768))));
    expect(wav).toMatchObject({ sampleRate: 44100, channels: 1, encoding: 'pcm', bitsPerSample: 16 });
    expect([...wav.samples]).toEqual([0, 1, -1, 32767, -32768]);
  });

  it('reads 8-bit unsigned PCM', () => {
    expect([...readWav(riff(fmt(1, 1, 8000, 8), chunk('data', Uint8Array.of(0, 128, 255, 129)))).samples]).toEqual([
      -32768, 0, 32512, 256,
    ]);
  });

  it('expands A-law (tag 6) and μ-law (tag 7)', () => {
    const codes = Uint8Array.of(0x00, 0x55, 0xd5, 0x7f, 0xff, 0x80);
    const alaw = readWav(riff(fmt(6, 1, 8000, 8), chunk('data', codes)));
    expect(alaw.encoding).toBe('alaw');
    expect([...alaw.samples]).toEqual([...codes].map(alawToLinear));
    const mulaw = readWav(riff(fmt(7, 1, 8000, 8), chunk('data', codes)));
    expect(mulaw.encoding).toBe('mulaw');
    expect([...mulaw.samples]).toEqual([...codes].map(mulawToLinear));
  });

  it('mixes stereo to mono', () => {
    const wav = readWav(riff(fmt(1, 2, 48000, 16), chunk('data', le16(1000, 3000, -20000, -20000, 32767, -32768))));
    expect(wav.channels).toBe(2);
    expect([...wav.samples]).toEqual([2000, -20000, 0]);
  });

  it('reads 24-bit and 32-bit PCM and 32-bit float', () => {
    const pcm24 = Uint8Array.of(0x00, 0x00, 0x40, 0xff, 0xff, 0xff, 0x00, 0x00, 0x80);
    expect([...readWav(riff(fmt(1, 1, 8000, 24), chunk('data', pcm24))).samples]).toEqual([16384, -1, -32768]);
    const pcm32 = Buffer.alloc(8);
    pcm32.writeInt32LE(0x12340000, 0);
    pcm32.writeInt32LE(-0x80000000, 4);
    expect([...readWav(riff(fmt(1, 1, 8000, 32), chunk('data', pcm32))).samples]).toEqual([0x1234, -32768]);
    const float = Buffer.alloc(12);
    [0.5, -1, 2].forEach((v, i) => float.writeFloatLE(v, i * 4));
    const wav = readWav(riff(fmt(3, 1, 16000, 32), chunk('data', float)));
    expect(wav.encoding).toBe('float');
    expect([...wav.samples]).toEqual([16384, -32768, 32767]);
  });

  it('reads WAVE_FORMAT_EXTENSIBLE by its sub-format', () => {
    const extra = Buffer.alloc(24);
    extra.writeUInt16LE(22, 0); // cbSize
    extra.writeUInt16LE(16, 2); // valid bits
    extra.writeUInt32LE(4, 4); // channel mask
    extra.writeUInt16LE(1, 8); // sub-format GUID begins with the PCM tag
    const wav = readWav(riff(fmt(0xfffe, 1, 8000, 16, extra), chunk('data', le16(5, -5))));
    expect([...wav.samples]).toEqual([5, -5]);
  });

  it('skips unknown chunks, odd-size padding, and finds data before fmt', () => {
    const list = chunk('LIST', Buffer.from('INFOabc', 'latin1')); // 7 bytes + pad
    expect([...readWav(riff(list, fmt(1, 1, 8000, 16), chunk('fact', Buffer.alloc(4)), chunk('data', le16(7)))).samples]).toEqual([7]);
    expect([...readWav(riff(chunk('data', le16(9, 8)), list, fmt(1, 1, 8000, 16))).samples]).toEqual([9, 8]);
  });

  it('reads what there is of a data chunk cut short or with an unknown size', () => {
    const cut = riff(fmt(1, 1, 8000, 16), chunk('data', le16(1, 2, 3), 1000));
    expect([...readWav(cut).samples]).toEqual([1, 2, 3]);
    const unknown = riff(fmt(1, 1, 8000, 16), chunk('data', le16(4, 5), 0xffffffff));
    expect([...readWav(unknown).samples]).toEqual([4, 5]);
    const odd = riff(fmt(1, 1, 8000, 16), chunk('data', Buffer.concat([le16(6), Uint8Array.of(1)])));
    expect([...readWav(odd).samples]).toEqual([6]); // the half sample is dropped
  });

  it.each([
    ['too short', Buffer.from('RIFF', 'latin1')],
    ['not RIFF', Buffer.concat([Buffer.from('OggS', 'latin1'), Buffer.alloc(40)])],
    ['not WAVE', Buffer.concat([Buffer.from('RIFF\0\0\0\0AVI ', 'latin1'), Buffer.alloc(40)])],
    ['no fmt', riff(chunk('data', le16(1)))],
    ['no data', riff(fmt(1, 1, 8000, 16))],
    ['short fmt', riff(chunk('fmt ', Buffer.alloc(10)), chunk('data', le16(1)))],
    ['zero channels', riff(fmt(1, 0, 8000, 16), chunk('data', le16(1)))],
  ])('rejects a garbled file (%s)', (_, bytes) => {
    expect(() => readWav(bytes)).toThrow(WavGarbledError);
    expect(() => readWav(bytes)).toThrow(expect.objectContaining({ code: 'PORTIER_ERR_WAV_GARBLED' }));
  });

  it.each([
    ['ADPCM', riff(fmt(2, 1, 8000, 4), chunk('data', Buffer.alloc(4)))],
    ['12-bit PCM', riff(fmt(1, 1, 8000, 12), chunk('data', Buffer.alloc(4)))],
    ['16-bit μ-law', riff(fmt(7, 1, 8000, 16), chunk('data', Buffer.alloc(4)))],
    ['64-bit float', riff(fmt(3, 1, 8000, 64), chunk('data', Buffer.alloc(8)))],
    ['RIFX', Buffer.concat([Buffer.from('RIFX\0\0\0\0WAVE', 'latin1'), Buffer.alloc(40)])],
  ])('rejects an unsupported file (%s)', (_, bytes) => {
    expect(() => readWav(bytes)).toThrow(WavUnsupportedError);
  });

  it('round-trips any 16-bit signal through encodeWav', () => {
    fc.assert(
      fc.property(fc.array(fc.integer({ min: -32768, max: 32767 }), { maxLength: 500 }), fc.constantFrom(8000, 16000, 48000), (values, rate) => {
        const samples = Int16Array.from(values);
        const wav = readWav(encodeWav(samples, rate));
        expect(wav.sampleRate).toBe(rate);
        expect([...wav.samples]).toEqual(values);
      }),
      { numRuns: 60 },
    );
  });

  const haveSox = spawnSync('sox', ['--version']).status === 0;
  it.skipIf(!haveSox)('reads files written by sox: μ-law 8 kHz and stereo 44.1 kHz', () => {
    const dir = mkdtempSync(join(tmpdir(), 'portier-wav-'));
    try {
      const ulaw = join(dir, 'ulaw.wav');
      const stereo = join(dir, 'stereo.wav');
      expect(spawnSync('sox', ['-n', '-r', '8000', '-e', 'u-law', '-c', '1', ulaw, 'synth', '0.5', 'sine', '1000']).status).toBe(0);
      expect(spawnSync('sox', ['-n', '-r', '44100', '-b', '16', '-c', '2', stereo, 'synth', '0.3', 'sine', '440', 'sine', '440']).status).toBe(0);
      const a = readWav(readFileSync(ulaw));
      expect(a).toMatchObject({ sampleRate: 8000, encoding: 'mulaw', channels: 1 });
      expect(a.samples.length).toBe(4000);
      expect(dominantFrequency(a.samples)).toBeCloseTo(1000, 0);
      const b = readWav(readFileSync(stereo));
      expect(b).toMatchObject({ sampleRate: 44100, channels: 2, encoding: 'pcm' });
      expect(dominantFrequency(b.samples.subarray(0, 8820), 44100, { maxHz: 2000 })).toBeCloseTo(440, 0);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
