import { describe, expect, it } from 'vitest';
import type { IncomingCallConfig } from '../../src/config/portier-config.js';
import { AnswerPolicy } from '../../src/intercom/answer-policy.js';

function policy(overrides: Partial<IncomingCallConfig> = {}): AnswerPolicy {
  return new AnswerPolicy({ mode: 'auto', answerDelaySeconds: 2, allow: [], trustedSources: [], rejectCode: 486, honourIntercomHints: true, ...overrides });
}

const autoAnswer = [{ name: 'Call-Info', value: '<sip:pbx>;answer-after=0' }];

describe('AnswerPolicy', () => {
  it('answers after the configured delay in auto mode', () => {
    expect(policy().decide({ caller: 'sip:201@pbx', headers: [], trustedSource: true })).toEqual({ action: 'answer', delayMs: 2000 });
  });

  it('rings then answers in ring-then-answer mode', () => {
    expect(policy({ mode: 'ring-then-answer', answerDelaySeconds: 5 }).decide({ caller: 'sip:201@pbx', headers: [], trustedSource: true })).toEqual({ action: 'ring-then-answer', delayMs: 5000 });
  });

  it('rejects everyone in reject mode, hints or not', () => {
    expect(policy({ mode: 'reject', rejectCode: 403 }).decide({ caller: 'sip:201@pbx', headers: autoAnswer, trustedSource: true })).toEqual({ action: 'reject', status: 403, reason: 'mode' });
  });

  it('rejects callers outside the allow-list with the configured code, ignoring their hints', () => {
    const p = policy({ allow: ['sip:*@pbx.example.org'], rejectCode: 486 });
    expect(p.decide({ caller: '<sip:mallory@evil.example>;tag=1', headers: autoAnswer, trustedSource: true })).toEqual({ action: 'reject', status: 486, reason: 'not-allowed' });
    expect(p.permits({ caller: 'sip:201@pbx.example.org', trustedSource: true })).toBe(true);
  });

  it('honours an intercom hint from a permitted caller, overriding the mode delay', () => {
    const p = policy({ mode: 'ring-then-answer', answerDelaySeconds: 10, allow: ['201'] });
    expect(p.decide({ caller: 'sip:201@pbx', headers: [{ name: 'Alert-Info', value: '<http://x>;info=alert-autoanswer;delay=1' }], trustedSource: true })).toEqual({
      action: 'answer',
      delayMs: 1000,
      hint: 'alert-info',
    });
  });

  it('ignores hints when honourIntercomHints is off', () => {
    const p = policy({ mode: 'ring-then-answer', honourIntercomHints: false });
    expect(p.decide({ caller: 'sip:201@pbx', headers: [{ name: 'Answer-Mode', value: 'Auto' }], trustedSource: true })).toEqual({ action: 'ring-then-answer', delayMs: 2000 });
  });

  it('treats an allow-listed From from an untrusted source like a caller not on the list (rejected, no door access)', () => {
    const p = policy({ allow: ['sip:201@pbx.example.org'], rejectCode: 403 });
    const spoofed = { caller: '<sip:201@pbx.example.org>;tag=1', trustedSource: false };
    expect(p.decide({ ...spoofed, headers: autoAnswer })).toEqual({ action: 'reject', status: 403, reason: 'untrusted-source' });
    expect(p.permits(spoofed)).toBe(false);
    expect(p.grantsDoorAccess(spoofed)).toBe(false);
    const viaPbx = { ...spoofed, trustedSource: true };
    expect(p.decide({ ...viaPbx, headers: [] })).toEqual({ action: 'answer', delayMs: 2000 });
    expect(p.grantsDoorAccess(viaPbx)).toBe(true);
    // Not on the list at all: the reason stays not-allowed, wherever from.
    expect(p.decide({ caller: 'sip:666@pbx.example.org', trustedSource: false, headers: [] })).toMatchObject({ reason: 'not-allowed' });
  });

  it('with an empty allow-list answers every caller, trusted source or not, and gives nobody door access', () => {
    const p = policy({ allow: [] });
    for (const trustedSource of [true, false]) {
      expect(p.decide({ caller: 'sip:201@pbx', trustedSource, headers: [] })).toEqual({ action: 'answer', delayMs: 2000 });
      expect(p.grantsDoorAccess({ caller: 'sip:201@pbx', trustedSource })).toBe(false);
    }
  });
});
