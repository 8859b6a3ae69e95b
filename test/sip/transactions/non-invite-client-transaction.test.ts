import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import type { SipResponse } from '../../../src/sip/messages/index.js';
import { NonInviteClientTransaction } from '../../../src/sip/transactions/non-invite-client-transaction.js';
import { resolveTimerSettings, transactionTimers } from '../../../src/sip/transactions/timer-settings.js';
import type { TimerSettings } from '../../../src/sip/transactions/timer-settings.js';
import { TransactionStateError } from '../../../src/sip/transactions/transaction-errors.js';
import type { TransactionTimeoutError } from '../../../src/sip/transactions/transaction-errors.js';
import { TransactionState as S } from '../../../src/sip/transactions/transaction-state.js';
import type { SendTarget } from '../../../src/sip/transport/transport-types.js';
import { FakeTransport, FakeTransportError, flushMicrotasks } from './fake-transport.js';
import { request, response, TCP_TARGET, UDP_TARGET } from './sip-fixtures.js';

let transport: FakeTransport;

beforeEach(() => {
  vi.useFakeTimers();
  transport = new FakeTransport();
});
afterEach(() => {
  vi.useRealTimers();
});

function start(target: SendTarget = UDP_TARGET, settings: Partial<TimerSettings> = {}) {
  const req = request({ method: 'REGISTER', branch: 'z9hG4bKnict1' });
  const timers = transactionTimers(resolveTimerSettings(settings), target.protocol !== 'udp');
  const tx = new NonInviteClientTransaction('nict-1', req, target, { transport, timers });
  const seen: SipResponse[] = [];
  const timeouts: TransactionTimeoutError[] = [];
  tx.on('response', (r) => seen.push(r));
  tx.on('timeout', (e) => timeouts.push(e));
  return { tx, req, seen, timeouts };
}

describe('NonInviteClientTransaction on UDP', () => {
  it('retransmits with Timer E doubling capped at T2 (500, 1500, 3500, 7500, 11500 …) and times out on Timer F', () => {
    const { tx, timeouts } = start();
    vi.advanceTimersByTime(31_999);
    expect(transport.requestTimes('REGISTER')).toEqual([0, 500, 1500, 3500, 7500, 11_500, 15_500, 19_500, 23_500, 27_500, 31_500]);
    expect(timeouts).toEqual([]);
    vi.advanceTimersByTime(1);
    expect(timeouts.map((e) => [e.code, e.timer, e.method])).toEqual([['SIP_ERR_TRANSACTION_TIMEOUT', 'F', 'REGISTER']]);
    expect(tx.state).toBe(S.Terminated);
    vi.advanceTimersByTime(60_000);
    expect(transport.requests()).toHaveLength(11);
  });

  it('caps at a configured T2', () => {
    start(UDP_TARGET, { t1: 100, t2: 300 });
    vi.advanceTimersByTime(1300);
    expect(transport.requestTimes('REGISTER')).toEqual([0, 100, 300, 600, 900, 1200]);
  });

  it('in Proceeding keeps retransmitting, with Timer E reset to T2', () => {
    const { tx, req, seen, timeouts } = start();
    vi.advanceTimersByTime(600); // sent at 0 and 500; E next due at 1500
    tx.receiveResponse(response(req, 100));
    expect(tx.state).toBe(S.Proceeding);
    expect(seen.map((r) => r.status)).toEqual([100]);
    vi.advanceTimersByTime(14_000);
    // 1500 still fires (timer running since 500), then every T2.
    expect(transport.requestTimes('REGISTER')).toEqual([0, 500, 1500, 5500, 9500, 13_500]);
    vi.advanceTimersByTime(32_000 - 14_600);
    expect(timeouts.map((e) => e.timer)).toEqual(['F']);
  });

  it('passes the final response up once, absorbs retransmissions, and ends after Timer K = T4', () => {
    const { tx, req, seen } = start();
    vi.advanceTimersByTime(2000);
    const ok = response(req, 200, 'reg');
    tx.receiveResponse(ok);
    expect(tx.state).toBe(S.Completed);
    tx.receiveResponse(ok);
    tx.receiveResponse(response(req, 180, 'reg'));
    expect(seen.map((r) => r.status)).toEqual([200]);
    vi.advanceTimersByTime(4999);
    expect(tx.state).toBe(S.Completed);
    expect(transport.requestTimes('REGISTER')).toEqual([0, 500, 1500]);
    vi.advanceTimersByTime(1);
    expect(tx.state).toBe(S.Terminated);
  });

  it('refuses an illegal transition', () => {
    const { tx, req } = start();
    tx.receiveResponse(response(req, 200, 't'));
    expect(() => (tx as unknown as { transition(to: S): void }).transition(S.Proceeding)).toThrow(TransactionStateError);
  });

  it('reports a failed retransmission and stops', async () => {
    const { tx } = start();
    const codes: string[] = [];
    tx.on('transportError', (e) => codes.push(e.code));
    await flushMicrotasks();
    transport.failWith = new FakeTransportError();
    vi.advanceTimersByTime(500);
    await flushMicrotasks();
    expect(codes).toEqual(['SIP_ERR_TRANSPORT']);
    expect(tx.state).toBe(S.Terminated);
    vi.advanceTimersByTime(60_000);
    expect(transport.requests()).toHaveLength(2);
  });
});

describe('NonInviteClientTransaction on TCP', () => {
  it('never retransmits; Timer F fires at 64*T1', () => {
    const { timeouts } = start(TCP_TARGET);
    vi.advanceTimersByTime(32_000);
    expect(transport.requestTimes('REGISTER')).toEqual([0]);
    expect(timeouts.map((e) => e.timer)).toEqual(['F']);
  });

  it('Timer K is zero: terminates right after the final response reached the TU', () => {
    const { tx, req } = start(TCP_TARGET);
    const stateAtDelivery: S[] = [];
    tx.on('response', () => stateAtDelivery.push(tx.state));
    tx.receiveResponse(response(req, 401, 'x'));
    expect(stateAtDelivery).toEqual([S.Completed]);
    expect(tx.state).toBe(S.Terminated);
    expect(vi.getTimerCount()).toBe(0);
  });
});
