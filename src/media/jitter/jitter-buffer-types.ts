/** One RTP packet's worth of audio as handed to the jitter buffer by the depacketizer. */
export interface JitterPacket {
  /** RTP sequence number (16-bit). */
  seq: number;
  /** RTP timestamp (32-bit). */
  timestamp: number;
  /** One frame of encoded audio (e.g. 160 G.711 octets for 20 ms). */
  payload: Buffer;
  /** Arrival time in milliseconds on the same monotonic clock as `pop(nowMs)`. */
  arrivalMs: number;
  /** RTP marker bit: the first packet of a talkspurt (RFC 3551 §4.1). */
  marker?: boolean;
  /** SSRC; a change resynchronises the buffer. */
  ssrc?: number;
}

/** A frame ready for the decoder. */
export interface JitterFrame {
  concealed: false;
  seq: number;
  timestamp: number;
  payload: Buffer;
  marker: boolean;
}

/**
 * No frame to play this period; the caller conceals (see PacketLossConcealer).
 * `lost`: the frame is missing but later ones are here (loss or too late).
 * `buffering`: nothing to play yet — start-up, underrun, silence gap, or delay being built up.
 */
export interface ConcealedFrame {
  concealed: true;
  reason: 'lost' | 'buffering';
}

/** What `JitterBuffer.pop` returns once per playout period. */
export type JitterBufferOutput = JitterFrame | ConcealedFrame;

/** What `JitterBuffer.push` did with a packet. */
export type JitterPushVerdict =
  /** Stored for playout. */
  | 'queued'
  /** This sequence number is already buffered. */
  | 'duplicate'
  /** Its playout time has passed (or it is older than the buffer holds). */
  | 'late'
  /** SSRC change, timestamp jump or sequence restart: the buffer was flushed and restarted with this packet. */
  | 'resync';

/** Counters and current state, for logs and RTCP-XR-like reporting. */
export interface JitterBufferStats {
  /** Packets pushed. */
  received: number;
  /** Frames returned for decoding. */
  played: number;
  /** Packets dropped because their playout time had passed. */
  late: number;
  /** Packets dropped as duplicates. */
  duplicate: number;
  /** Concealed outputs since the first packet (both reasons). */
  concealed: number;
  /** Concealed outputs for a missing frame in the middle of the stream. */
  lost: number;
  /** Times the buffer ran empty while playing. */
  underruns: number;
  /** Oldest frames dropped because the buffer was full. */
  overflowDropped: number;
  /** Frames dropped on purpose to bring the delay down to the target. */
  shrinkDropped: number;
  /** Flushes on SSRC change, timestamp jump or sequence restart. */
  resyncs: number;
  /** Current target delay. */
  targetDelayMs: number;
  /** Frames now buffered (holes included), times the frame duration. */
  bufferedMs: number;
  /** RFC 3550 A.8-style interarrival jitter estimate, in ms. */
  jitterMs: number;
}
