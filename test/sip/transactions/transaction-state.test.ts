import { describe, expect, it } from 'vitest';
import { INVITE_CLIENT_TRANSITIONS } from '../../../src/sip/transactions/invite-client-transaction.js';
import { INVITE_SERVER_TRANSITIONS } from '../../../src/sip/transactions/invite-server-transaction.js';
import { NON_INVITE_CLIENT_TRANSITIONS } from '../../../src/sip/transactions/non-invite-client-transaction.js';
import { NON_INVITE_SERVER_TRANSITIONS } from '../../../src/sip/transactions/non-invite-server-transaction.js';
import { TransactionStateError } from '../../../src/sip/transactions/transaction-errors.js';
import { TransactionState as S, assertTransition } from '../../../src/sip/transactions/transaction-state.js';

describe('transition guard', () => {
  it('allows the RFC 6026 INVITE client paths and nothing backwards', () => {
    expect(() => assertTransition('ict', INVITE_CLIENT_TRANSITIONS, S.Calling, S.Proceeding)).not.toThrow();
    expect(() => assertTransition('ict', INVITE_CLIENT_TRANSITIONS, S.Proceeding, S.Accepted)).not.toThrow();
    expect(() => assertTransition('ict', INVITE_CLIENT_TRANSITIONS, S.Proceeding, S.Calling)).toThrow(TransactionStateError);
    expect(() => assertTransition('ict', INVITE_CLIENT_TRANSITIONS, S.Accepted, S.Completed)).toThrow(/Accepted -> Completed/);
    expect(() => assertTransition('ict', INVITE_CLIENT_TRANSITIONS, S.Completed, S.Confirmed)).toThrow();
  });

  it('allows Completed -> Confirmed only on the INVITE server side', () => {
    expect(() => assertTransition('ist', INVITE_SERVER_TRANSITIONS, S.Completed, S.Confirmed)).not.toThrow();
    expect(() => assertTransition('ist', INVITE_SERVER_TRANSITIONS, S.Accepted, S.Confirmed)).toThrow();
    expect(() => assertTransition('nist', NON_INVITE_SERVER_TRANSITIONS, S.Completed, S.Confirmed)).toThrow();
    expect(() => assertTransition('nict', NON_INVITE_CLIENT_TRANSITIONS, S.Trying, S.Accepted)).toThrow();
  });

  it('lets no machine leave Terminated', () => {
    for (const table of [INVITE_CLIENT_TRANSITIONS, INVITE_SERVER_TRANSITIONS, NON_INVITE_CLIENT_TRANSITIONS, NON_INVITE_SERVER_TRANSITIONS]) {
      for (const to of Object.values(S)) {
        expect(() => assertTransition('x', table, S.Terminated, to)).toThrow(TransactionStateError);
      }
    }
  });

  it('carries a stable code', () => {
    try {
      assertTransition('ict', INVITE_CLIENT_TRANSITIONS, S.Completed, S.Proceeding);
      expect.unreachable();
    } catch (error) {
      expect((error as TransactionStateError).code).toBe('SIP_ERR_TRANSACTION_STATE');
    }
  });
});
