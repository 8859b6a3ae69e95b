import type { Logger } from '../../log/logger.js';
import type { JitterBufferStats } from '../jitter/jitter-buffer-types.js';
import type { TimeSource } from '../clock/time-source.js';
import type { AudioPlayoutOptions } from './audio-playout.js';
import type { RtpPacketizerInit } from './rtp-audio-packetizer.js';
import type { PortRange } from './udp-port-pair.js';

/** Construction options of an RtpSession. */
export interface RtpSessionOptions {
  /** Local address to bind (e.g. 0.0.0.0, or the interface address written into SDP). */
  address: string;
  /** Ports to allocate the RTP/RTCP pair from; default 16384–32767. */
  portRange?: PortRange;
  logger?: Logger;
  /** SDES CNAME (RFC 3550 §6.5.1); default `portier-<random>@<address>`. */
  cname?: string;
  /** Mean RTCP report interval; each one is randomised to 0.5–1.5× (RFC 3550 §6.3.1). Default 5000 ms. */
  rtcpIntervalMs?: number;
  /** No RTP for this long while we expect some emits `inactive`; 0 disables. Default 30 000 ms. */
  inactivityTimeoutMs?: number;
  /** Consecutive packets needed to latch to a source other than the SDP address (comedia). Default 3. */
  latchPackets?: number;
  /**
   * How received audio leaves the session. `pull` (default): the playback
   * adapter calls readFrame() once per device period, so the device clocks
   * playout. `clock`: a MediaClock inside the session emits `audio` every 20 ms
   * (no playback device: tests, recording, a headless station).
   */
  playout?: 'pull' | 'clock';
  /** Jitter buffer tuning. */
  jitter?: AudioPlayoutOptions['jitter'];
  /** Monotonic clock and timers (media clocks, inactivity); default the system clock. */
  timeSource?: TimeSource;
  /** Fixed initial SSRC/sequence/timestamp, for tests; random by default. */
  initial?: RtpPacketizerInit;
}

/** The peer's view of our stream, from the report blocks it sends about us. */
export interface RemoteReceptionReport {
  /** Fraction of our packets lost in its last interval, 0..1. */
  fractionLost: number;
  cumulativeLost: number;
  jitterMs: number;
  /** Round-trip time from LSR/DLSR (RFC 3550 §6.4.1), if the block referred to one of our SRs. */
  rttMs: number | undefined;
}

/** Counters of one call's media. */
export interface RtpSessionStats {
  packetsSent: number;
  /** Payload octets sent (RFC 3550 §6.4.1 sender octet count). */
  octetsSent: number;
  packetsReceived: number;
  octetsReceived: number;
  /** Cumulative packets lost from the peer (RFC 3550 A.3). */
  packetsLost: number;
  /** Fraction lost in the last interval we reported on, 0..1. */
  fractionLost: number;
  /** Interarrival jitter of the peer's stream (A.8), ms. */
  jitterMs: number;
  /** Latest round-trip time, ms. */
  rttMs: number | undefined;
  /** What the peer last reported about our stream. */
  remote: RemoteReceptionReport | undefined;
  rtcpSent: number;
  rtcpReceived: number;
  /** Packets dropped, by cause. */
  dropped: {
    malformed: number;
    unexpectedSource: number;
    unexpectedSsrc: number;
    unknownPayloadType: number;
    /** Arrived before start() or after close(). */
    notStarted: number;
    rtcpMalformed: number;
    rtcpUnexpectedSource: number;
  };
  /** Where we send RTP now (the latched source, or the SDP address). */
  remoteRtp: { address: string; port: number } | undefined;
  /** Whether the remote address was learned from the peer's packets. */
  latched: boolean;
  /** Playout buffer counters (late, lost, concealed, current delay), once started. */
  jitterBuffer: JitterBufferStats | undefined;
}
