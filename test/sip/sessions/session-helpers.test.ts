import fc from 'fast-check';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { parseMessage, type SipRequest } from '../../../src/sip/messages/index.js';
import { AnswerRetransmitter } from '../../../src/sip/sessions/answer-retransmitter.js';
import { glareRetryDelay } from '../../../src/sip/sessions/glare-delay.js';
import { OwnedTimers } from '../../../src/sip/sessions/owned-timers.js';
import { parseRAck, parseRSeq } from '../../../src/sip/sessions/rack.js';
import { ReliableProvisionalSender } from '../../../src/sip/sessions/reliable-provisional-sender.js';
import { isHoldOffer, sdpDirection } from '../../../src/sip/sessions/sdp-direction.js';
import { expiryDelayMs, formatSessionExpires, readMinSE, readSessionExpires, refreshDelayMs } from '../../../src/sip/sessions/session-expires.js';
import { resolveSessionOptions } from '../../../src/sip/sessions/session-options.js';
import { assertSessionTransition, SessionState } from '../../../src/sip/sessions/session-state.js';
import { SessionStateError } from '../../../src/sip/sessions/session-errors.js';

describe('glareRetryDelay (RFC 3261 §14.1)', () => {
  it('waits 2.1–4 s in 10 ms units for the Call-ID owner and 0–2 s otherwise', () => {
    fc.assert(
      fc.property(fc.double({ min: 0, max: 0.9999999, noNaN: true }), fc.boolean(), (r, owner) => {
        const d = glareRetryDelay(owner, () => r);
        expect(d % 10).toBe(0);
        if (owner) expect(d >= 2100 && d <= 4000).toBe(true);
        else expect(d >= 0 && d <= 2000).toBe(true);
      }),
      { numRuns: 200 },
    );
    expect(glareRetryDelay(true, () => 0)).toBe(2100);
    expect(glareRetryDelay(false, () => 0.9999999)).toBe(2000);
  });
});

describe('sdpDirection / isHoldOffer', () => {
  const sdp = (...lines: string[]) => ['v=0', 'o=- 1 1 IN IP4 10.0.0.1', 's=-', ...lines].join('\r\n');
  it('reads the media-level attribute over the session level, default sendrecv', () => {
    expect(sdpDirection(sdp('c=IN IP4 10.0.0.1', 'm=audio 4000 RTP/AVP 0'))).toBe('sendrecv');
    expect(sdpDirection(sdp('a=sendonly', 'm=audio 4000 RTP/AVP 0'))).toBe('sendonly');
    expect(sdpDirection(sdp('a=sendonly', 'm=audio 4000 RTP/AVP 0', 'a=inactive'))).toBe('inactive');
    expect(sdpDirection(sdp('m=audio 4000 RTP/AVP 0', 'a=recvonly', 'm=video 4002 RTP/AVP 96', 'a=sendonly'))).toBe('recvonly');
  });
  it('treats sendonly, inactive and c=0.0.0.0 as hold, recvonly and sendrecv not', () => {
    expect(isHoldOffer(sdp('m=audio 4000 RTP/AVP 0', 'a=sendonly'))).toBe(true);
    expect(isHoldOffer(sdp('m=audio 4000 RTP/AVP 0', 'a=inactive'))).toBe(true);
    expect(isHoldOffer(sdp('c=IN IP4 0.0.0.0', 'm=audio 4000 RTP/AVP 0'))).toBe(true);
    expect(isHoldOffer(sdp('m=audio 4000 RTP/AVP 0', 'a=recvonly'))).toBe(false);
    expect(isHoldOffer(sdp('c=IN IP4 10.0.0.1', 'm=audio 4000 RTP/AVP 0'))).toBe(false);
  });
});

describe('Session-Expires / Min-SE (RFC 4028)', () => {
  const req = (extra: string) =>
    parseMessage(
      Buffer.from(`INVITE sip:a@b SIP/2.0\r\nVia: SIP/2.0/UDP h;branch=z9hG4bK1\r\nFrom: <sip:x@y>;tag=1\r\nTo: <sip:a@b>\r\nCall-ID: c\r\nCSeq: 1 INVITE\r\n${extra}Content-Length: 0\r\n\r\n`),
    ) as SipRequest;
  it('parses intervals, refresher and compact form; rejects garbage', () => {
    expect(readSessionExpires(req('Session-Expires: 1800;refresher=UAS\r\n'))).toEqual({ interval: 1800, refresher: 'uas' });
    expect(readSessionExpires(req('x: 90\r\n'))).toEqual({ interval: 90 });
    expect(readSessionExpires(req('Session-Expires: soon\r\n'))).toBeUndefined();
    expect(readSessionExpires(req(''))).toBeUndefined();
    expect(readMinSE(req('Min-SE: 120\r\n'))).toBe(120);
    expect(readMinSE(req('Min-SE: x\r\n'))).toBeUndefined();
    expect(formatSessionExpires({ interval: 90, refresher: 'uac' })).toBe('90;refresher=uac');
  });
  it('refreshes at half the interval and expires at interval − min(32, interval/3) (§10)', () => {
    expect(refreshDelayMs(1800)).toBe(900_000);
    expect(expiryDelayMs(1800)).toBe(1_768_000);
    expect(expiryDelayMs(90)).toBe(60_000);
  });
});

describe('RAck / RSeq (RFC 3262 §7)', () => {
  it('parses valid values and rejects malformed ones', () => {
    expect(parseRAck('776656 1 INVITE')).toEqual({ rseq: 776656, cseq: 1, method: 'INVITE' });
    expect(parseRAck('1 x INVITE')).toBeUndefined();
    expect(parseRAck(undefined)).toBeUndefined();
    expect(parseRSeq(' 42 ')).toBe(42);
    expect(parseRSeq('-1')).toBeUndefined();
  });
});

describe('timed helpers with fake timers', () => {
  beforeEach(() => vi.useFakeTimers());
  afterEach(() => vi.useRealTimers());

  it('AnswerRetransmitter: T1, 2T1, … capped at T2 until ACK; 64·T1 without ACK is a timeout', () => {
    const sends: number[] = [];
    let timedOut = 0;
    const r = new AnswerRetransmitter(() => sends.push(Date.now()), { t1: 500, t2: 4000, retransmit: true, onTimeout: () => timedOut++ });
    const start = Date.now();
    vi.advanceTimersByTime(32_000);
    const offsets = sends.map((t) => t - start);
    expect(offsets.slice(0, 6)).toEqual([500, 1500, 3500, 7500, 11500, 15500]);
    expect(timedOut).toBe(1);
    expect(r.active).toBe(false);
    const count = sends.length;
    vi.advanceTimersByTime(10_000);
    expect(sends.length).toBe(count);
  });

  it('AnswerRetransmitter stops on acknowledge and on streams only waits', () => {
    let sends = 0;
    let timedOut = 0;
    const r = new AnswerRetransmitter(() => sends++, { t1: 500, t2: 4000, retransmit: true, onTimeout: () => timedOut++ });
    vi.advanceTimersByTime(1600);
    expect(sends).toBe(2);
    r.acknowledge();
    vi.advanceTimersByTime(60_000);
    expect(sends).toBe(2);
    expect(timedOut).toBe(0);
    const s = new AnswerRetransmitter(() => sends++, { t1: 500, t2: 4000, retransmit: false, onTimeout: () => timedOut++ });
    vi.advanceTimersByTime(32_000);
    expect(sends).toBe(2);
    expect(timedOut).toBe(1);
    s.close();
  });

  it('ReliableProvisionalSender: doubling retransmissions, matching PRACK, 64·T1 timeout', async () => {
    let sends = 0;
    let timeouts = 0;
    const s = new ReliableProvisionalSender(() => sends++, 7, 1, 500, () => timeouts++);
    vi.advanceTimersByTime(3500);
    expect(sends).toBe(3);
    expect(s.matches({ rseq: 7, cseq: 1, method: 'INVITE' })).toBe(true);
    expect(s.matches({ rseq: 8, cseq: 1, method: 'INVITE' })).toBe(false);
    expect(s.matches({ rseq: 7, cseq: 2, method: 'INVITE' })).toBe(false);
    s.acknowledge();
    await expect(s.result).resolves.toBe(true);
    vi.advanceTimersByTime(60_000);
    expect(sends).toBe(3);
    const t = new ReliableProvisionalSender(() => sends++, 8, 1, 500, () => timeouts++);
    vi.advanceTimersByTime(32_000);
    expect(timeouts).toBe(1);
    await expect(t.result).resolves.toBe(false);
  });

  it('OwnedTimers replaces a running name and clears everything', () => {
    const fired: string[] = [];
    const t = new OwnedTimers();
    t.start('a', 100, () => fired.push('a1'));
    t.start('a', 200, () => fired.push('a2'));
    t.start('b', 50, () => fired.push('b'));
    expect(t.size).toBe(2);
    vi.advanceTimersByTime(150);
    expect(fired).toEqual(['b']);
    t.clear();
    vi.advanceTimersByTime(1000);
    expect(fired).toEqual(['b']);
    expect(t.has('a')).toBe(false);
  });
});

describe('session state and options', () => {
  it('guards transitions', () => {
    expect(() => assertSessionTransition(SessionState.Confirmed, SessionState.Early)).toThrow(SessionStateError);
    expect(() => assertSessionTransition(SessionState.Terminated, SessionState.Confirmed)).toThrow(SessionStateError);
    expect(() => assertSessionTransition(SessionState.AwaitingAck, SessionState.Confirmed)).not.toThrow();
  });
  it('fills defaults and rejects nonsense', () => {
    const o = resolveSessionOptions();
    expect(o).toMatchObject({ t1: 500, t2: 4000, maxDurationMs: 0, reliableProvisionals: true, sessionTimers: { expires: 1800, minSE: 90, refreshMethod: 'update' } });
    expect(resolveSessionOptions({ sessionTimers: false }).sessionTimers).toBe(false);
    expect(() => resolveSessionOptions({ sessionTimers: { expires: 60, minSE: 90 } })).toThrow(RangeError);
    expect(() => resolveSessionOptions({ t1: 0 })).toThrow(RangeError);
    expect(() => resolveSessionOptions({ maxDurationMs: -1 })).toThrow(RangeError);
  });
});
