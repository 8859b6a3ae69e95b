import sdpTransform from 'sdp-transform';
import { describe, expect, it } from 'vitest';
import type { LocalMediaOptions } from '../../../src/media/sdp/negotiated-media.js';
import { negotiateAnswer, type SdpAnswerResult } from '../../../src/media/sdp/sdp-answer.js';
import { SdpError } from '../../../src/media/sdp/sdp-error.js';
import { ASTERISK_OFFER, BARESIP_OFFER, audioOffer, localOptions, sdp } from './sdp-fixtures.js';

function accept(offer: string, local: LocalMediaOptions = localOptions()): SdpAnswerResult & { ok: true } {
  const result = negotiateAnswer(offer, local);
  if (!result.ok) throw result.error;
  return result;
}

function refuse(offer: string, local: LocalMediaOptions = localOptions()): SdpError {
  const result = negotiateAnswer(offer, local);
  if (result.ok) throw new Error(`expected a refusal, got\n${result.answerText}`);
  expect(result.status).toBe(488);
  expect(result.error).toBeInstanceOf(SdpError);
  expect(result.error.code).toBe('PORTIER_ERR_SDP');
  expect(result.error.sipStatus).toBe(488);
  return result.error;
}

function audioOf(answerText: string) {
  return sdpTransform.parse(answerText).media.find((m) => m.type === 'audio' && m.port !== 0)!;
}

describe('negotiateAnswer: real offers', () => {
  it('answers a baresip offer with PCMU and telephone-event', () => {
    const { answerText, session } = accept(BARESIP_OFFER);
    expect(session).toEqual({
      remoteAddress: '198.51.100.20',
      remoteRtpPort: 10234,
      remoteRtcpAddress: '198.51.100.20',
      remoteRtcpPort: 10235,
      codec: { name: 'PCMU', pt: 0, clockRate: 8000 },
      dtmfPt: 101,
      ptime: 20,
      direction: 'sendrecv',
      send: true,
      recv: true,
      remoteHold: false,
    });
    expect(answerText).toContain('o=- 4242 7 IN IP4 192.0.2.10\r\n');
    expect(answerText).toContain('m=audio 26000 RTP/AVP 0 101\r\n');
    expect(answerText).toContain('a=fmtp:101 0-15\r\n');
    expect(answerText).toContain('a=sendrecv\r\n');
  });

  it('answers an Asterisk offer with our preferred codec among its list, ignoring GSM', () => {
    const pcmu = accept(ASTERISK_OFFER);
    expect(pcmu.session.codec).toEqual({ name: 'PCMU', pt: 0, clockRate: 8000 });
    expect(pcmu.session.dtmfPt).toBe(101);
    expect(audioOf(pcmu.answerText).payloads).toBe('0 101');
    const pcma = accept(ASTERISK_OFFER, localOptions({ codecs: ['PCMA', 'PCMU'] }));
    expect(pcma.session.codec.name).toBe('PCMA');
    expect(audioOf(pcma.answerText).payloads).toBe('8 101');
  });
});

describe('negotiateAnswer: codecs and payload types', () => {
  it('knows PCMU 0 and PCMA 8 without a=rtpmap', () => {
    expect(accept(audioOffer('m=audio 4000 RTP/AVP 8')).session.codec).toEqual({ name: 'PCMA', pt: 8, clockRate: 8000 });
    const both = accept(audioOffer('m=audio 4000 RTP/AVP 8 0'));
    expect(both.session.codec.name).toBe('PCMU');
    expect(both.answerText).toContain('a=rtpmap:0 PCMU/8000');
  });

  it('follows a dynamic mapping of PCMU and keeps its payload type in the answer', () => {
    const { session, answerText } = accept(audioOffer('m=audio 4000 RTP/AVP 96', 'a=rtpmap:96 pcmu/8000'));
    expect(session.codec).toEqual({ name: 'PCMU', pt: 96, clockRate: 8000 });
    expect(answerText).toContain('m=audio 26000 RTP/AVP 96\r\n');
    expect(answerText).toContain('a=rtpmap:96 PCMU/8000');
  });

  it('refuses with 488 no-common-codec when only other codecs are offered', () => {
    const error = refuse(audioOffer('m=audio 4000 RTP/AVP 3 18', 'a=rtpmap:3 GSM/8000', 'a=rtpmap:18 G729/8000'));
    expect(error.reason).toBe('no-common-codec');
    expect(refuse(audioOffer('m=audio 4000 RTP/AVP 0'), localOptions({ codecs: ['PCMA'] })).reason).toBe('no-common-codec');
  });

  it('does not take PCMU at another clock rate', () => {
    expect(refuse(audioOffer('m=audio 4000 RTP/AVP 97', 'a=rtpmap:97 PCMU/16000')).reason).toBe('no-common-codec');
  });

  it('declines SRTP audio (RTP/SAVP) but accepts a following RTP/AVP stream', () => {
    const offer = sdp(
      'v=0', 'o=- 1 1 IN IP4 198.51.100.7', 's=-', 'c=IN IP4 198.51.100.7', 't=0 0',
      'm=audio 4000 RTP/SAVP 0', 'a=crypto:1 AES_CM_128_HMAC_SHA1_80 inline:PS1uQCVeeCFCanVmcjkpPywjNWhcYD0mXXtxaVBR',
      'm=audio 4002 RTP/AVP 0',
    );
    const { answerText, session } = accept(offer);
    expect(answerText.split('\r\n').filter((l) => l.startsWith('m='))).toEqual(['m=audio 0 RTP/SAVP 0', 'm=audio 26000 RTP/AVP 0']);
    expect(session.remoteRtpPort).toBe(4002);
    expect(refuse(audioOffer('m=audio 4000 RTP/SAVP 0')).reason).toBe('no-common-codec');
  });
});

describe('negotiateAnswer: telephone-event', () => {
  it('keeps the offer payload type and answers events 0-15', () => {
    const { session, answerText } = accept(audioOffer('m=audio 4000 RTP/AVP 0 100', 'a=rtpmap:100 telephone-event/8000', 'a=fmtp:100 0-16'));
    expect(session.dtmfPt).toBe(100);
    expect(answerText).toContain('a=rtpmap:100 telephone-event/8000');
    expect(answerText).toContain('a=fmtp:100 0-15');
  });

  it('takes a telephone-event without fmtp as events 0-15 (RFC 4733 §7.1.1)', () => {
    expect(accept(audioOffer('m=audio 4000 RTP/AVP 0 101', 'a=rtpmap:101 telephone-event/8000')).session.dtmfPt).toBe(101);
  });

  it('leaves out telephone-event that is missing, at 16 kHz, without the keys, or not wanted', () => {
    const none = accept(audioOffer('m=audio 4000 RTP/AVP 0'));
    expect(none.session.dtmfPt).toBeUndefined();
    expect(none.answerText).not.toContain('telephone-event');
    const wideband = accept(audioOffer('m=audio 4000 RTP/AVP 0 101', 'a=rtpmap:101 telephone-event/16000'));
    expect(wideband.session.dtmfPt).toBeUndefined();
    const flashOnly = accept(audioOffer('m=audio 4000 RTP/AVP 0 101', 'a=rtpmap:101 telephone-event/8000', 'a=fmtp:101 16'));
    expect(flashOnly.session.dtmfPt).toBeUndefined();
    const unwanted = accept(BARESIP_OFFER, localOptions({ telephoneEvent: false }));
    expect(unwanted.session.dtmfPt).toBeUndefined();
    expect(unwanted.answerText).not.toContain('telephone-event');
  });
});

describe('negotiateAnswer: packet time', () => {
  it.each([
    [[], 20],
    [['a=ptime:30'], 30],
    [['a=ptime:10'], 10],
    [['a=ptime:60'], 60],
    [['a=ptime:5'], 20],
    [['a=ptime:90'], 20],
    [['a=ptime:20', 'a=maxptime:10'], 10],
    [['a=maxptime:150'], 20],
    [['a=ptime:40', 'a=maxptime:30'], 30],
  ])('%j → %i ms', (attributes, expected) => {
    expect(accept(audioOffer('m=audio 4000 RTP/AVP 0', ...attributes)).session.ptime).toBe(expected);
  });

  it('writes our own ptime into the answer, whatever the peer asked for', () => {
    expect(accept(audioOffer('m=audio 4000 RTP/AVP 0', 'a=ptime:30')).answerText).toContain('a=ptime:20');
  });
});

describe('negotiateAnswer: direction (RFC 3264 §6.1)', () => {
  it.each([
    ['sendrecv', 'sendrecv', { send: true, recv: true, remoteHold: false }],
    ['sendonly', 'recvonly', { send: false, recv: true, remoteHold: true }],
    ['recvonly', 'sendonly', { send: true, recv: false, remoteHold: false }],
    ['inactive', 'inactive', { send: false, recv: false, remoteHold: true }],
  ] as const)('answers a=%s with a=%s', (offered, answered, flags) => {
    const { session, answerText } = accept(audioOffer('m=audio 4000 RTP/AVP 0', `a=${offered}`));
    expect(session.direction).toBe(answered);
    expect(session).toMatchObject(flags);
    expect(audioOf(answerText).direction).toBe(answered);
  });

  it('inherits a session-level direction, and a media-level one overrides it', () => {
    const sessionLevel = sdp('v=0', 'o=- 1 1 IN IP4 198.51.100.7', 's=-', 'c=IN IP4 198.51.100.7', 't=0 0', 'a=sendonly', 'm=audio 4000 RTP/AVP 0');
    expect(accept(sessionLevel).session.direction).toBe('recvonly');
    const overridden = sdp('v=0', 'o=- 1 1 IN IP4 198.51.100.7', 's=-', 'c=IN IP4 198.51.100.7', 't=0 0', 'a=sendonly', 'm=audio 4000 RTP/AVP 0', 'a=sendrecv');
    expect(accept(overridden).session.direction).toBe('sendrecv');
  });

  it('narrows by our own direction: holding (sendonly) answers a sendrecv offer with sendonly, a sendonly offer with inactive', () => {
    expect(accept(BARESIP_OFFER, localOptions({ direction: 'sendonly' })).session.direction).toBe('sendonly');
    expect(accept(audioOffer('m=audio 4000 RTP/AVP 0', 'a=sendonly'), localOptions({ direction: 'sendonly' })).session.direction).toBe('inactive');
  });

  it('treats c=0.0.0.0 as hold (RFC 2543): we do not send, we answer recvonly', () => {
    const offer = sdp('v=0', 'o=- 1 2 IN IP4 198.51.100.7', 's=-', 'c=IN IP4 0.0.0.0', 't=0 0', 'm=audio 4000 RTP/AVP 0');
    const { session, answerText } = accept(offer);
    expect(session).toMatchObject({ remoteAddress: '0.0.0.0', send: false, recv: true, direction: 'recvonly', remoteHold: true });
    expect(audioOf(answerText).direction).toBe('recvonly');
  });
});

describe('negotiateAnswer: addresses and RTCP', () => {
  it('uses a=rtcp port and address (RFC 3605) when given, else RTP port + 1', () => {
    expect(accept(audioOffer('m=audio 4000 RTP/AVP 0', 'a=rtcp:4005')).session).toMatchObject({ remoteRtcpAddress: '198.51.100.7', remoteRtcpPort: 4005 });
    expect(accept(audioOffer('m=audio 4000 RTP/AVP 0', 'a=rtcp:53020 IN IP4 203.0.113.9')).session).toMatchObject({ remoteRtcpAddress: '203.0.113.9', remoteRtcpPort: 53020 });
    expect(accept(audioOffer('m=audio 4000 RTP/AVP 0')).session.remoteRtcpPort).toBe(4001);
  });

  it('prefers the media-level c= and strips a TTL suffix', () => {
    const offer = sdp('v=0', 'o=- 1 1 IN IP4 198.51.100.7', 's=-', 'c=IN IP4 198.51.100.7', 't=0 0', 'm=audio 4000 RTP/AVP 0', 'c=IN IP4 198.51.100.99/127');
    expect(accept(offer).session.remoteAddress).toBe('198.51.100.99');
  });
});

describe('negotiateAnswer: other streams (RFC 3264 §6)', () => {
  it('rejects video and T.38 with port 0, keeping every m-line in order', () => {
    const offer = sdp(
      'v=0', 'o=- 1 1 IN IP4 198.51.100.7', 's=-', 'c=IN IP4 198.51.100.7', 't=0 0',
      'm=video 5000 RTP/AVP 96', 'a=rtpmap:96 H264/90000',
      'm=audio 4000 RTP/AVP 0 101', 'a=rtpmap:101 telephone-event/8000',
      'm=image 6000 udptl t38', 'a=T38FaxVersion:0',
      'm=audio 4010 RTP/AVP 3', 'a=rtpmap:3 GSM/8000',
    );
    const { answerText, session, slots } = accept(offer);
    const answer = sdpTransform.parse(answerText);
    expect(answer.media.map((m) => `${m.type} ${m.port} ${m.protocol} ${String(m.payloads)}`)).toEqual([
      'video 0 RTP/AVP 96',
      'audio 26000 RTP/AVP 0 101',
      'image 0 udptl t38',
      'audio 0 RTP/AVP 3',
    ]);
    expect(answer.media[0]!.rtp).toEqual([]);
    expect(session.remoteRtpPort).toBe(4000);
    expect(slots.map((s) => s.audio)).toEqual([false, true, false, false]);
  });

  it('answers only the first usable audio stream; a second one with a codec is rejected too', () => {
    const offer = sdp('v=0', 'o=- 1 1 IN IP4 198.51.100.7', 's=-', 'c=IN IP4 198.51.100.7', 't=0 0', 'm=audio 4000 RTP/AVP 3', 'm=audio 4002 RTP/AVP 8', 'm=audio 4004 RTP/AVP 0');
    const ports = sdpTransform.parse(accept(offer).answerText).media.map((m) => m.port);
    expect(ports).toEqual([0, 26000, 0]);
  });

  it('refuses an offer with no audio (only video) as no-audio, and one whose audio is already port 0', () => {
    expect(refuse(sdp('v=0', 'o=- 1 1 IN IP4 198.51.100.7', 's=-', 'c=IN IP4 198.51.100.7', 't=0 0', 'm=video 5000 RTP/AVP 31')).reason).toBe('no-audio');
    expect(refuse(sdp('v=0', 'o=- 1 1 IN IP4 198.51.100.7', 's=-', 'c=IN IP4 198.51.100.7', 't=0 0', 'm=audio 0 RTP/AVP 0')).reason).toBe('no-audio');
  });
});

describe('negotiateAnswer: malformed', () => {
  it.each([
    ['empty', ''],
    ['not SDP', 'hello world\r\n'],
    ['no v=0 first', 'o=- 1 1 IN IP4 1.2.3.4\r\nv=0\r\nm=audio 4000 RTP/AVP 0\r\n'],
    ['a junk line', 'v=0\r\no=- 1 1 IN IP4 1.2.3.4\r\ns=-\r\nc=IN IP4 1.2.3.4\r\nt=0 0\r\nm=audio 4000 RTP/AVP 0\r\nthis is not sdp\r\n'],
    ['no o=', 'v=0\r\ns=-\r\nc=IN IP4 1.2.3.4\r\nt=0 0\r\nm=audio 4000 RTP/AVP 0\r\n'],
    ['a port out of range', 'v=0\r\no=- 1 1 IN IP4 1.2.3.4\r\ns=-\r\nc=IN IP4 1.2.3.4\r\nt=0 0\r\nm=audio 70000 RTP/AVP 0\r\n'],
    ['no c= anywhere', 'v=0\r\no=- 1 1 IN IP4 1.2.3.4\r\ns=-\r\nt=0 0\r\nm=audio 4000 RTP/AVP 0\r\n'],
  ])('refuses %s with 488 malformed', (_name, text) => {
    expect(refuse(text).reason).toBe('malformed');
  });

  it('accepts LF-only line ends', () => {
    expect(accept(BARESIP_OFFER.replaceAll('\r\n', '\n')).session.codec.name).toBe('PCMU');
  });
});
