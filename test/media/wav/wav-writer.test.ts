import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { WavWriter, encodeWav } from '../../../src/media/wav/wav-writer.js';
import { encodeWavHeader } from '../../../src/media/wav/wav-header.js';
import { readWav } from '../../../src/media/wav/wav-reader.js';

describe('encodeWavHeader', () => {
  it('writes the canonical 44-byte 16-bit PCM header', () => {
    const h = encodeWavHeader({ sampleRate: 8000, dataBytes: 320 });
    expect(h.toString('latin1', 0, 4)).toBe('RIFF');
    expect(h.readUInt32LE(4)).toBe(36 + 320);
    expect(h.toString('latin1', 8, 16)).toBe('WAVEfmt ');
    expect([h.readUInt32LE(16), h.readUInt16LE(20), h.readUInt16LE(22)]).toEqual([16, 1, 1]);
    expect([h.readUInt32LE(24), h.readUInt32LE(28), h.readUInt16LE(32), h.readUInt16LE(34)]).toEqual([8000, 16000, 2, 16]);
    expect(h.toString('latin1', 36, 40)).toBe('data');
    expect(h.readUInt32LE(40)).toBe(320);
  });

  it('writes "unknown" placeholders while streaming', () => {
    const h = encodeWavHeader({ sampleRate: 48000, channels: 2 });
    expect([h.readUInt32LE(4), h.readUInt32LE(40), h.readUInt32LE(28)]).toEqual([0xffffffff, 0xffffffff, 192000]);
  });

  it('rejects impossible sizes', () => {
    expect(() => encodeWavHeader({ sampleRate: 8000, dataBytes: 2 ** 32 })).toThrow(RangeError);
  });
});

describe('WavWriter', () => {
  let dir: string;
  beforeEach(() => {
    dir = mkdtempSync(join(tmpdir(), 'portier-wav-'));
  });
  afterEach(() => rmSync(dir, { recursive: true, force: true }));

  it('streams frames, stays readable before close, and patches sizes on close', async () => {
    const path = join(dir, 'rec.wav');
    const writer = await WavWriter.open(path, { sampleRate: 8000 });
    const frames = [0, 1, 2, 3].map((k) => Int16Array.from({ length: 160 }, (_, i) => k * 1000 + i));
    // Issued without awaiting each: they must still land in order.
    await Promise.all(frames.map((f) => writer.write(f)));
    const before = readFileSync(path);
    expect(before.readUInt32LE(40)).toBe(0xffffffff);
    expect(readWav(before).samples.length).toBe(640);

    await writer.close();
    await writer.close();
    const after = readFileSync(path);
    expect(after.length).toBe(44 + 1280);
    expect(after.readUInt32LE(4)).toBe(36 + 1280);
    expect(after.readUInt32LE(40)).toBe(1280);
    const wav = readWav(after);
    expect([...wav.samples]).toEqual(frames.flatMap((f) => [...f]));
    expect(after.equals(encodeWav(Int16Array.from(wav.samples), 8000))).toBe(true);
    await expect(writer.write(new Int16Array(1))).rejects.toThrow(/closed/);
  });

  const haveSox = spawnSync('soxi', ['-V0']).error === undefined;
  it.skipIf(!haveSox)('produces files sox agrees with', async () => {
    const path = join(dir, 'sox.wav');
    const writer = await WavWriter.open(path, { sampleRate: 16000 });
    await writer.write(new Int16Array(1600));
    await writer.close();
    const info = spawnSync('soxi', [path], { encoding: 'utf8' });
    expect(info.stdout).toMatch(/Sample Rate\s*:\s*16000/);
    expect(info.stdout).toMatch(/Duration\s*:\s*00:00:00\.10 = 1600 samples/);
  });
});
