/** RTP sequence numbers wrap at 2^16 (RFC 3550 A.1 `RTP_SEQ_MOD`). */
export const RTP_SEQ_MOD = 1 << 16;

/** Tuning of {@link SequenceTracker}; the defaults are the values RFC 3550 A.1 suggests. */
export interface SequenceTrackerOptions {
  /** Largest forward jump still taken as loss rather than a restart. */
  maxDropout?: number;
  /** Largest backward step still taken as reordering or duplication. */
  maxMisorder?: number;
  /** Sequential packets needed before a new source is valid; 1 accepts the first packet. */
  minSequential?: number;
}

/** What {@link SequenceTracker.update} concluded about one packet. */
export type SequenceVerdict =
  /** In sequence (or a small forward jump over lost packets): counted. */
  | 'accepted'
  /** Old sequence number (reordered or duplicate) within `maxMisorder`: counted, max not moved. */
  | 'reordered'
  /** The source is still on probation: not yet counted. */
  | 'probation'
  /** A large jump; the packet is not counted unless the next one confirms a restart. */
  | 'discarded'
  /** A second packet confirmed a large jump: the counters were reset to it (a restarted sender). */
  | 'restarted';

/**
 * Extended sequence numbers and source validation for one SSRC, exactly the
 * `init_seq`/`update_seq` algorithm of RFC 3550 Appendix A.1.
 */
export class SequenceTracker {
  private readonly maxDropout: number;
  private readonly maxMisorder: number;
  private readonly minSequential: number;

  /** Highest sequence number seen (16-bit). */
  maxSeq = 0;
  /** Count of wraps, times 2^16 ("shifted count of seq. number cycles" in A.1). */
  cycles = 0;
  /** First sequence number counted; `expected` is measured from it. */
  baseSeq = 0;
  /** Packets counted since the base. */
  received = 0;
  private badSeq = RTP_SEQ_MOD + 1;
  private probation: number;
  private started = false;

  constructor(options: SequenceTrackerOptions = {}) {
    this.maxDropout = options.maxDropout ?? 3000;
    this.maxMisorder = options.maxMisorder ?? 100;
    this.minSequential = Math.max(1, options.minSequential ?? 2);
    this.probation = this.minSequential;
  }

  /** Extended highest sequence number received (cycles + max). */
  get extendedMax(): number {
    return this.cycles + this.maxSeq;
  }

  /** Packets expected since the base, per A.3. */
  get expected(): number {
    return this.started && this.probation === 0 ? this.extendedMax - this.baseSeq + 1 : 0;
  }

  /** True once the source has passed probation. */
  get valid(): boolean {
    return this.started && this.probation === 0;
  }

  /** Feeds the sequence number of one arriving packet. */
  update(seq: number): SequenceVerdict {
    if (!this.started) {
      // A.1: "init_seq(s, seq); s->max_seq = seq - 1; s->probation = MIN_SEQUENTIAL;"
      this.started = true;
      this.initSeq(seq);
      this.maxSeq = (seq - 1) & 0xffff;
      this.probation = this.minSequential;
    }
    const udelta = (seq - this.maxSeq) & 0xffff;

    if (this.probation > 0) {
      // "Source is not valid until MIN_SEQUENTIAL packets with sequential sequence numbers have been received."
      // Deviation: A.1 compares seq == max_seq + 1 without wrapping; we wrap, so 65535 → 0 counts as sequential.
      if (seq === ((this.maxSeq + 1) & 0xffff)) {
        this.probation--;
        this.maxSeq = seq;
        if (this.probation === 0) {
          this.initSeq(seq);
          this.received++;
          return 'accepted';
        }
      } else {
        this.probation = this.minSequential - 1;
        this.maxSeq = seq;
      }
      return 'probation';
    }

    if (udelta < this.maxDropout) {
      // "in order, with permissible gap"
      if (seq < this.maxSeq) this.cycles += RTP_SEQ_MOD;
      this.maxSeq = seq;
      this.received++;
      return 'accepted';
    }
    if (udelta <= RTP_SEQ_MOD - this.maxMisorder) {
      // "the sequence number made a very large jump"
      if (seq === this.badSeq) {
        // "Two sequential packets -- assume that the other side restarted without telling us so just re-sync."
        this.initSeq(seq);
        this.received++;
        return 'restarted';
      }
      this.badSeq = (seq + 1) & (RTP_SEQ_MOD - 1);
      return 'discarded';
    }
    // "duplicate or reordered packet"
    this.received++;
    return 'reordered';
  }

  /** Forgets the source; the next packet starts probation again. */
  reset(): void {
    this.started = false;
    this.probation = this.minSequential;
    this.initSeq(0);
  }

  private initSeq(seq: number): void {
    this.baseSeq = seq;
    this.maxSeq = seq;
    this.badSeq = RTP_SEQ_MOD + 1;
    this.cycles = 0;
    this.received = 0;
  }
}
