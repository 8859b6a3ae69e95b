import type { IncomingCallConfig } from '../config/portier-config.js';
import { CallerAllowList } from './caller-allow-list.js';
import { findIntercomHint, type IncomingHeader, type IntercomHint } from './intercom-hint.js';

/** Who is calling, as far as the door station can tell. */
export interface CallerInfo {
  /** The From value or the caller's URI: written by the caller, so only as good as its source. */
  caller: string;
  /** Whether the INVITE arrived from a trusted source (the PBX, or `incoming.trustedSources`). */
  trustedSource: boolean;
}

/** What the door station knows about an incoming INVITE when deciding. */
export interface IncomingCallInfo extends CallerInfo {
  headers: readonly IncomingHeader[];
}

/** What to do with an incoming call. */
export type AnswerDecision =
  | { action: 'answer'; delayMs: number; hint?: IntercomHint['source'] }
  | { action: 'ring-then-answer'; delayMs: number }
  | { action: 'reject'; status: 403 | 486; reason: 'mode' | 'not-allowed' | 'untrusted-source' };

/**
 * Decides how an incoming call is handled, from `incoming` in the configuration.
 * The allow-list is checked first: intercom auto-answer hints are honoured only
 * for callers it permits, so a stranger cannot make the door station pick up by
 * adding a header. `mode: reject` refuses every call.
 *
 * From is the caller's own claim: with an allow-list, it counts only for an INVITE
 * that came from a trusted source (the PBX, which authenticates its users); one sent
 * straight to the door station is treated like a caller not on the list. With an
 * empty allow-list everyone is answered, wherever from, and nobody gets door access.
 */
export class AnswerPolicy {
  private readonly allowList: CallerAllowList;

  constructor(private readonly config: IncomingCallConfig) {
    this.allowList = new CallerAllowList(config.allow);
  }

  /** Whether the caller may call: allow-listed and from a trusted source, or anyone when the list is empty. */
  permits(call: CallerInfo): boolean {
    if (this.config.allow.length === 0) return true;
    return call.trustedSource && this.allowList.permits(call.caller);
  }

  /** Whether the caller's DTMF may open doors: an allow-listed caller from a trusted source; nobody without a list. */
  grantsDoorAccess(call: CallerInfo): boolean {
    return this.config.allow.length > 0 && this.permits(call);
  }

  decide(call: IncomingCallInfo): AnswerDecision {
    const { config } = this;
    if (config.mode === 'reject') return { action: 'reject', status: config.rejectCode, reason: 'mode' };
    if (!this.permits(call)) {
      const reason = call.trustedSource || !this.allowList.permits(call.caller) ? 'not-allowed' : 'untrusted-source';
      return { action: 'reject', status: config.rejectCode, reason };
    }
    if (config.honourIntercomHints) {
      const hint = findIntercomHint(call.headers);
      if (hint) return { action: 'answer', delayMs: hint.delaySeconds * 1000, hint: hint.source };
    }
    const delayMs = config.answerDelaySeconds * 1000;
    return config.mode === 'auto' ? { action: 'answer', delayMs } : { action: 'ring-then-answer', delayMs };
  }
}
