import sdpTransform from 'sdp-transform';
import { describe, expect, it } from 'vitest';
import { createOffer } from '../../../src/media/sdp/sdp-offer.js';
import { SdpOrigin } from '../../../src/media/sdp/sdp-origin.js';
import { localOptions } from './sdp-fixtures.js';

describe('createOffer', () => {
  it('offers the codecs in preference order, telephone-event 0-15, ptime and direction', () => {
    const text = createOffer(localOptions({ codecs: ['PCMA', 'PCMU'] }));
    expect(text.split('\r\n')).toEqual([
      'v=0',
      'o=- 4242 7 IN IP4 192.0.2.10',
      's=-',
      'c=IN IP4 192.0.2.10',
      't=0 0',
      'm=audio 26000 RTP/AVP 8 0 101',
      'a=rtpmap:8 PCMA/8000',
      'a=rtpmap:0 PCMU/8000',
      'a=rtpmap:101 telephone-event/8000',
      'a=fmtp:101 0-15',
      'a=ptime:20',
      'a=sendrecv',
      '',
    ]);
  });

  it('writes the hold direction, maxptime, a chosen telephone-event PT and no telephone-event when disabled', () => {
    const hold = sdpTransform.parse(createOffer(localOptions({ direction: 'sendonly', maxptime: 40, telephoneEventPt: 96 })));
    expect(hold.media[0]!.direction).toBe('sendonly');
    expect(hold.media[0]!.maxptime).toBe(40);
    expect(hold.media[0]!.payloads).toBe('0 8 96');
    const plain = createOffer(localOptions({ telephoneEvent: false, codecs: ['PCMU'] }));
    expect(plain).toContain('m=audio 26000 RTP/AVP 0\r\n');
    expect(plain).not.toContain('telephone-event');
  });

  it('writes IP6 for an IPv6 address', () => {
    const text = createOffer(localOptions({ address: '2001:db8::10' }));
    expect(text).toContain('o=- 4242 7 IN IP6 2001:db8::10\r\n');
    expect(text).toContain('c=IN IP6 2001:db8::10\r\n');
  });

  it('repeats earlier m-lines of the dialog as rejected slots, in order (RFC 3264 §8)', () => {
    const text = createOffer(localOptions(), [
      { type: 'video', protocol: 'RTP/AVP', formats: '31 34', audio: false },
      { type: 'audio', protocol: 'RTP/AVP', formats: '0', audio: true },
      { type: 'image', protocol: 'udptl', formats: 't38', audio: false },
    ]);
    const mLines = text.split('\r\n').filter((l) => l.startsWith('m='));
    expect(mLines).toEqual(['m=video 0 RTP/AVP 31 34', 'm=audio 26000 RTP/AVP 0 8 101', 'm=image 0 udptl t38']);
  });

  it('refuses an empty codec list and an out-of-range telephone-event PT', () => {
    expect(() => createOffer(localOptions({ codecs: [] }))).toThrow(RangeError);
    expect(() => createOffer(localOptions({ telephoneEventPt: 13 }))).toThrow(RangeError);
  });
});

describe('SdpOrigin', () => {
  it('keeps the session id and raises the version by one per description after the first', () => {
    const origin = new SdpOrigin('99', 5);
    expect(origin.peekVersion()).toBe(5);
    expect(origin.nextVersion()).toBe(5);
    expect(origin.peekVersion()).toBe(6);
    expect(origin.nextVersion()).toBe(6);
    expect(origin.nextVersion()).toBe(7);
    expect(origin.sessionId).toBe('99');
  });

  it('draws a numeric session id that survives a double', () => {
    const origin = new SdpOrigin();
    expect(origin.sessionId).toMatch(/^\d+$/);
    expect(Number.isSafeInteger(Number(origin.sessionId))).toBe(true);
  });
});
