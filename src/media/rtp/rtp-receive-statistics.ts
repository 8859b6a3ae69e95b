import { ntpMiddle32, type NtpTimestamp } from './ntp-timestamp.js';
import type { ReportBlock } from './rtcp-report-block.js';
import { CUMULATIVE_LOST_MAX, CUMULATIVE_LOST_MIN } from './rtcp-report-block.js';
import { SequenceTracker, type SequenceTrackerOptions, type SequenceVerdict } from './sequence-tracker.js';

/** Tuning of {@link RtpReceiveStatistics}. */
export interface RtpReceiveStatisticsOptions {
  sequence?: SequenceTrackerOptions;
}

/** DLSR unit: 1/65536 s, so one millisecond is 65.536 units (RFC 3550 §6.4.1). */
const DLSR_UNITS_PER_MS = 65536 / 1000;

/**
 * Reception statistics for one remote SSRC, producing the report block we send
 * about it: loss per RFC 3550 A.3, interarrival jitter per A.8, and LSR/DLSR
 * from the last sender report. Time comes in as arguments, so it is pure.
 */
export class RtpReceiveStatistics {
  readonly ssrc: number;
  private readonly sequence: SequenceTracker;
  private expectedPrior = 0;
  private receivedPrior = 0;
  private transit: number | undefined;
  private jitterEstimate = 0;
  private lastSrCompact = 0;
  private lastSrArrivalMs: number | undefined;

  constructor(ssrc: number, options: RtpReceiveStatisticsOptions = {}) {
    this.ssrc = ssrc;
    this.sequence = new SequenceTracker(options.sequence);
  }

  /**
   * Accounts one received RTP packet. `arrival` is the arrival time converted to
   * the stream's RTP clock (e.g. `ms * 8` for 8 kHz); only differences matter.
   */
  onPacket(sequenceNumber: number, timestamp: number, arrival: number): SequenceVerdict {
    const verdict = this.sequence.update(sequenceNumber);
    if (verdict === 'probation' || verdict === 'discarded') return verdict;
    if (verdict === 'restarted' || this.sequence.received === 1) {
      // A.1 init_seq also clears the interval counters; a restarted sender also has a new timing base.
      this.expectedPrior = 0;
      this.receivedPrior = 0;
      this.transit = undefined;
    }
    // A.8: transit = arrival − timestamp, D = transit − previous transit, J += (|D| − J)/16.
    // Both differences wrap as 32-bit integers like the C original.
    const transit = (Math.round(arrival) - timestamp) | 0;
    if (this.transit !== undefined) {
      const d = Math.abs((transit - this.transit) | 0);
      this.jitterEstimate += (d - this.jitterEstimate) / 16;
    }
    this.transit = transit;
    return verdict;
  }

  /** Remembers a sender report from this source for LSR/DLSR; `arrivalMs` on the same clock as `reportBlock`. */
  onSenderReport(ntp: NtpTimestamp, arrivalMs: number): void {
    this.lastSrCompact = ntpMiddle32(ntp);
    this.lastSrArrivalMs = arrivalMs;
  }

  /** Packets counted as received (duplicates included, as in A.3). */
  get received(): number {
    return this.sequence.received;
  }

  /** Packets expected: extended highest minus base plus one (A.3). */
  get expected(): number {
    return this.sequence.expected;
  }

  /** Extended highest sequence number received. */
  get extendedHighestSequence(): number {
    return this.sequence.extendedMax;
  }

  /** Cumulative packets lost, clamped to the signed 24-bit field (A.3). */
  get cumulativeLost(): number {
    const lost = this.expected - this.received;
    return Math.max(CUMULATIVE_LOST_MIN, Math.min(CUMULATIVE_LOST_MAX, lost));
  }

  /** Interarrival jitter estimate in RTP timestamp units (not rounded). */
  get jitter(): number {
    return this.jitterEstimate;
  }

  /** True once the source passed probation and a report block about it makes sense. */
  get valid(): boolean {
    return this.sequence.valid;
  }

  /**
   * Builds the report block for an SR/RR sent at `nowMs`, and starts a new
   * reporting interval (fraction lost is per interval, A.3).
   */
  reportBlock(nowMs: number): ReportBlock {
    const expected = this.expected;
    const received = this.received;
    const expectedInterval = expected - this.expectedPrior;
    const receivedInterval = received - this.receivedPrior;
    this.expectedPrior = expected;
    this.receivedPrior = received;
    const lostInterval = expectedInterval - receivedInterval;
    // "if (expected_interval == 0 || lost_interval <= 0) fraction = 0; else fraction = (lost_interval << 8) / expected_interval;"
    const fractionLost =
      expectedInterval === 0 || lostInterval <= 0 ? 0 : Math.floor((lostInterval * 256) / expectedInterval);
    const delaySinceLastSenderReport =
      this.lastSrArrivalMs === undefined ? 0 : Math.max(0, Math.round((nowMs - this.lastSrArrivalMs) * DLSR_UNITS_PER_MS));
    return {
      ssrc: this.ssrc,
      fractionLost,
      cumulativeLost: this.cumulativeLost,
      extendedHighestSequence: this.extendedHighestSequence >>> 0,
      jitter: Math.floor(this.jitterEstimate),
      lastSenderReport: this.lastSrCompact,
      delaySinceLastSenderReport,
    };
  }
}
