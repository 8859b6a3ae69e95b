import { describe, expect, it } from 'vitest';
import { negotiateAnswer } from '../../../src/media/sdp/sdp-answer.js';
import { applyAnswer } from '../../../src/media/sdp/sdp-apply-answer.js';
import { SdpError } from '../../../src/media/sdp/sdp-error.js';
import { createOffer } from '../../../src/media/sdp/sdp-offer.js';
import { localOptions, sdp } from './sdp-fixtures.js';

const OFFER = createOffer(localOptions());

function answerWith(...mediaLines: string[]): string {
  return sdp('v=0', 'o=- 77 1 IN IP4 198.51.100.30', 's=-', 'c=IN IP4 198.51.100.30', 't=0 0', ...mediaLines);
}

function failure(fn: () => unknown): SdpError {
  try {
    fn();
  } catch (error) {
    expect(error).toBeInstanceOf(SdpError);
    return error as SdpError;
  }
  throw new Error('expected an SdpError');
}

describe('applyAnswer', () => {
  it('takes the answered codec, telephone-event PT, ptime and addresses', () => {
    const media = applyAnswer(OFFER, answerWith('m=audio 30000 RTP/AVP 8 101', 'a=rtpmap:101 telephone-event/8000', 'a=ptime:30', 'a=rtcp:30011'));
    expect(media).toEqual({
      remoteAddress: '198.51.100.30',
      remoteRtpPort: 30000,
      remoteRtcpAddress: '198.51.100.30',
      remoteRtcpPort: 30011,
      codec: { name: 'PCMA', pt: 8, clockRate: 8000 },
      dtmfPt: 101,
      ptime: 30,
      direction: 'sendrecv',
      send: true,
      recv: true,
      remoteHold: false,
    });
  });

  it('takes the answerer\'s first codec that we offered, skipping ones we did not', () => {
    expect(applyAnswer(OFFER, answerWith('m=audio 30000 RTP/AVP 3 8 0')).codec.name).toBe('PCMA');
  });

  it('has no DTMF PT when the answer drops telephone-event', () => {
    expect(applyAnswer(OFFER, answerWith('m=audio 30000 RTP/AVP 0')).dtmfPt).toBeUndefined();
  });

  it('narrows the direction: a recvonly answer lets us only send; our sendonly hold answered recvonly is not a remote hold', () => {
    expect(applyAnswer(OFFER, answerWith('m=audio 30000 RTP/AVP 0', 'a=recvonly'))).toMatchObject({ direction: 'sendonly', send: true, recv: false, remoteHold: false });
    expect(applyAnswer(OFFER, answerWith('m=audio 30000 RTP/AVP 0', 'a=sendonly'))).toMatchObject({ direction: 'recvonly', remoteHold: true });
    const hold = createOffer(localOptions({ direction: 'sendonly' }));
    expect(applyAnswer(hold, answerWith('m=audio 30000 RTP/AVP 0', 'a=recvonly'))).toMatchObject({ direction: 'sendonly', send: true, recv: false, remoteHold: false });
  });

  it('does not send to c=0.0.0.0', () => {
    const answer = sdp('v=0', 'o=- 77 1 IN IP4 198.51.100.30', 's=-', 'c=IN IP4 0.0.0.0', 't=0 0', 'm=audio 30000 RTP/AVP 0');
    expect(applyAnswer(OFFER, answer)).toMatchObject({ send: false, recv: true, remoteHold: true });
  });

  it('rejects an answer with a different m-line count, a rejected audio stream, or no offered codec', () => {
    expect(failure(() => applyAnswer(OFFER, answerWith('m=audio 30000 RTP/AVP 0', 'm=video 0 RTP/AVP 31'))).reason).toBe('bad-answer');
    expect(failure(() => applyAnswer(OFFER, answerWith('m=audio 0 RTP/AVP 0'))).reason).toBe('no-common-codec');
    expect(failure(() => applyAnswer(OFFER, answerWith('m=audio 30000 RTP/AVP 3'))).reason).toBe('no-common-codec');
    expect(failure(() => applyAnswer(OFFER, answerWith('m=video 30000 RTP/AVP 31'))).reason).toBe('bad-answer');
    expect(failure(() => applyAnswer(OFFER, 'garbage')).reason).toBe('malformed');
  });

  it('agrees with the far end after a full exchange between two Portier sides', () => {
    const alice = localOptions({ codecs: ['PCMA', 'PCMU'] });
    const bob = localOptions({ address: '192.0.2.20', rtpPort: 26100, codecs: ['PCMU', 'PCMA'] });
    const offer = createOffer(alice);
    const answered = negotiateAnswer(offer, bob);
    if (!answered.ok) throw answered.error;
    const mine = applyAnswer(offer, answered.answerText);
    expect(mine.codec).toEqual(answered.session.codec);
    expect(mine.dtmfPt).toBe(answered.session.dtmfPt);
    expect(mine).toMatchObject({ remoteAddress: '192.0.2.20', remoteRtpPort: 26100, remoteRtcpPort: 26101 });
    expect(answered.session).toMatchObject({ remoteAddress: '192.0.2.10', remoteRtpPort: 26000 });
  });
});
