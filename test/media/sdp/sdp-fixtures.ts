import type { LocalMediaOptions } from '../../../src/media/sdp/negotiated-media.js';

/** Joins SDP lines with CRLF, as they travel. */
export function sdp(...lines: string[]): string {
  return lines.join('\r\n') + '\r\n';
}

/** Our side: a door station on 192.0.2.10 preferring PCMU. */
export function localOptions(overrides: Partial<LocalMediaOptions> = {}): LocalMediaOptions {
  return {
    address: '192.0.2.10',
    rtpPort: 26000,
    codecs: ['PCMU', 'PCMA'],
    telephoneEvent: true,
    ptime: 20,
    direction: 'sendrecv',
    sessionId: '4242',
    sessionVersion: 7,
    ...overrides,
  };
}

/** What baresip 3.x writes for a plain G.711 call (written for these tests, in its layout). */
export const BARESIP_OFFER = sdp(
  'v=0',
  'o=- 1143210736 2029842402 IN IP4 198.51.100.20',
  's=-',
  'c=IN IP4 198.51.100.20',
  't=0 0',
  'm=audio 10234 RTP/AVP 0 8 101',
  'b=AS:64',
  'a=rtpmap:0 PCMU/8000',
  'a=rtpmap:8 PCMA/8000',
  'a=rtpmap:101 telephone-event/8000',
  'a=fmtp:101 0-15',
  'a=sendrecv',
  'a=label:1',
  'a=ssrc:3416519318 cname:f4b2e9a0-3e6b-4c0d-9d1c-2a3b4c5d6e7f',
);

/** What Asterisk (chan_pjsip) writes: PCMA first, GSM, telephone-event 0-16, ptime/maxptime. */
export const ASTERISK_OFFER = sdp(
  'v=0',
  'o=- 1698391201 1698391202 IN IP4 203.0.113.5',
  's=Asterisk',
  'c=IN IP4 203.0.113.5',
  't=0 0',
  'm=audio 17434 RTP/AVP 8 0 3 101',
  'a=rtpmap:8 PCMA/8000',
  'a=rtpmap:0 PCMU/8000',
  'a=rtpmap:3 GSM/8000',
  'a=rtpmap:101 telephone-event/8000',
  'a=fmtp:101 0-16',
  'a=ptime:20',
  'a=maxptime:150',
  'a=sendrecv',
);

/** An offer with a single audio m-line whose body lines are given. */
export function audioOffer(mLine: string, ...attributes: string[]): string {
  return sdp('v=0', 'o=- 1 1 IN IP4 198.51.100.7', 's=-', 'c=IN IP4 198.51.100.7', 't=0 0', mLine, ...attributes);
}
