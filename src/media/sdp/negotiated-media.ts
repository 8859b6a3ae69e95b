import type { MediaDirection } from './media-direction.js';

/** The audio codecs Portier speaks (G.711, RFC 3551 §4.5.14). */
export type AudioCodecName = 'PCMU' | 'PCMA';

/** The codec both sides agreed on. */
export interface NegotiatedCodec {
  name: AudioCodecName;
  /** Payload type on the wire: 0/8 normally, or a dynamic number if the peer mapped it so. */
  pt: number;
  clockRate: 8000;
}

/** What the RTP session needs to know after an offer/answer exchange. */
export interface NegotiatedMedia {
  /** Where to send RTP (the peer's c= address and m= port). `0.0.0.0` when the peer put us on hold RFC 2543 style. */
  remoteAddress: string;
  remoteRtpPort: number;
  /** Where to send RTCP: `a=rtcp:` (RFC 3605) or the RTP port + 1 (RFC 3550 §11). */
  remoteRtcpAddress: string;
  remoteRtcpPort: number;
  codec: NegotiatedCodec;
  /** Payload type of telephone-event/8000 (RFC 4733) if both sides do it, else undefined (use SIP INFO). */
  dtmfPt: number | undefined;
  /** Packet time we send with: the peer's a=ptime (10–60 ms), capped by its a=maxptime; 20 when absent. */
  ptime: number;
  /** Our direction, from our point of view. */
  direction: MediaDirection;
  /** We may send RTP (RFC 3264 §5.1: not on recvonly/inactive, nor to a c=0.0.0.0 peer). */
  send: boolean;
  /** We expect RTP from the peer. */
  recv: boolean;
  /** The peer holds the call: it offered/answered sendonly or inactive, or c=0.0.0.0 (RFC 3264 §8.4, RFC 2543). */
  remoteHold: boolean;
}

/** What we offer and accept; one audio stream. */
export interface LocalMediaOptions {
  /** The address we receive on, written into c= and o=. */
  address: string;
  /** Our RTP port (even); RTCP is on rtpPort + 1. */
  rtpPort: number;
  /** Codecs in preference order. */
  codecs: readonly AudioCodecName[];
  /** Offer/accept telephone-event/8000 with events 0–15. */
  telephoneEvent: boolean;
  /** Payload type for telephone-event in our offers (dynamic, 96–127); default 101. */
  telephoneEventPt?: number;
  /** Packet time we want to receive, ms; default 20. */
  ptime?: number;
  /** Largest packet time we accept, ms; written as a=maxptime when set. */
  maxptime?: number;
  /** What we want: sendrecv normally, sendonly to hold (RFC 3264 §8.4), inactive to hold a held call. */
  direction: MediaDirection;
  /** o= session id (numeric string) and version; see SdpOrigin for keeping them across a dialog. */
  sessionId: string;
  sessionVersion: number;
  /** o= username; default '-'. */
  username?: string;
  /** s= line; default '-'. */
  sessionName?: string;
}

/**
 * One m-line of the last exchange, kept so that a later offer in the same
 * dialog repeats every m-line in order (RFC 3264 §8: "the number of m-lines MUST
 * NOT be less than in the previous SDP"), rejected ones with port 0.
 */
export interface MediaLineSlot {
  type: string;
  protocol: string;
  /** The format list as written in the m-line. */
  formats: string;
  /** True for the audio stream we use; the others are rejected placeholders. */
  audio: boolean;
}
