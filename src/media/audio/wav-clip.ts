import { readFile } from 'node:fs/promises';
import { PolyphaseResampler } from '../resample/polyphase-resampler.js';
import { readWav, type WavAudio } from '../wav/wav-reader.js';
import { AUDIO_SAMPLE_RATE } from './audio-format.js';

/** Samples of `audio` (already mono) converted to 8 kHz, with the resampler's look-ahead flushed. */
export function wavTo8k(audio: Pick<WavAudio, 'samples' | 'sampleRate'>): Int16Array {
  if (audio.sampleRate === AUDIO_SAMPLE_RATE) return Int16Array.from(audio.samples);
  const resampler = new PolyphaseResampler(audio.sampleRate, AUDIO_SAMPLE_RATE);
  const expected = Math.round((audio.samples.length * AUDIO_SAMPLE_RATE) / audio.sampleRate);
  const head = resampler.process(audio.samples);
  const flush = new Int16Array(Math.ceil(((resampler.latency + 2) * audio.sampleRate) / AUDIO_SAMPLE_RATE) + 64);
  const tail = resampler.process(flush);
  const out = new Int16Array(expected);
  out.set(head.subarray(0, expected));
  if (head.length < expected) out.set(tail.subarray(0, expected - head.length), head.length);
  return out;
}

/** Reads a WAVE file (any rate, channels and encoding readWav accepts) as 8 kHz mono samples. */
export async function loadWavClip(path: string): Promise<Int16Array> {
  return wavTo8k(readWav(await readFile(path)));
}
