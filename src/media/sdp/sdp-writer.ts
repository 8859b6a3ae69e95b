import sdpTransform, { type MediaDescription, type SessionDescription } from 'sdp-transform';
import type { MediaDirection } from './media-direction.js';
import { ipVersion } from './sdp-description.js';
import type { LocalMediaOptions, MediaLineSlot } from './negotiated-media.js';

/** A format to write into our audio m-line. */
export interface WrittenFormat {
  pt: number;
  /** rtpmap encoding, e.g. `PCMU/8000` is written as name PCMU, rate 8000. */
  name: string;
  rate: number;
  fmtp?: string;
}

/** Our audio m-line. */
export interface WrittenAudio {
  formats: WrittenFormat[];
  direction: MediaDirection;
}

/**
 * Writes one of our descriptions: session-level c=, the audio m-line at its
 * slot, and every other slot as a rejected m-line (port 0, formats as before —
 * RFC 3264 §6/§8 keep the m-line count and order).
 */
export function writeLocalDescription(local: LocalMediaOptions, audio: WrittenAudio, slots?: readonly MediaLineSlot[]): string {
  const ipVer = ipVersion(local.address);
  const layout = slots ?? [{ type: 'audio', protocol: 'RTP/AVP', formats: '', audio: true }];
  const media: MediaDescription[] = layout.map((slot) => (slot.audio ? audioMedia(local, audio) : rejectedMedia(slot)));
  const description: SessionDescription = {
    version: 0,
    origin: {
      username: local.username ?? '-',
      sessionId: local.sessionId,
      sessionVersion: local.sessionVersion,
      netType: 'IN',
      ipVer,
      address: local.address,
    },
    name: local.sessionName ?? '-',
    connection: { version: ipVer, ip: local.address },
    timing: { start: 0, stop: 0 },
    media,
  };
  return sdpTransform.write(description);
}

function audioMedia(local: LocalMediaOptions, audio: WrittenAudio): MediaDescription {
  const media: MediaDescription = {
    type: 'audio',
    port: local.rtpPort,
    protocol: 'RTP/AVP',
    payloads: audio.formats.map((f) => f.pt).join(' '),
    // rtpmap even for static types: harmless, and some peers (and our own parser) prefer it.
    rtp: audio.formats.map((f) => ({ payload: f.pt, codec: f.name, rate: f.rate })),
    fmtp: audio.formats.filter((f) => f.fmtp !== undefined).map((f) => ({ payload: f.pt, config: f.fmtp! })),
    ptime: local.ptime ?? 20,
    direction: audio.direction,
  };
  if (local.maxptime !== undefined) media.maxptime = local.maxptime;
  return media;
}

/** A declined stream: RFC 3264 §6 "rejected by setting the port in the m= line of the answer to zero". */
export function rejectedMedia(slot: MediaLineSlot): MediaDescription {
  return { type: slot.type, port: 0, protocol: slot.protocol, payloads: slot.formats || '0', rtp: [], fmtp: [] };
}
