import sdpTransform from 'sdp-transform';
import { describe, expect, it } from 'vitest';
import { SdpError } from '../../../src/media/sdp/sdp-error.js';
import { SdpOfferAnswer } from '../../../src/media/sdp/sdp-offer-answer.js';
import { SdpOrigin } from '../../../src/media/sdp/sdp-origin.js';
import { BARESIP_OFFER, localOptions, sdp } from './sdp-fixtures.js';

const { sessionId: _id, sessionVersion: _v, ...settings } = localOptions();

function versionOf(text: string): number {
  return sdpTransform.parse(text).origin.sessionVersion;
}

const ANSWER = sdp('v=0', 'o=- 77 1 IN IP4 198.51.100.30', 's=-', 'c=IN IP4 198.51.100.30', 't=0 0', 'm=audio 30000 RTP/AVP 0 101', 'a=rtpmap:101 telephone-event/8000');

describe('SdpOfferAnswer', () => {
  it('raises the o= version by one with each new offer (re-INVITE), keeping the session id', () => {
    const oa = new SdpOfferAnswer(settings, new SdpOrigin('555', 10));
    const first = oa.createOffer();
    oa.applyAnswer(ANSWER);
    oa.update({ direction: 'sendonly' });
    const hold = oa.createOffer();
    oa.applyAnswer(ANSWER);
    const resume = (oa.update({ direction: 'sendrecv' }), oa.createOffer());
    expect([first, hold, resume].map(versionOf)).toEqual([10, 11, 12]);
    expect(sdpTransform.parse(resume).origin.sessionId).toBe(555);
    expect(sdpTransform.parse(hold).media[0]!.direction).toBe('sendonly');
  });

  it('allows one outstanding offer, and forgets it on rollback', () => {
    const oa = new SdpOfferAnswer(settings);
    oa.createOffer();
    expect(oa.offerPending).toBe(true);
    expect(() => oa.createOffer()).toThrow(SdpError);
    oa.rollback();
    expect(oa.offerPending).toBe(false);
    expect(() => oa.applyAnswer(ANSWER)).toThrow(SdpError);
    expect(() => oa.createOffer()).not.toThrow();
  });

  it('answers offers with rising versions, and a refused offer uses up no version and changes nothing', () => {
    const oa = new SdpOfferAnswer(settings, new SdpOrigin('1', 3));
    const first = oa.answerOffer(BARESIP_OFFER);
    if (!first.ok) throw first.error;
    const refused = oa.answerOffer(sdp('v=0', 'o=- 1 1 IN IP4 1.2.3.4', 's=-', 'c=IN IP4 1.2.3.4', 't=0 0', 'm=audio 4000 RTP/AVP 18'));
    expect(refused.ok).toBe(false);
    expect(oa.current).toBe(first.session);
    const second = oa.answerOffer(BARESIP_OFFER.replace('a=sendrecv', 'a=sendonly'));
    if (!second.ok) throw second.error;
    expect([versionOf(first.answerText), versionOf(second.answerText)]).toEqual([3, 4]);
    expect(oa.current?.direction).toBe('recvonly');
  });

  it('keeps the m-line layout of an answered offer in its own later offers', () => {
    const oa = new SdpOfferAnswer(settings);
    const result = oa.answerOffer(sdp(
      'v=0', 'o=- 1 1 IN IP4 198.51.100.7', 's=-', 'c=IN IP4 198.51.100.7', 't=0 0',
      'm=audio 4000 RTP/AVP 0', 'm=video 5000 RTP/AVP 31',
    ));
    expect(result.ok).toBe(true);
    const reoffer = sdpTransform.parse(oa.createOffer());
    expect(reoffer.media.map((m) => `${m.type} ${m.port}`)).toEqual(['audio 26000', 'video 0']);
    const media = oa.applyAnswer(sdp('v=0', 'o=- 1 2 IN IP4 198.51.100.7', 's=-', 'c=IN IP4 198.51.100.7', 't=0 0', 'm=audio 4000 RTP/AVP 0', 'm=video 0 RTP/AVP 31'));
    expect(media.codec.name).toBe('PCMU');
  });
});
