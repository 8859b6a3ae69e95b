import type {
  ConcealedFrame,
  JitterBufferOutput,
  JitterBufferStats,
  JitterFrame,
  JitterPacket,
  JitterPushVerdict,
} from './jitter-buffer-types.js';

/** Tuning of {@link JitterBuffer}. Defaults suit 20 ms G.711 on a LAN or a decent uplink. */
export interface JitterBufferOptions {
  /** Duration of one packet (ptime). */
  frameMs?: number;
  /** RTP clock rate, to turn timestamps into milliseconds. */
  clockRate?: number;
  /** Lower bound of the target delay. */
  minDelayMs?: number;
  /** Upper bound of the target delay. */
  maxDelayMs?: number;
  /** Target delay before anything has been measured. */
  initialDelayMs?: number;
  /** Most frames held (holes count); the oldest is dropped beyond it. Default: 2 × maxDelay. */
  capacityFrames?: number;
  /** Packets over which the delay spread is measured. */
  windowPackets?: number;
  /** Fewest playout periods between two frames dropped to shrink the delay. */
  shrinkIntervalFrames?: number;
  /** A transit-time change larger than this is a timestamp jump, not jitter: resync. */
  resyncThresholdMs?: number;
  /**
   * Tells silent frames apart; when given, the delay is only shrunk on silent
   * frames (unless it exceeds `maxDelayMs`). Without it any frame may be dropped.
   */
  isSilence?: (payload: Buffer) => boolean;
}

interface Slot {
  ext: number;
  timestamp: number;
  payload: Buffer;
  marker: boolean;
  arrivalMs: number;
}

/** Largest backward step still taken as reordering rather than a sender restart (RFC 3550 A.1 MAX_MISORDER). */
const MAX_MISORDER = 100;
/** Largest forward step still taken as loss rather than a sender restart (A.1 MAX_DROPOUT). */
const MAX_DROPOUT = 3000;
/** Packets measured before the target delay follows the measurements instead of `initialDelayMs`. */
const MIN_MEASURED_PACKETS = 10;

const BUFFERING: ConcealedFrame = Object.freeze({ concealed: true, reason: 'buffering' });
const LOST: ConcealedFrame = Object.freeze({ concealed: true, reason: 'lost' });

/**
 * Adaptive playout buffer for one incoming audio stream.
 *
 * A pure synchronous stage: `push` each received packet, and call `pop(nowMs)`
 * exactly once per playout period (clocked by the playback device); no timers.
 *
 * The target delay is the spread of packet transit times (latest − earliest)
 * over the last `windowPackets` packets plus one frame, clamped to
 * [minDelayMs, maxDelayMs]: just enough to have played all of them on time.
 * Delay grows when the buffer runs dry (it re-buffers to the target before
 * playing on) and at a talkspurt start (marker bit) if below target; it shrinks
 * by dropping single frames — preferably silent ones or holes — when more than
 * one frame above target. Frames are stored in a ring indexed by extended
 * sequence number, so push and pop are O(1) apart from the window scan.
 */
export class JitterBuffer {
  private readonly frameMs: number;
  private readonly msPerTick: number;
  private readonly minDelayMs: number;
  private readonly maxDelayMs: number;
  private readonly initialDelayMs: number;
  private readonly capacity: number;
  private readonly shrinkInterval: number;
  private readonly resyncThresholdMs: number;
  private readonly isSilence: ((payload: Buffer) => boolean) | undefined;

  private readonly ring: Array<Slot | undefined>;
  private count = 0;
  private playing = false;
  /** Next extended sequence number to play; anything below it is late. Undefined before the first packet. */
  private nextExt: number | undefined;
  /** True until the first frame is played after a (re)start, so earlier reordered packets may still get in. */
  private rewindable = true;
  private highestExt = 0;
  private heldTalkspurtExt: number | undefined;
  private badSeq: number | undefined;
  private ssrc: number | undefined;
  private pollsSinceShrink = 0;

  // Timestamp extension: the RTP timestamp of the highest packet and its unwrapped value.
  private refTimestamp = 0;
  private refTimestampExt = 0;

  // Transit measurements (arrival − media time, ms) over a sliding window.
  private readonly window: Float64Array;
  private windowCount = 0;
  private windowNext = 0;
  private windowMin = 0;
  private windowMax = 0;
  private lastTransit: number | undefined;
  private jitterMs = 0;
  private targetDelayMs: number;

  private readonly counters = {
    received: 0,
    played: 0,
    late: 0,
    duplicate: 0,
    concealed: 0,
    lost: 0,
    underruns: 0,
    overflowDropped: 0,
    shrinkDropped: 0,
    resyncs: 0,
  };

  constructor(options: JitterBufferOptions = {}) {
    this.frameMs = options.frameMs ?? 20;
    this.msPerTick = 1000 / (options.clockRate ?? 8000);
    this.minDelayMs = options.minDelayMs ?? this.frameMs;
    this.maxDelayMs = Math.max(this.minDelayMs, options.maxDelayMs ?? 200);
    this.initialDelayMs = this.clampDelay(options.initialDelayMs ?? 3 * this.frameMs);
    this.capacity = Math.max(2, options.capacityFrames ?? Math.ceil((2 * this.maxDelayMs) / this.frameMs));
    this.shrinkInterval = options.shrinkIntervalFrames ?? 10;
    this.resyncThresholdMs = options.resyncThresholdMs ?? 1000;
    this.isSilence = options.isSilence;
    this.ring = new Array<Slot | undefined>(this.capacity).fill(undefined);
    this.window = new Float64Array(Math.max(2, options.windowPackets ?? 100));
    this.targetDelayMs = this.initialDelayMs;
  }

  /** Offers one received packet. */
  push(packet: JitterPacket): JitterPushVerdict {
    this.counters.received++;
    if (packet.ssrc !== undefined && this.ssrc !== undefined && packet.ssrc !== this.ssrc) {
      return this.resync(packet);
    }
    if (packet.ssrc !== undefined) this.ssrc = packet.ssrc;
    if (this.nextExt === undefined) {
      this.start(packet);
      return 'queued';
    }

    const ext = this.highestExt + (((packet.seq - this.highestExt) << 16) >> 16);
    if (ext - this.highestExt > MAX_DROPOUT) return this.resync(packet);

    const existing = this.ring[this.index(ext)];
    if (existing !== undefined && existing.ext === ext) {
      this.counters.duplicate++;
      return 'duplicate';
    }

    const transit = this.transitOf(packet);
    if (Math.abs(transit - this.windowMin) > this.resyncThresholdMs && this.windowCount > 0) {
      return this.resync(packet);
    }
    this.measure(transit);

    if (ext < this.nextExt) {
      const canRewind = this.rewindable && !this.playing && this.highestExt - ext < this.capacity;
      if (!canRewind) {
        if (this.highestExt - ext > MAX_MISORDER) {
          // A.1: a second sequential packet far behind means the sender restarted its numbering.
          if (packet.seq === this.badSeq) return this.resync(packet);
          this.badSeq = (packet.seq + 1) & 0xffff;
        }
        this.counters.late++;
        return 'late';
      }
      this.nextExt = ext;
    }
    this.badSeq = undefined;

    if (ext - this.nextExt >= this.capacity) this.dropOldest(ext - this.capacity + 1, ext);
    this.store(packet, ext);
    return 'queued';
  }

  /** Returns what to play for the current period; call once per period. */
  pop(nowMs: number): JitterBufferOutput {
    if (this.nextExt === undefined) return BUFFERING;
    if (!this.playing && !this.tryStart(nowMs)) return this.conceal(BUFFERING);
    this.pollsSinceShrink++;

    let next = this.nextExt;
    if (this.shouldShrink()) {
      const slot = this.slotAt(next);
      const force = this.depth() * this.frameMs > this.maxDelayMs;
      if (slot === undefined || force || this.isSilence === undefined || this.isSilence(slot.payload)) {
        if (slot !== undefined) this.remove(slot);
        this.counters.shrinkDropped += slot === undefined ? 0 : 1;
        this.pollsSinceShrink = 0;
        next = ++this.nextExt;
      }
    }

    const slot = this.slotAt(next);
    if (slot === undefined) {
      if (this.count > 0) {
        this.nextExt = next + 1;
        this.counters.lost++;
        return this.conceal(LOST);
      }
      // Ran dry: re-buffer to the target rather than skip ahead, so a delayed packet is not lost.
      this.playing = false;
      this.counters.underruns++;
      return this.conceal(BUFFERING);
    }

    if (slot.marker && this.heldTalkspurtExt !== slot.ext && this.depth() * this.frameMs < this.targetDelayMs) {
      // Talkspurt start below target: build delay up now, in the silence before the speech.
      this.heldTalkspurtExt = slot.ext;
      this.playing = false;
      return this.conceal(BUFFERING);
    }

    this.remove(slot);
    this.nextExt = next + 1;
    this.counters.played++;
    const frame: JitterFrame = {
      concealed: false,
      seq: slot.ext & 0xffff,
      timestamp: slot.timestamp,
      payload: slot.payload,
      marker: slot.marker,
    };
    return frame;
  }

  /** Current counters and state. */
  get stats(): JitterBufferStats {
    return {
      ...this.counters,
      targetDelayMs: this.targetDelayMs,
      bufferedMs: this.depth() * this.frameMs,
      jitterMs: this.jitterMs,
    };
  }

  /** Frames stored now (holes not counted); never more than the capacity. */
  get size(): number {
    return this.count;
  }

  /** Drops all frames and measurements; the next packet starts a new stream. */
  reset(): void {
    this.ring.fill(undefined);
    this.count = 0;
    this.playing = false;
    this.nextExt = undefined;
    this.rewindable = true;
    this.heldTalkspurtExt = undefined;
    this.badSeq = undefined;
    this.ssrc = undefined;
    this.windowCount = 0;
    this.windowNext = 0;
    this.lastTransit = undefined;
  }

  private resync(packet: JitterPacket): JitterPushVerdict {
    // Unplayed frames of the old stream are dropped: they belong to a timeline we no longer follow.
    this.reset();
    this.counters.resyncs++;
    if (packet.ssrc !== undefined) this.ssrc = packet.ssrc;
    this.start(packet);
    return 'resync';
  }

  private start(packet: JitterPacket): void {
    // Extended numbers start high so that reordered packets before the first stay positive.
    const ext = (1 << 20) + packet.seq;
    this.highestExt = ext;
    this.nextExt = ext;
    this.refTimestamp = packet.timestamp;
    this.refTimestampExt = 0;
    this.measure(this.transitOf(packet));
    this.store(packet, ext);
  }

  private tryStart(nowMs: number): boolean {
    if (this.count === 0) return false;
    let lowest = this.nextExt!;
    while (this.slotAt(lowest) === undefined) lowest++;
    const waitedMs = nowMs - this.slotAt(lowest)!.arrivalMs;
    const bufferedMs = (this.highestExt - lowest + 1) * this.frameMs;
    // Start on either condition: depth covers a burst that arrived at once, waiting time covers a
    // talkspurt shorter than the target that would otherwise sit in the buffer until the next one.
    if (bufferedMs < this.targetDelayMs && waitedMs < this.targetDelayMs - this.frameMs) return false;
    this.playing = true;
    this.rewindable = false;
    this.nextExt = lowest;
    // Starting is itself the delay build-up; do not hold this frame again if it opens a talkspurt.
    this.heldTalkspurtExt = lowest;
    return true;
  }

  private shouldShrink(): boolean {
    return (
      this.pollsSinceShrink > this.shrinkInterval &&
      this.count > 1 &&
      this.depth() * this.frameMs > this.targetDelayMs + this.frameMs
    );
  }

  private conceal(output: ConcealedFrame): ConcealedFrame {
    this.counters.concealed++;
    return output;
  }

  private depth(): number {
    if (this.nextExt === undefined || this.count === 0) return 0;
    return Math.max(0, this.highestExt - this.nextExt + 1);
  }

  private index(ext: number): number {
    return ext % this.capacity;
  }

  private slotAt(ext: number): Slot | undefined {
    const slot = this.ring[this.index(ext)];
    return slot !== undefined && slot.ext === ext ? slot : undefined;
  }

  private store(packet: JitterPacket, ext: number): void {
    this.ring[this.index(ext)] = {
      ext,
      timestamp: packet.timestamp,
      payload: packet.payload,
      marker: packet.marker ?? false,
      arrivalMs: packet.arrivalMs,
    };
    this.count++;
    if (ext > this.highestExt) {
      this.highestExt = ext;
      this.refTimestampExt += (packet.timestamp - this.refTimestamp) | 0;
      this.refTimestamp = packet.timestamp;
    }
  }

  private remove(slot: Slot): void {
    this.ring[this.index(slot.ext)] = undefined;
    this.count--;
  }

  /** Makes room for `incoming` by dropping stored frames below `floor`, and moves playout to the oldest kept. */
  private dropOldest(floor: number, incoming: number): void {
    for (const slot of this.ring) {
      if (slot !== undefined && slot.ext < floor) {
        this.remove(slot);
        this.counters.overflowDropped++;
      }
    }
    let next = floor;
    while (next < incoming && this.slotAt(next) === undefined) next++;
    this.nextExt = next;
  }

  /** Arrival minus media time in ms; constant for a jitter-free path, whatever the clocks' offset. */
  private transitOf(packet: JitterPacket): number {
    const timestampExt = this.refTimestampExt + ((packet.timestamp - this.refTimestamp) | 0);
    return packet.arrivalMs - timestampExt * this.msPerTick;
  }

  private measure(transit: number): void {
    if (this.lastTransit !== undefined) {
      this.jitterMs += (Math.abs(transit - this.lastTransit) - this.jitterMs) / 16;
    }
    this.lastTransit = transit;

    this.window[this.windowNext] = transit;
    this.windowNext = (this.windowNext + 1) % this.window.length;
    this.windowCount = Math.min(this.windowCount + 1, this.window.length);
    let min = Infinity;
    let max = -Infinity;
    for (let i = 0; i < this.windowCount; i++) {
      const t = this.window[i]!;
      if (t < min) min = t;
      if (t > max) max = t;
    }
    this.windowMin = min;
    this.windowMax = max;
    if (this.windowCount >= Math.min(MIN_MEASURED_PACKETS, this.window.length)) {
      this.targetDelayMs = this.clampDelay(this.windowMax - this.windowMin + this.frameMs);
    }
  }

  private clampDelay(ms: number): number {
    return Math.min(this.maxDelayMs, Math.max(this.minDelayMs, ms));
  }
}
