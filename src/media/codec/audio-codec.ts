/**
 * A narrowband telephony codec that maps 16-bit linear PCM to RTP payload bytes
 * and back, one sample per byte (the G.711 family).
 */
export interface AudioCodec {
  /** Encoding name as it appears in SDP `a=rtpmap` (RFC 3551 §6). */
  readonly name: 'PCMU' | 'PCMA';
  /** Static RTP payload type (RFC 3551 table 4). */
  readonly payloadType: 0 | 8;
  /** RTP clock rate in Hz. */
  readonly clockRate: 8000;
  /** The code a silent (zero) sample encodes to, for filling gaps without encoding. */
  readonly silence: number;
  /** Encodes linear samples, one output byte per sample. */
  encode(pcm: Int16Array): Buffer;
  /** Decodes payload bytes, one output sample per byte. */
  decode(payload: Uint8Array): Int16Array;
}
