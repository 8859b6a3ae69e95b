import { OwnedTimers } from './owned-timers.js';
import type { RAck } from './rack.js';

/**
 * The UAS side of one reliable provisional response (RFC 3262 §3): "The reliable provisional
 * response is passed to the transaction layer periodically with an interval that starts at T1
 * seconds and doubles for each retransmission [...]. Retransmissions of the reliable
 * provisional response cease when a matching PRACK is received" — and "If a reliable
 * provisional response is retransmitted for 64*T1 seconds without reception of a
 * corresponding PRACK, the UAS SHOULD reject the original request with a 5xx response."
 * The caller has sent the first copy already.
 */
export class ReliableProvisionalSender {
  private readonly timers = new OwnedTimers();
  private interval: number;
  private done = false;
  private prackReceived = false;
  private readonly acked: Promise<boolean>;
  private settle!: (acked: boolean) => void;

  constructor(
    private readonly send: () => void,
    /** RSeq of the response. */
    readonly rseq: number,
    /** CSeq number of the INVITE it answers. */
    readonly inviteSeq: number,
    t1: number,
    onTimeout: () => void,
    /** It carried SDP: the 2xx must wait for its PRACK (RFC 3262 §3). */
    readonly carriesSdp = false,
  ) {
    this.acked = new Promise((resolve) => (this.settle = resolve));
    this.interval = t1;
    this.timers.start('retransmit', this.interval, () => this.fire());
    this.timers.start('timeout', 64 * t1, () => {
      if (this.done) return;
      this.finish(false);
      onTimeout();
    });
  }

  /** Resolves true when PRACKed, false when given up or closed. */
  get result(): Promise<boolean> {
    return this.acked;
  }

  get pending(): boolean {
    return !this.done;
  }

  /** Its PRACK came (retransmissions may have been stopped earlier by a final response). */
  get acknowledged(): boolean {
    return this.prackReceived;
  }

  /** "the RAck header field [...] matches [...] the response number, CSeq number, and method" (RFC 3262 §3). */
  matches(rack: RAck): boolean {
    return rack.rseq === this.rseq && rack.cseq === this.inviteSeq && rack.method === 'INVITE';
  }

  /** A matching PRACK arrived. */
  acknowledge(): void {
    this.prackReceived = true;
    this.finish(true);
  }

  /** Stops retransmitting (final response sent, session ended). Idempotent. */
  close(): void {
    this.finish(false);
  }

  private finish(acked: boolean): void {
    if (this.done) return;
    this.done = true;
    this.timers.clear();
    this.settle(acked);
  }

  private fire(): void {
    if (this.done) return;
    this.send();
    this.interval *= 2;
    this.timers.start('retransmit', this.interval, () => this.fire());
  }
}
