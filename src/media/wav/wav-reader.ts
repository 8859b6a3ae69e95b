import { alawToLinear } from '../codec/pcma-codec.js';
import { mulawToLinear } from '../codec/pcmu-codec.js';
import { WavGarbledError, WavUnsupportedError } from './wav-errors.js';

/** Sample encodings the reader understands. */
export type WavEncoding = 'pcm' | 'float' | 'alaw' | 'mulaw';

/** A decoded WAVE file: its format as stored, and its audio mixed down to mono 16-bit. */
export interface WavAudio {
  sampleRate: number;
  /** Channels in the file; `samples` is always their mono mix. */
  channels: number;
  encoding: WavEncoding;
  bitsPerSample: number;
  samples: Int16Array;
}

// WAVE format tags (RFC 2361 / mmreg.h).
const FORMAT_PCM = 0x0001;
const FORMAT_FLOAT = 0x0003;
const FORMAT_ALAW = 0x0006;
const FORMAT_MULAW = 0x0007;
const FORMAT_EXTENSIBLE = 0xfffe;

const RIFF_HEADER_SIZE = 12;
const CHUNK_HEADER_SIZE = 8;
const FMT_MIN_SIZE = 16;
/** In WAVE_FORMAT_EXTENSIBLE the sub-format GUID starts with the real format tag. */
const EXTENSIBLE_SUBFORMAT_OFFSET = 24;
/** A data size a streaming writer leaves when it never learned the length. */
const UNKNOWN_SIZE = 0xffffffff;

interface Format {
  encoding: WavEncoding;
  channels: number;
  sampleRate: number;
  bitsPerSample: number;
}

/**
 * Parses a RIFF/WAVE file: PCM 8/16/24/32-bit, 32-bit float, A-law (6), μ-law (7) and
 * their WAVE_FORMAT_EXTENSIBLE forms; any channel count, mixed to mono; any sample
 * rate (reported, not converted). Unknown chunks and odd-size padding are skipped; a
 * data chunk cut short (a recording that was never closed) is read as far as it goes.
 */
export function readWav(bytes: Uint8Array): WavAudio {
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  if (bytes.length < RIFF_HEADER_SIZE) throw new WavGarbledError(`file too short for a RIFF header (${bytes.length} bytes)`);
  const riff = ascii(bytes, 0);
  if (riff === 'RIFX' || riff === 'RF64') throw new WavUnsupportedError(`${riff} files are not supported`);
  if (riff !== 'RIFF' || ascii(bytes, 8) !== 'WAVE') throw new WavGarbledError('not a RIFF/WAVE file');

  let format: Format | undefined;
  let data: Uint8Array | undefined;
  let offset = RIFF_HEADER_SIZE;
  while (offset + CHUNK_HEADER_SIZE <= bytes.length) {
    const id = ascii(bytes, offset);
    const size = view.getUint32(offset + 4, true);
    const body = offset + CHUNK_HEADER_SIZE;
    const available = bytes.length - body;
    if (id === 'data') {
      // Unpatched streaming headers say 0xFFFFFFFF (or too much): take what is there.
      data = bytes.subarray(body, body + (size === UNKNOWN_SIZE ? available : Math.min(size, available)));
    } else if (id === 'fmt ') {
      if (size < FMT_MIN_SIZE || size > available) throw new WavGarbledError(`fmt chunk of ${size} bytes is malformed`);
      format = parseFormat(new DataView(bytes.buffer, bytes.byteOffset + body, size));
    }
    if (size > available) break; // a cut-off last chunk: nothing follows it

    offset = body + size + (size & 1); // RIFF pads odd-sized chunks to an even length
  }
  if (format === undefined) throw new WavGarbledError('no fmt chunk');
  if (data === undefined) throw new WavGarbledError('no data chunk');
  return { ...format, samples: decodeToMono(data, format) };
}

function parseFormat(fmt: DataView): Format {
  let tag = fmt.getUint16(0, true);
  const channels = fmt.getUint16(2, true);
  const sampleRate = fmt.getUint32(4, true);
  const bitsPerSample = fmt.getUint16(14, true);
  if (tag === FORMAT_EXTENSIBLE) {
    if (fmt.byteLength < EXTENSIBLE_SUBFORMAT_OFFSET + 2) throw new WavGarbledError('WAVE_FORMAT_EXTENSIBLE without sub-format');
    tag = fmt.getUint16(EXTENSIBLE_SUBFORMAT_OFFSET, true);
  }
  if (channels === 0) throw new WavGarbledError('fmt chunk says 0 channels');
  if (sampleRate === 0) throw new WavGarbledError('fmt chunk says sample rate 0');
  const encoding = encodingOf(tag, bitsPerSample);
  return { encoding, channels, sampleRate, bitsPerSample };
}

function encodingOf(tag: number, bits: number): WavEncoding {
  switch (tag) {
    case FORMAT_PCM:
      if (bits === 8 || bits === 16 || bits === 24 || bits === 32) return 'pcm';
      break;
    case FORMAT_FLOAT:
      if (bits === 32) return 'float';
      break;
    case FORMAT_ALAW:
      if (bits === 8) return 'alaw';
      break;
    case FORMAT_MULAW:
      if (bits === 8) return 'mulaw';
      break;
    default:
      throw new WavUnsupportedError(`WAVE format tag 0x${tag.toString(16).padStart(4, '0')} is not supported`);
  }
  throw new WavUnsupportedError(`${bits}-bit samples are not supported for WAVE format tag ${tag}`);
}

function decodeToMono(data: Uint8Array, format: Format): Int16Array {
  const bytesPerSample = format.bitsPerSample / 8;
  const frameBytes = bytesPerSample * format.channels;
  const frames = Math.floor(data.length / frameBytes); // a partial last frame is dropped
  const view = new DataView(data.buffer, data.byteOffset, data.byteLength);
  const read = sampleReader(format.encoding, format.bitsPerSample, view, data);
  const out = new Int16Array(frames);
  for (let f = 0; f < frames; f++) {
    let sum = 0;
    for (let c = 0; c < format.channels; c++) sum += read(f * frameBytes + c * bytesPerSample);
    const mono = Math.round(sum / format.channels);
    out[f] = mono > 32767 ? 32767 : mono < -32768 ? -32768 : mono;
  }
  return out;
}

/** Returns a reader of one sample at a byte offset, scaled to the 16-bit range (unclamped). */
function sampleReader(encoding: WavEncoding, bits: number, view: DataView, data: Uint8Array): (at: number) => number {
  switch (encoding) {
    case 'alaw':
      return (at) => alawToLinear(data[at]!);
    case 'mulaw':
      return (at) => mulawToLinear(data[at]!);
    case 'float':
      return (at) => view.getFloat32(at, true) * 32768;
    case 'pcm':
      if (bits === 8) return (at) => (data[at]! - 128) << 8; // 8-bit WAVE is unsigned
      if (bits === 16) return (at) => view.getInt16(at, true);
      if (bits === 24) return (at) => ((data[at + 2]! << 24) | (data[at + 1]! << 16) | (data[at]! << 8)) >> 16;
      return (at) => view.getInt32(at, true) / 65536;
  }
}

function ascii(bytes: Uint8Array, offset: number): string {
  return String.fromCharCode(bytes[offset]!, bytes[offset + 1]!, bytes[offset + 2]!, bytes[offset + 3]!);
}
