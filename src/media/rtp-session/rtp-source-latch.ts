/** A transport address. */
export interface SourceAddress {
  address: string;
  port: number;
}

/** What to do with one received packet. */
export interface LatchDecision {
  verdict: 'accept' | 'unexpected-source' | 'unexpected-ssrc';
  /** This packet latched the session to its source (first packets, or comedia after NAT). */
  latched: boolean;
  /** This packet switched the session to a new SSRC (the sender restarted or was re-bridged). */
  ssrcChanged: boolean;
}

// The decisions of the common cases, shared: one is asked for every packet received.
const ACCEPT: LatchDecision = Object.freeze({ verdict: 'accept', latched: false, ssrcChanged: false });
const ACCEPT_LATCHED: LatchDecision = Object.freeze({ verdict: 'accept', latched: true, ssrcChanged: false });
const UNEXPECTED_SOURCE: LatchDecision = Object.freeze({ verdict: 'unexpected-source', latched: false, ssrcChanged: false });

interface Candidate {
  address: string;
  port: number;
  ssrc: number;
  lastSeq: number;
  count: number;
}

/**
 * Symmetric RTP (RFC 4961) with comedia-style latching, as a pure decision:
 * which source to take audio from and send to.
 *
 * Packets from the address and port in the peer's SDP are taken at once and
 * latch the session there. Packets from elsewhere — the peer behind a NAT —
 * latch only after `confirmPackets` consecutive packets of one SSRC with
 * consecutive sequence numbers from that one source, so a stray or spoofed
 * packet cannot steal the stream; once latched, other sources are dropped
 * until the SDP changes (`setExpected`). A new SSRC from the latched source is
 * adopted under the same confirmation rule (a PBX re-bridging the call).
 */
export class RtpSourceLatch {
  private readonly confirmPackets: number;
  private expected: SourceAddress | undefined;
  private latchedSource: SourceAddress | undefined;
  private currentSsrc: number | undefined;
  private sourceCandidate: Candidate | undefined;
  private ssrcCandidate: Candidate | undefined;

  constructor(confirmPackets = 3) {
    this.confirmPackets = Math.max(1, confirmPackets);
  }

  /** Where the SDP says the peer sends from; a change forgets the latch and the SSRC. Undefined for c=0.0.0.0. */
  setExpected(expected: SourceAddress | undefined): void {
    if (expected?.address === this.expected?.address && expected?.port === this.expected?.port) return;
    this.expected = expected;
    this.latchedSource = undefined;
    this.currentSsrc = undefined;
    this.sourceCandidate = undefined;
    this.ssrcCandidate = undefined;
  }

  /** The source we latched to, if any. */
  get latched(): SourceAddress | undefined {
    return this.latchedSource;
  }

  /** The SSRC we take packets from, once known. */
  get ssrc(): number | undefined {
    return this.currentSsrc;
  }

  /** Decides about one packet that already passed the RTP and payload-type checks. */
  check(address: string, port: number, ssrc: number, seq: number): Readonly<LatchDecision> {
    const target = this.latchedSource ?? this.expected;
    if (target !== undefined && target.address === address && target.port === port) {
      const latched = this.latchedSource === undefined;
      this.latchedSource = target;
      this.sourceCandidate = undefined;
      if (this.currentSsrc === undefined || this.currentSsrc === ssrc) {
        this.currentSsrc = ssrc;
        this.ssrcCandidate = undefined;
        return latched ? ACCEPT_LATCHED : ACCEPT;
      }
      this.ssrcCandidate = this.track(this.ssrcCandidate, address, port, ssrc, seq);
      if (this.ssrcCandidate.count < this.confirmPackets) return { verdict: 'unexpected-ssrc', latched, ssrcChanged: false };
      this.currentSsrc = ssrc;
      this.ssrcCandidate = undefined;
      return { verdict: 'accept', latched, ssrcChanged: true };
    }
    if (this.latchedSource !== undefined) return UNEXPECTED_SOURCE;

    this.sourceCandidate = this.track(this.sourceCandidate, address, port, ssrc, seq);
    if (this.sourceCandidate.count < this.confirmPackets) return UNEXPECTED_SOURCE;
    this.latchedSource = { address, port };
    this.sourceCandidate = undefined;
    const ssrcChanged = this.currentSsrc !== undefined && this.currentSsrc !== ssrc;
    this.currentSsrc = ssrc;
    return { verdict: 'accept', latched: true, ssrcChanged };
  }

  private track(candidate: Candidate | undefined, address: string, port: number, ssrc: number, seq: number): Candidate {
    if (
      candidate !== undefined &&
      candidate.address === address &&
      candidate.port === port &&
      candidate.ssrc === ssrc &&
      seq === ((candidate.lastSeq + 1) & 0xffff)
    ) {
      return { ...candidate, lastSeq: seq, count: candidate.count + 1 };
    }
    return { address, port, ssrc, lastSeq: seq, count: 1 };
  }
}
