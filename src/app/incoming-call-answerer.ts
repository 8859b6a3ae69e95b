import type { Call } from '../calls/call.js';
import type { AnswerDecision } from '../intercom/answer-policy.js';
import type { Scheduler } from '../intercom/scheduler.js';
import type { Logger } from '../log/logger.js';
import type { IncomingInviteSession } from '../sip/sessions/incoming-invite-session.js';

/**
 * Carries out an answer decision on one incoming call: reject at once, answer
 * (after ringing for the delay when there is one), or ring and then answer.
 * Returns a function that abandons a pending answer (the caller gave up first).
 */
export function answerIncomingCall(
  call: Call,
  session: IncomingInviteSession,
  decision: AnswerDecision,
  deps: { scheduler: Scheduler; logger: Logger; onRing?: () => void },
): () => void {
  if (decision.action === 'reject') {
    session.reject(decision.status);
    return () => {};
  }
  const accept = () => {
    if (call.state === 'ended') return;
    session.accept().catch((error: unknown) => deps.logger.warn('answering failed', { error: error as Error }));
  };
  const ringFirst = decision.action === 'ring-then-answer' || decision.delayMs > 0;
  if (!ringFirst) {
    accept();
    return () => {};
  }
  session.ring().catch((error: unknown) => deps.logger.warn('ringing failed', { error: error as Error }));
  deps.onRing?.();
  return deps.scheduler.schedule(decision.delayMs, accept);
}
