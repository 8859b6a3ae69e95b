import { OwnedTimers } from './owned-timers.js';

/** Timing of an AnswerRetransmitter. */
export interface AnswerRetransmitterOptions {
  t1: number;
  t2: number;
  /** Retransmit (unreliable transport); on streams only the 64·T1 wait runs. */
  retransmit: boolean;
  /** No ACK within 64·T1. */
  onTimeout: () => void;
}

/**
 * Keeps a UAS's 2xx to an INVITE alive until its ACK arrives (RFC 3261 §13.3.1.4): "The 2xx
 * response is passed to the transport with an interval that starts at T1 seconds and doubles
 * for each retransmission until it reaches T2 seconds. Response retransmissions cease when an
 * ACK request for the response is received. [...] If the server retransmits the 2xx response
 * for 64*T1 seconds without receiving an ACK, the dialog is confirmed, but the session SHOULD
 * be terminated." The caller has sent the first copy already.
 */
export class AnswerRetransmitter {
  private readonly timers = new OwnedTimers();
  private interval: number;
  private done = false;

  constructor(
    private readonly send: () => void,
    private readonly options: AnswerRetransmitterOptions,
  ) {
    this.interval = options.t1;
    if (options.retransmit) this.timers.start('G', this.interval, () => this.fire());
    this.timers.start('H', 64 * options.t1, () => {
      if (this.done) return;
      this.close();
      options.onTimeout();
    });
  }

  get active(): boolean {
    return !this.done;
  }

  /** The ACK arrived. */
  acknowledge(): void {
    this.close();
  }

  /** Stops every timer. Idempotent. */
  close(): void {
    this.done = true;
    this.timers.clear();
  }

  private fire(): void {
    if (this.done) return;
    this.send();
    this.interval = Math.min(2 * this.interval, this.options.t2);
    this.timers.start('G', this.interval, () => this.fire());
  }
}
