import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import type { SipResponse } from '../../../src/sip/messages/index.js';
import { InviteClientTransaction } from '../../../src/sip/transactions/invite-client-transaction.js';
import { resolveTimerSettings, transactionTimers } from '../../../src/sip/transactions/timer-settings.js';
import { TransactionStateError, TransactionTimeoutError } from '../../../src/sip/transactions/transaction-errors.js';
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

function start(target: SendTarget = UDP_TARGET, routes: string[] = []) {
  const invite = request({ branch: 'z9hG4bKict1', routes, extraVia: 'SIP/2.0/UDP proxy.example.com;branch=z9hG4bKupstream' });
  const timers = transactionTimers(resolveTimerSettings(), target.protocol !== 'udp');
  const tx = new InviteClientTransaction('ict-1', invite, target, { transport, timers });
  const seen: SipResponse[] = [];
  const timeouts: TransactionTimeoutError[] = [];
  const states: S[] = [];
  let terminated = 0;
  tx.on('response', (r) => seen.push(r));
  tx.on('timeout', (e) => timeouts.push(e));
  tx.on('stateChange', (s) => states.push(s));
  tx.on('terminated', () => terminated++);
  return { tx, invite, seen, timeouts, states, terminated: () => terminated };
}

describe('InviteClientTransaction on UDP', () => {
  it('retransmits with Timer A doubling (0, 500, 1500, 3500 …) until Timer B fires at 64*T1', () => {
    const { tx, timeouts } = start();
    vi.advanceTimersByTime(31_999);
    expect(transport.requestTimes('INVITE')).toEqual([0, 500, 1500, 3500, 7500, 15_500, 31_500]);
    expect(tx.state).toBe(S.Calling);
    vi.advanceTimersByTime(1);
    expect(tx.state).toBe(S.Terminated);
    expect(timeouts).toHaveLength(1);
    expect(timeouts[0]).toBeInstanceOf(TransactionTimeoutError);
    expect(timeouts[0]!.code).toBe('SIP_ERR_TRANSACTION_TIMEOUT');
    expect(timeouts[0]!.timer).toBe('B');
    vi.advanceTimersByTime(100_000);
    expect(transport.requests()).toHaveLength(7);
  });

  it('stops retransmitting in Proceeding and passes every provisional response up', () => {
    const { tx, invite, seen, timeouts } = start();
    vi.advanceTimersByTime(600);
    tx.receiveResponse(response(invite, 100));
    expect(tx.state).toBe(S.Proceeding);
    tx.receiveResponse(response(invite, 180, 'uas1'));
    vi.advanceTimersByTime(120_000);
    expect(transport.requestTimes('INVITE')).toEqual([0, 500]);
    expect(seen.map((r) => r.status)).toEqual([100, 180]);
    // Timer B only acts in Calling.
    expect(timeouts).toEqual([]);
    expect(tx.state).toBe(S.Proceeding);
  });

  it('ACKs a non-2xx final response inside the transaction, per §17.1.1.3', () => {
    const routes = ['<sip:proxy1.example.com;lr>', '<sip:proxy2.example.com;lr>'];
    const { tx, invite, seen } = start(UDP_TARGET, routes);
    tx.receiveResponse(response(invite, 180, 'uas1'));
    tx.receiveResponse(response(invite, 486, 'uas1'));
    expect(tx.state).toBe(S.Completed);
    expect(seen.map((r) => r.status)).toEqual([180, 486]);

    const acks = transport.requests('ACK');
    expect(acks).toHaveLength(1);
    const { message: ack, target } = acks[0]!;
    expect(target).toBe(UDP_TARGET);
    expect(ack.uri.toString()).toBe(invite.uri.toString());
    expect(ack.callId).toBe(invite.callId);
    expect(ack.getHeader('From')).toBe(invite.getHeader('From'));
    expect(ack.to.tag).toBe('uas1');
    expect(ack.to.uri.toString()).toBe(invite.to.uri.toString());
    expect(ack.cseq).toEqual({ seq: invite.cseq.seq, method: 'ACK' });
    expect(ack.vias).toHaveLength(1);
    expect(ack.topVia!.toString()).toBe(invite.topVia!.toString());
    expect(ack.topVia!.branch).toBe('z9hG4bKict1');
    expect(ack.getHeaders('Route')).toEqual(routes);
    expect(ack.maxForwards).toBe(70);
    expect(ack.hasHeader('Contact')).toBe(false);
    expect(ack.body.length).toBe(0);
  });

  it('re-sends the ACK on each retransmitted final response without telling the TU, until Timer D', () => {
    const { tx, invite, seen, terminated } = start();
    vi.advanceTimersByTime(1000);
    const busy = response(invite, 486, 'uas1');
    tx.receiveResponse(busy);
    vi.advanceTimersByTime(500);
    tx.receiveResponse(busy);
    vi.advanceTimersByTime(1000);
    tx.receiveResponse(busy);
    expect(transport.requestTimes('ACK')).toEqual([1000, 1500, 2500]);
    expect(seen).toHaveLength(1);
    // Retransmission timer A stopped on Completed.
    expect(transport.requestTimes('INVITE')).toEqual([0, 500]);
    vi.advanceTimersByTime(32_000 - 1500 - 1);
    expect(tx.state).toBe(S.Completed);
    vi.advanceTimersByTime(1);
    expect(tx.state).toBe(S.Terminated);
    expect(terminated()).toBe(1);
  });

  it('enters Accepted on 2xx, sends no ACK, passes retransmitted and forked 2xx up until Timer M', () => {
    const { tx, invite, seen } = start();
    tx.receiveResponse(response(invite, 200, 'fork-a'));
    expect(tx.state).toBe(S.Accepted);
    tx.receiveResponse(response(invite, 200, 'fork-a'));
    tx.receiveResponse(response(invite, 200, 'fork-b'));
    // A late non-2xx in Accepted is not for the TU.
    tx.receiveResponse(response(invite, 486, 'fork-c'));
    expect(seen.map((r) => `${r.status}/${r.to.tag}`)).toEqual(['200/fork-a', '200/fork-a', '200/fork-b']);
    expect(transport.requests('ACK')).toEqual([]);
    vi.advanceTimersByTime(31_999);
    expect(tx.state).toBe(S.Accepted);
    expect(transport.requests('INVITE')).toHaveLength(1);
    vi.advanceTimersByTime(1);
    expect(tx.state).toBe(S.Terminated);
  });

  it('refuses an illegal transition', () => {
    const { tx, invite } = start();
    tx.receiveResponse(response(invite, 200, 'a'));
    const raw = tx as unknown as { transition(to: S): void };
    expect(() => raw.transition(S.Completed)).toThrow(TransactionStateError);
    expect(() => raw.transition(S.Calling)).toThrow(/Accepted -> Calling/);
    expect(tx.state).toBe(S.Accepted);
  });

  it('reports a transport error and terminates (§17.1.4)', async () => {
    transport.failWith = new FakeTransportError('EHOSTUNREACH');
    const { tx, timeouts, terminated } = start();
    const errors: unknown[] = [];
    tx.on('transportError', (e) => errors.push(e));
    await flushMicrotasks();
    expect(errors).toHaveLength(1);
    expect(errors[0]).toBe(transport.failWith);
    expect(tx.state).toBe(S.Terminated);
    expect(terminated()).toBe(1);
    vi.advanceTimersByTime(64_000);
    expect(transport.requests()).toHaveLength(1);
    expect(timeouts).toEqual([]);
  });

  it('wraps a non-Portier transport failure in a coded error', async () => {
    transport.failWith = new Error('socket closed');
    const { tx } = start();
    const errors: Array<{ code: string; cause?: unknown }> = [];
    tx.on('transportError', (e) => errors.push(e));
    await flushMicrotasks();
    expect(errors[0]!.code).toBe('SIP_ERR_TRANSACTION_TRANSPORT');
    expect(errors[0]!.cause).toBe(transport.failWith);
  });

  it('close() is idempotent and stops every timer', () => {
    const { tx, timeouts, terminated } = start();
    tx.close();
    tx.close();
    tx.dispose();
    expect(tx.state).toBe(S.Terminated);
    expect(terminated()).toBe(1);
    vi.advanceTimersByTime(100_000);
    expect(transport.requests()).toHaveLength(1);
    expect(timeouts).toEqual([]);
    expect(vi.getTimerCount()).toBe(0);
  });
});

describe('InviteClientTransaction on TCP', () => {
  it('never retransmits; Timer B still fires at 64*T1', () => {
    const { tx, timeouts } = start(TCP_TARGET);
    vi.advanceTimersByTime(31_999);
    expect(transport.requestTimes('INVITE')).toEqual([0]);
    vi.advanceTimersByTime(1);
    expect(timeouts.map((e) => e.timer)).toEqual(['B']);
    expect(tx.state).toBe(S.Terminated);
  });

  it('ACKs a non-2xx even on a reliable transport, and Timer D is zero', () => {
    const { tx, invite, seen, states } = start(TCP_TARGET);
    tx.receiveResponse(response(invite, 603, 'uas'));
    expect(transport.requests('ACK')).toHaveLength(1);
    expect(seen.map((r) => r.status)).toEqual([603]);
    expect(states).toEqual([S.Completed, S.Terminated]);
    expect(vi.getTimerCount()).toBe(0);
  });

  it('keeps Accepted for Timer M = 64*T1 even on a reliable transport', () => {
    const { tx, invite } = start(TCP_TARGET);
    tx.receiveResponse(response(invite, 200, 'a'));
    vi.advanceTimersByTime(31_999);
    expect(tx.state).toBe(S.Accepted);
    vi.advanceTimersByTime(1);
    expect(tx.state).toBe(S.Terminated);
  });
});
