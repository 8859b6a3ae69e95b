/** An SDP media direction attribute (RFC 3264 §5.1). */
export type MediaDirection = 'sendrecv' | 'sendonly' | 'recvonly' | 'inactive';

const DIRECTIONS: readonly MediaDirection[] = ['sendrecv', 'sendonly', 'recvonly', 'inactive'];

/**
 * The direction of the first audio stream of an SDP text, for reporting hold state only
 * (negotiation belongs to the SessionDescriptionHandler): a media-level attribute wins over a
 * session-level one, the default is sendrecv (RFC 3264 §5.1).
 */
export function sdpDirection(sdp: string): MediaDirection {
  let session: MediaDirection | undefined;
  let media: MediaDirection | undefined;
  let inMedia = false;
  let seenAudio = false;
  for (const raw of sdp.split(/\r?\n/)) {
    const line = raw.trim();
    if (line.startsWith('m=')) {
      if (seenAudio) break;
      inMedia = true;
      seenAudio = line.startsWith('m=audio');
      media = undefined;
      continue;
    }
    const match = /^a=(sendrecv|sendonly|recvonly|inactive)$/.exec(line);
    if (!match) continue;
    const dir = match[1] as MediaDirection;
    if (!DIRECTIONS.includes(dir)) continue;
    if (inMedia) media = dir;
    else session = dir;
  }
  return media ?? session ?? 'sendrecv';
}

/**
 * Whether an offer puts us on hold: sendonly or inactive (RFC 3264 §8.4), or the RFC 2543
 * style connection address 0.0.0.0.
 */
export function isHoldOffer(sdp: string): boolean {
  const direction = sdpDirection(sdp);
  return direction === 'sendonly' || direction === 'inactive' || /^c=IN IP4 0\.0\.0\.0\s*$/m.test(sdp);
}
