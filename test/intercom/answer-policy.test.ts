import { describe, expect, it } from 'vitest';
import type { IncomingCallConfig } from '../../src/config/portier-config.js';
import { AnswerPolicy } from '../../src/intercom/answer-policy.js';

function policy(overrides: Partial<IncomingCallConfig> = {}): AnswerPolicy {
  return new AnswerPolicy({ mode: 'auto', answerDelaySeconds: 2, allow: [], rejectCode: 486, honourIntercomHints: true, ...overrides });
}

const autoAnswer = [{ name: 'Call-Info', value: '<sip:pbx>;answer-after=0' }];

describe('AnswerPolicy', () => {
  it('answers after the configured delay in auto mode', () => {
    expect(policy().decide({ caller: 'sip:201@pbx', headers: [] })).toEqual({ action: 'answer', delayMs: 2000 });
  });

  it('rings then answers in ring-then-answer mode', () => {
    expect(policy({ mode: 'ring-then-answer', answerDelaySeconds: 5 }).decide({ caller: 'sip:201@pbx', headers: [] })).toEqual({ action: 'ring-then-answer', delayMs: 5000 });
  });

  it('rejects everyone in reject mode, hints or not', () => {
    expect(policy({ mode: 'reject', rejectCode: 403 }).decide({ caller: 'sip:201@pbx', headers: autoAnswer })).toEqual({ action: 'reject', status: 403, reason: 'mode' });
  });

  it('rejects callers outside the allow-list with the configured code, ignoring their hints', () => {
    const p = policy({ allow: ['sip:*@pbx.example.org'], rejectCode: 486 });
    expect(p.decide({ caller: '<sip:mallory@evil.example>;tag=1', headers: autoAnswer })).toEqual({ action: 'reject', status: 486, reason: 'not-allowed' });
    expect(p.permits('sip:201@pbx.example.org')).toBe(true);
  });

  it('honours an intercom hint from a permitted caller, overriding the mode delay', () => {
    const p = policy({ mode: 'ring-then-answer', answerDelaySeconds: 10, allow: ['201'] });
    expect(p.decide({ caller: 'sip:201@pbx', headers: [{ name: 'Alert-Info', value: '<http://x>;info=alert-autoanswer;delay=1' }] })).toEqual({
      action: 'answer',
      delayMs: 1000,
      hint: 'alert-info',
    });
  });

  it('ignores hints when honourIntercomHints is off', () => {
    const p = policy({ mode: 'ring-then-answer', honourIntercomHints: false });
    expect(p.decide({ caller: 'sip:201@pbx', headers: [{ name: 'Answer-Mode', value: 'Auto' }] })).toEqual({ action: 'ring-then-answer', delayMs: 2000 });
  });
});
