import type { IncomingCallConfig } from '../config/portier-config.js';
import { CallerAllowList } from './caller-allow-list.js';
import { findIntercomHint, type IncomingHeader, type IntercomHint } from './intercom-hint.js';

/** What the door station knows about an incoming INVITE when deciding. */
export interface IncomingCallInfo {
  /** The From value or the caller's URI. */
  caller: string;
  headers: readonly IncomingHeader[];
}

/** What to do with an incoming call. */
export type AnswerDecision =
  | { action: 'answer'; delayMs: number; hint?: IntercomHint['source'] }
  | { action: 'ring-then-answer'; delayMs: number }
  | { action: 'reject'; status: 403 | 486; reason: 'mode' | 'not-allowed' };

/**
 * Decides how an incoming call is handled, from `incoming` in the configuration.
 * The allow-list is checked first: intercom auto-answer hints are honoured only
 * for callers it permits, so a stranger cannot make the door station pick up by
 * adding a header. `mode: reject` refuses every call.
 */
export class AnswerPolicy {
  private readonly allowList: CallerAllowList;

  constructor(private readonly config: IncomingCallConfig) {
    this.allowList = new CallerAllowList(config.allow);
  }

  /** Whether the caller is on the allow-list (also used to allow DTMF door codes on the call). */
  permits(caller: string): boolean {
    return this.allowList.permits(caller);
  }

  decide(call: IncomingCallInfo): AnswerDecision {
    const { config } = this;
    if (config.mode === 'reject') return { action: 'reject', status: config.rejectCode, reason: 'mode' };
    if (!this.permits(call.caller)) return { action: 'reject', status: config.rejectCode, reason: 'not-allowed' };
    if (config.honourIntercomHints) {
      const hint = findIntercomHint(call.headers);
      if (hint) return { action: 'answer', delayMs: hint.delaySeconds * 1000, hint: hint.source };
    }
    const delayMs = config.answerDelaySeconds * 1000;
    return config.mode === 'auto' ? { action: 'answer', delayMs } : { action: 'ring-then-answer', delayMs };
  }
}
