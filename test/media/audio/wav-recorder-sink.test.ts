import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { WavRecorderSink } from '../../../src/media/audio/wav-recorder-sink.js';
import { readWav } from '../../../src/media/wav/wav-reader.js';

let dir: string;
beforeEach(() => {
  dir = mkdtempSync(join(tmpdir(), 'portier-rec-'));
});
afterEach(() => rmSync(dir, { recursive: true, force: true }));

describe('WavRecorderSink', () => {
  it('records the frames it is given, in order, to a valid 8 kHz mono WAVE file', async () => {
    const path = join(dir, 'call.wav');
    const sink = new WavRecorderSink(path);
    const states: string[] = [];
    sink.on('state', (s) => states.push(s.state));
    sink.start();
    const frame = new Int16Array(160);
    for (let i = 0; i < 50; i++) {
      frame.fill(i * 100); // the caller reuses its buffer
      sink.write(frame);
    }
    await sink.close();
    const wav = readWav(readFileSync(path));
    expect(wav).toMatchObject({ sampleRate: 8000, channels: 1, encoding: 'pcm', bitsPerSample: 16 });
    expect(wav.samples.length).toBe(8000);
    expect(wav.samples[0]).toBe(0);
    expect(wav.samples[160 * 49]).toBe(4900);
    // The header's sizes were patched: data chunk is exactly the samples.
    expect(readFileSync(path).readUInt32LE(40)).toBe(16000);
    expect(states).toEqual(['starting', 'running', 'closed']);
  });

  it('applies its gain', async () => {
    const path = join(dir, 'gain.wav');
    const sink = new WavRecorderSink(path, { gainDb: -6 });
    sink.start();
    sink.write(new Int16Array(160).fill(1000));
    await sink.close();
    expect(readWav(readFileSync(path)).samples[0]).toBe(501);
  });

  it('reports a file it cannot create and ignores writes', async () => {
    const sink = new WavRecorderSink(join(dir, 'missing', 'x.wav'));
    const errors: Error[] = [];
    sink.on('error', (e) => errors.push(e));
    sink.start();
    sink.write(new Int16Array(160));
    await sink.close();
    expect(errors).toHaveLength(1);
    expect(errors[0]).toMatchObject({ code: 'PORTIER_ERR_AUDIO_DEVICE' });
  });
});
