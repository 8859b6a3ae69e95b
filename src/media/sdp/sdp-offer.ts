import type { LocalMediaOptions, MediaLineSlot } from './negotiated-media.js';
import { writeLocalDescription, type WrittenFormat } from './sdp-writer.js';

/** Events we offer and accept: the 16 DTMF keys (RFC 4733 §3.2). */
export const TELEPHONE_EVENT_FMTP = '0-15';
/** Our telephone-event payload type unless configured (the customary dynamic number). */
export const DEFAULT_TELEPHONE_EVENT_PT = 101;

const STATIC_PT = { PCMU: 0, PCMA: 8 } as const;

/** The audio formats we offer: codecs in preference order, then telephone-event. */
export function offeredFormats(local: LocalMediaOptions): WrittenFormat[] {
  const formats: WrittenFormat[] = local.codecs.map((name) => ({ pt: STATIC_PT[name], name, rate: 8000 }));
  if (local.telephoneEvent) {
    const pt = local.telephoneEventPt ?? DEFAULT_TELEPHONE_EVENT_PT;
    if (!Number.isInteger(pt) || pt < 96 || pt > 127) throw new RangeError(`telephone-event payload type ${pt} is not 96..127`);
    formats.push({ pt, name: 'telephone-event', rate: 8000, fmtp: TELEPHONE_EVENT_FMTP });
  }
  return formats;
}

/**
 * Writes an SDP offer (RFC 3264 §5) for one audio stream. For a re-offer in
 * the same dialog pass the `slots` of the previous exchange, so every earlier
 * m-line is repeated in order (§8), and a `local.sessionVersion` one above the
 * previous one (SdpOrigin does this).
 */
export function createOffer(local: LocalMediaOptions, slots?: readonly MediaLineSlot[]): string {
  if (local.codecs.length === 0) throw new RangeError('an offer needs at least one codec');
  return writeLocalDescription(local, { formats: offeredFormats(local), direction: local.direction }, slots);
}
