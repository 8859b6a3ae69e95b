import { open, type FileHandle } from 'node:fs/promises';
import { endianness } from 'node:os';
import {
  WAV_DATA_SIZE_OFFSET,
  WAV_HEADER_SIZE,
  WAV_MAX_DATA_BYTES,
  WAV_RIFF_SIZE_OFFSET,
  encodeWavHeader,
  riffSize,
} from './wav-header.js';
import { WavUnsupportedError } from './wav-errors.js';

const LITTLE_ENDIAN = endianness() === 'LE';

/** 16-bit samples as little-endian bytes (a view, without copying, on little-endian hosts). */
export function pcmToLittleEndian(samples: Int16Array): Buffer {
  if (LITTLE_ENDIAN) return Buffer.from(samples.buffer, samples.byteOffset, samples.byteLength);
  const out = Buffer.alloc(samples.byteLength);
  for (let i = 0; i < samples.length; i++) out.writeInt16LE(samples[i]!, i * 2);
  return out;
}

/** A complete in-memory 16-bit mono (or interleaved) PCM WAVE file. */
export function encodeWav(samples: Int16Array, sampleRate: number, channels = 1): Buffer {
  const data = pcmToLittleEndian(samples);
  const pad = data.length & 1 ? Buffer.alloc(1) : Buffer.alloc(0);
  return Buffer.concat([encodeWavHeader({ sampleRate, channels, dataBytes: data.length }), data, pad]);
}

/** Options of WavWriter.open(). */
export interface WavWriterOptions {
  sampleRate: number;
  channels?: number;
}

/**
 * Streams 16-bit PCM to a WAVE file (e.g. a call recording): the header is written
 * with "unknown" sizes first — readWav() can still read the file if the process dies —
 * and patched with the real sizes by close().
 */
export class WavWriter {
  private dataBytes = 0;
  private pending: Promise<unknown> = Promise.resolve();
  private closing: Promise<void> | undefined;

  private constructor(private readonly handle: FileHandle) {}

  /** Creates (or truncates) `path` and writes the placeholder header. */
  static async open(path: string, options: WavWriterOptions): Promise<WavWriter> {
    const handle = await open(path, 'w');
    try {
      await handle.write(encodeWavHeader({ sampleRate: options.sampleRate, channels: options.channels ?? 1 }), 0, WAV_HEADER_SIZE, 0);
    } catch (error) {
      await handle.close();
      throw error;
    }
    return new WavWriter(handle);
  }

  /** Bytes of sample data accepted so far. */
  get bytesWritten(): number {
    return this.dataBytes;
  }

  /** Appends samples; writes may be issued without awaiting, they land in call order. */
  write(samples: Int16Array): Promise<void> {
    if (this.closing !== undefined) return Promise.reject(new Error('WavWriter is closed'));
    const bytes = pcmToLittleEndian(samples);
    if (this.dataBytes + bytes.length > WAV_MAX_DATA_BYTES) {
      return Promise.reject(new WavUnsupportedError('recording exceeds the 4 GiB WAVE limit'));
    }
    // Each write gets its own file position now, so concurrent writes cannot interleave.
    const position = WAV_HEADER_SIZE + this.dataBytes;
    this.dataBytes += bytes.length;
    const done = this.handle.write(bytes, 0, bytes.length, position).then(() => undefined);
    this.pending = Promise.all([this.pending, done]);
    return done;
  }

  /** Waits for pending writes, patches the sizes, closes the file. Idempotent. */
  close(): Promise<void> {
    this.closing ??= this.finish();
    return this.closing;
  }

  private async finish(): Promise<void> {
    try {
      await this.pending.catch(() => undefined);
      const sizes = Buffer.alloc(4);
      if (this.dataBytes & 1) await this.handle.write(Buffer.alloc(1), 0, 1, WAV_HEADER_SIZE + this.dataBytes);
      sizes.writeUInt32LE(riffSize(this.dataBytes));
      await this.handle.write(sizes, 0, 4, WAV_RIFF_SIZE_OFFSET);
      sizes.writeUInt32LE(this.dataBytes);
      await this.handle.write(sizes, 0, 4, WAV_DATA_SIZE_OFFSET);
    } finally {
      await this.handle.close();
    }
  }
}
