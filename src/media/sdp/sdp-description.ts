import { isIPv6 } from 'node:net';
import sdpTransform, { type MediaDescription, type SessionDescription } from 'sdp-transform';
import { parseDirection, type MediaDirection } from './media-direction.js';
import { SdpError } from './sdp-error.js';
import type { AudioCodecName } from './negotiated-media.js';

/*
 * Reading helpers over sdp-transform's parse tree: validation of the parts we
 * rely on, payload-type resolution (static table of RFC 3551 §6 when there is
 * no a=rtpmap), direction and connection inheritance from session to media level.
 */

/** Static payload types we understand without an a=rtpmap (RFC 3551 table 4). */
const STATIC_PAYLOAD_TYPES: ReadonlyMap<number, { name: string; rate: number }> = new Map([
  [0, { name: 'PCMU', rate: 8000 }],
  [8, { name: 'PCMA', rate: 8000 }],
]);

/** The DTMF keys we need the peer's telephone-event to cover: 0–9, * and # (RFC 4733 §3.2 events 0–11). */
const REQUIRED_DTMF_EVENTS = 12;

/** One format of an m-line with its encoding resolved. */
export interface ResolvedFormat {
  pt: number;
  /** Encoding name, upper-case for codecs we compare (`PCMU`), as written otherwise. */
  name: string;
  rate: number | undefined;
  /** a=fmtp parameters for this payload type, if any. */
  fmtp: string | undefined;
}

/** Parses SDP text, rejecting what is not SDP at all (RFC 4566 §5: `v=0` first, every line `<type>=<value>`). */
export function parseSessionDescription(text: string): SessionDescription {
  const lines = text.split(/\r?\n/).filter((line) => line.length > 0);
  if (lines[0] !== 'v=0') throw new SdpError('malformed', 'SDP does not start with v=0');
  const bad = lines.find((line) => !/^[a-z]=/.test(line));
  if (bad !== undefined) throw new SdpError('malformed', `not an SDP line: ${JSON.stringify(bad.slice(0, 60))}`);
  let parsed: SessionDescription;
  try {
    parsed = sdpTransform.parse(text);
  } catch (error) {
    throw new SdpError('malformed', `SDP does not parse: ${String(error)}`);
  }
  if (!lines.some((line) => line.startsWith('o='))) throw new SdpError('malformed', 'SDP has no o= line');
  if (!Array.isArray(parsed.media)) throw new SdpError('malformed', 'SDP has no media');
  for (const [index, media] of parsed.media.entries()) {
    if (typeof media.type !== 'string' || !Number.isInteger(media.port) || media.port < 0 || media.port > 65535) {
      throw new SdpError('malformed', `m-line ${index + 1} has no valid media type and port`);
    }
  }
  return parsed;
}

/** The format list of an m-line as written (sdp-transform hands a lone number back as a number). */
export function formatList(media: MediaDescription): string {
  return media.payloads === undefined ? '' : String(media.payloads).trim();
}

/** The RTP payload formats of an m-line, in the order written, with encodings resolved. */
export function resolveFormats(media: MediaDescription): ResolvedFormat[] {
  const out: ResolvedFormat[] = [];
  for (const token of formatList(media).split(/\s+/)) {
    if (!/^\d{1,3}$/.test(token)) continue;
    const pt = Number(token);
    if (pt > 127) continue;
    const map = media.rtp?.find((r) => r.payload === pt);
    // sdp-transform turns a purely numeric config (`a=fmtp:101 16`) into a number.
    const config = media.fmtp?.find((f) => f.payload === pt)?.config;
    const fmtp = config === undefined ? undefined : String(config);
    if (map !== undefined) {
      out.push({ pt, name: map.codec, rate: map.rate, fmtp });
    } else {
      const known = STATIC_PAYLOAD_TYPES.get(pt);
      out.push({ pt, name: known?.name ?? `static-${pt}`, rate: known?.rate, fmtp });
    }
  }
  return out;
}

/** The G.711 codec a format stands for, if it is one. */
export function audioCodecOf(format: ResolvedFormat): AudioCodecName | undefined {
  const name = format.name.toUpperCase();
  if ((name === 'PCMU' || name === 'PCMA') && (format.rate === undefined || format.rate === 8000)) return name;
  return undefined;
}

/**
 * True when a format is telephone-event/8000 carrying at least the keys 0–9, *, #
 * (RFC 4733 §7.1.1: no fmtp means events 0–15).
 */
export function isUsableTelephoneEvent(format: ResolvedFormat): boolean {
  if (format.name.toLowerCase() !== 'telephone-event' || format.rate !== 8000) return false;
  const events = parseEventList(format.fmtp ?? '0-15');
  for (let e = 0; e < REQUIRED_DTMF_EVENTS; e++) if (!events.has(e)) return false;
  return true;
}

/** Parses an RFC 4733 event list such as `0-15,66,70-72`. */
export function parseEventList(config: string): Set<number> {
  const events = new Set<number>();
  const list = config.trim().replace(/^events=/, '');
  for (const part of list.split(',')) {
    const match = /^\s*(\d{1,3})(?:\s*-\s*(\d{1,3}))?\s*$/.exec(part);
    if (!match) continue;
    const from = Number(match[1]);
    const to = match[2] === undefined ? from : Number(match[2]);
    for (let e = from; e <= Math.min(to, 255); e++) events.add(e);
  }
  return events;
}

/** The direction of a stream: media level, else session level, else sendrecv (RFC 3264 §5.1). */
export function mediaDirection(session: SessionDescription, media: MediaDescription): MediaDirection {
  return parseDirection(media.direction) ?? parseDirection(session.direction) ?? 'sendrecv';
}

/** The connection address of a stream (media c= over session c=, RFC 4566 §5.7), without a /ttl suffix. */
export function connectionAddress(session: SessionDescription, media: MediaDescription): string | undefined {
  const ip = media.connection?.ip ?? session.connection?.ip;
  return ip === undefined ? undefined : ip.split('/')[0]!.trim();
}

/** True for the RFC 2543 hold address (and its IPv6 counterpart). */
export function isNullAddress(address: string): boolean {
  return address === '0.0.0.0' || address === '::';
}

/** The RTCP destination: a=rtcp (RFC 3605) when present, else port + 1 on the RTP address (RFC 3550 §11). */
export function rtcpDestination(media: MediaDescription, rtpAddress: string): { address: string; port: number } {
  const rtcp = media.rtcp;
  if (rtcp !== undefined && Number.isInteger(rtcp.port) && rtcp.port > 0 && rtcp.port <= 65535) {
    return { address: rtcp.address ?? rtpAddress, port: rtcp.port };
  }
  return { address: rtpAddress, port: media.port + 1 };
}

/**
 * The packet time to send with (RFC 4566 §6: a=ptime is what the writer wants to
 * receive): honoured between 10 and 60 ms, rounded to a whole 10 ms for G.711
 * framing, capped by a=maxptime; 20 ms when absent or unusable.
 */
export function sendPacketTime(media: MediaDescription): number {
  let ptime = 20;
  const offered = Number(media.ptime);
  if (Number.isFinite(offered) && offered >= 10 && offered <= 60) ptime = Math.round(offered / 10) * 10;
  const max = Number(media.maxptime);
  if (Number.isFinite(max) && max >= 10 && ptime > max) ptime = Math.floor(max / 10) * 10;
  return ptime;
}

/** IP version for c= and o= lines. */
export function ipVersion(address: string): 4 | 6 {
  return isIPv6(address) ? 6 : 4;
}
