/** Size of the canonical PCM WAVE header written by encodeWavHeader(). */
export const WAV_HEADER_SIZE = 44;
/** Offset of the RIFF chunk size, patched when a streaming writer closes. */
export const WAV_RIFF_SIZE_OFFSET = 4;
/** Offset of the data chunk size, patched when a streaming writer closes. */
export const WAV_DATA_SIZE_OFFSET = 40;
/** Size field value meaning "unknown" in a header written before the length is known. */
export const WAV_UNKNOWN_SIZE = 0xffffffff;
/** Largest data chunk a 32-bit RIFF size can describe. */
export const WAV_MAX_DATA_BYTES = 0xffffffff - (WAV_HEADER_SIZE - 8);

/** Parameters of a 16-bit PCM WAVE header. */
export interface WavHeaderOptions {
  sampleRate: number;
  channels?: number;
  /** Size of the sample data; omit while streaming to write the "unknown" placeholder. */
  dataBytes?: number;
}

/**
 * Encodes the 44-byte header of a 16-bit PCM WAVE file:
 * `RIFF <size> WAVE`, `fmt ` (16 bytes, tag 1), `data <size>`.
 */
export function encodeWavHeader(options: WavHeaderOptions): Buffer {
  const channels = options.channels ?? 1;
  const blockAlign = channels * 2;
  const header = Buffer.alloc(WAV_HEADER_SIZE);
  header.write('RIFF', 0, 'latin1');
  header.writeUInt32LE(riffSize(options.dataBytes), WAV_RIFF_SIZE_OFFSET);
  header.write('WAVE', 8, 'latin1');
  header.write('fmt ', 12, 'latin1');
  header.writeUInt32LE(16, 16);
  header.writeUInt16LE(1, 20); // WAVE_FORMAT_PCM
  header.writeUInt16LE(channels, 22);
  header.writeUInt32LE(options.sampleRate, 24);
  header.writeUInt32LE(options.sampleRate * blockAlign, 28);
  header.writeUInt16LE(blockAlign, 32);
  header.writeUInt16LE(16, 34);
  header.write('data', 36, 'latin1');
  header.writeUInt32LE(options.dataBytes ?? WAV_UNKNOWN_SIZE, WAV_DATA_SIZE_OFFSET);
  return header;
}

/** The RIFF chunk size for a given data size (everything after the 8-byte RIFF header). */
export function riffSize(dataBytes: number | undefined): number {
  if (dataBytes === undefined) return WAV_UNKNOWN_SIZE;
  if (!Number.isInteger(dataBytes) || dataBytes < 0 || dataBytes > WAV_MAX_DATA_BYTES) {
    throw new RangeError(`WAVE data size ${dataBytes} out of range`);
  }
  return WAV_HEADER_SIZE - 8 + dataBytes + (dataBytes & 1);
}
