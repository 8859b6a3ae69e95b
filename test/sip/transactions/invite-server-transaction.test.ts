import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import type { SipRequest } from '../../../src/sip/messages/index.js';
import { InviteServerTransaction } from '../../../src/sip/transactions/invite-server-transaction.js';
import { resolveTimerSettings, transactionTimers } from '../../../src/sip/transactions/timer-settings.js';
import { TransactionStateError } from '../../../src/sip/transactions/transaction-errors.js';
import type { TransactionTimeoutError } from '../../../src/sip/transactions/transaction-errors.js';
import { TransactionState as S } from '../../../src/sip/transactions/transaction-state.js';
import type { TransportProtocol } from '../../../src/sip/transport/transport-types.js';
import { FakeTransport, FakeTransportError, flushMicrotasks } from './fake-transport.js';
import { receivedInfo, request, response } from './sip-fixtures.js';

let transport: FakeTransport;

beforeEach(() => {
  vi.useFakeTimers();
  transport = new FakeTransport();
});
afterEach(() => {
  vi.useRealTimers();
});

function start(protocol: TransportProtocol = 'udp') {
  const invite = request({ branch: 'z9hG4bKist1' });
  const info = receivedInfo(protocol);
  const timers = transactionTimers(resolveTimerSettings(), protocol !== 'udp');
  const tx = new InviteServerTransaction('ist-1', invite, info, { transport, timers });
  const timeouts: TransactionTimeoutError[] = [];
  const acks: SipRequest[] = [];
  tx.on('timeout', (e) => timeouts.push(e));
  tx.on('ack', (a) => acks.push(a));
  return { tx, invite, info, timeouts, acks };
}

function ackFor(invite: SipRequest, toTag: string, branch = 'z9hG4bKist1'): SipRequest {
  return request({ method: 'ACK', branch, toTag, seq: invite.cseq.seq });
}

describe('InviteServerTransaction: 100 Trying', () => {
  it('sends 100 Trying itself when the TU is silent for 200 ms (§17.2.1)', () => {
    const { invite, info } = start();
    vi.advanceTimersByTime(199);
    expect(transport.responses()).toEqual([]);
    vi.advanceTimersByTime(1);
    const sent = transport.responses();
    expect(sent.map((r) => [r.at, r.message.status])).toEqual([[200, 100]]);
    expect(sent[0]!.replyTo).toBe(info);
    expect(sent[0]!.message.to.tag).toBeUndefined();
    expect(sent[0]!.message.callId).toBe(invite.callId);
    expect(sent[0]!.message.topVia!.branch).toBe('z9hG4bKist1');
  });

  it('does not send 100 Trying when the TU answered within 200 ms', () => {
    const { tx, invite } = start();
    vi.advanceTimersByTime(150);
    tx.respond(response(invite, 180, 'uas'));
    vi.advanceTimersByTime(10_000);
    expect(transport.responses().map((r) => r.message.status)).toEqual([180]);
  });

  it('answers an INVITE retransmission in Proceeding with the latest provisional response', () => {
    const { tx, invite, info } = start();
    tx.receiveRequest(invite, info); // nothing to resend yet
    expect(transport.responses()).toEqual([]);
    vi.advanceTimersByTime(200);
    tx.receiveRequest(invite, info);
    tx.respond(response(invite, 180, 'uas'));
    vi.advanceTimersByTime(300);
    tx.receiveRequest(invite, info);
    expect(transport.responses().map((r) => [r.at, r.message.status])).toEqual([[200, 100], [200, 100], [200, 180], [500, 180]]);
  });
});

describe('InviteServerTransaction on UDP', () => {
  it('retransmits a non-2xx final with Timer G (500, 1500, 3500, 7500, 11500 …) and reports Timer H', () => {
    const { tx, invite, timeouts } = start();
    vi.advanceTimersByTime(1000);
    tx.respond(response(invite, 486, 'uas'));
    expect(tx.state).toBe(S.Completed);
    vi.advanceTimersByTime(31_999);
    const at = transport.responseTimes(486).map((t) => t - 1000);
    expect(at).toEqual([0, 500, 1500, 3500, 7500, 11_500, 15_500, 19_500, 23_500, 27_500, 31_500]);
    expect(timeouts).toEqual([]);
    vi.advanceTimersByTime(1);
    expect(timeouts.map((e) => [e.code, e.timer])).toEqual([['SIP_ERR_TRANSACTION_TIMEOUT', 'H']]);
    expect(tx.state).toBe(S.Terminated);
    vi.advanceTimersByTime(60_000);
    expect(transport.responses(486)).toHaveLength(11);
  });

  it('resends the final response on an INVITE retransmission in Completed', () => {
    const { tx, invite, info } = start();
    tx.respond(response(invite, 603, 'uas'));
    vi.advanceTimersByTime(100);
    tx.receiveRequest(invite, info);
    expect(transport.responseTimes(603)).toEqual([0, 100]);
  });

  it('moves to Confirmed on ACK, stops G and H, absorbs more ACKs, ends after Timer I = T4', () => {
    const { tx, invite, info, timeouts, acks } = start();
    tx.respond(response(invite, 404, 'uas'));
    vi.advanceTimersByTime(600); // one retransmission at 500
    tx.receiveRequest(ackFor(invite, 'uas'), info);
    expect(tx.state).toBe(S.Confirmed);
    tx.receiveRequest(ackFor(invite, 'uas'), info);
    tx.receiveRequest(invite, info);
    expect(acks).toEqual([]);
    vi.advanceTimersByTime(4999);
    expect(tx.state).toBe(S.Confirmed);
    vi.advanceTimersByTime(1);
    expect(tx.state).toBe(S.Terminated);
    vi.advanceTimersByTime(60_000);
    expect(transport.responseTimes(404)).toEqual([0, 500]);
    expect(timeouts).toEqual([]);
  });

  it('enters Accepted on 2xx: passes the TU\'s 2xx retransmissions, gives ACKs to the TU, ends on Timer L', () => {
    const { tx, invite, info, acks } = start();
    const ok = response(invite, 200, 'uas');
    tx.respond(ok);
    expect(tx.state).toBe(S.Accepted);
    vi.advanceTimersByTime(10_000);
    // No retransmission of its own; the 2xx is the TU's job.
    expect(transport.responseTimes(200)).toEqual([0]);
    expect(tx.respond(ok)).toBe(true);
    tx.receiveRequest(invite, info); // absorbed
    const ack = ackFor(invite, 'uas');
    tx.receiveRequest(ack, info);
    expect(acks).toEqual([ack]);
    expect(transport.responseTimes(200)).toEqual([0, 10_000]);
    expect(tx.respond(response(invite, 180, 'uas'))).toBe(false);
    vi.advanceTimersByTime(22_000 - 1);
    expect(tx.state).toBe(S.Accepted);
    vi.advanceTimersByTime(1);
    expect(tx.state).toBe(S.Terminated);
    expect(transport.responses(100)).toEqual([]);
  });

  it('discards responses after the final one', () => {
    const { tx, invite } = start();
    tx.respond(response(invite, 486, 'uas'));
    expect(tx.respond(response(invite, 200, 'uas'))).toBe(false);
    expect(tx.state).toBe(S.Completed);
  });

  it('refuses an illegal transition', () => {
    const { tx, invite } = start();
    tx.respond(response(invite, 500, 'uas'));
    expect(() => (tx as unknown as { transition(to: S): void }).transition(S.Accepted)).toThrow(TransactionStateError);
  });

  it('reports a transport failure of a response and terminates (§17.2.4)', async () => {
    const { tx, invite } = start();
    transport.failWith = new FakeTransportError('EPIPE');
    const errors: string[] = [];
    tx.on('transportError', (e) => errors.push(`${e.code}:${e.message}`));
    tx.respond(response(invite, 486, 'uas'));
    await flushMicrotasks();
    expect(errors).toEqual(['SIP_ERR_TRANSPORT:EPIPE']);
    expect(tx.state).toBe(S.Terminated);
    expect(vi.getTimerCount()).toBe(0);
  });
});

describe('InviteServerTransaction on TCP', () => {
  it('sends the non-2xx once (no Timer G) and still reports Timer H', () => {
    const { tx, invite, timeouts } = start('tcp');
    tx.respond(response(invite, 486, 'uas'));
    vi.advanceTimersByTime(32_000);
    expect(transport.responseTimes(486)).toEqual([0]);
    expect(timeouts.map((e) => e.timer)).toEqual(['H']);
    expect(tx.state).toBe(S.Terminated);
  });

  it('Timer I is zero: the ACK ends the transaction at once', () => {
    const { tx, invite, info } = start('tcp');
    const states: S[] = [];
    tx.on('stateChange', (s) => states.push(s));
    tx.respond(response(invite, 486, 'uas'));
    tx.receiveRequest(ackFor(invite, 'uas'), info);
    expect(states).toEqual([S.Completed, S.Confirmed, S.Terminated]);
    expect(vi.getTimerCount()).toBe(0);
  });

  it('still sends 100 Trying after 200 ms and keeps Accepted for Timer L', () => {
    const { tx, invite } = start('tcp');
    vi.advanceTimersByTime(200);
    expect(transport.responses(100)).toHaveLength(1);
    tx.respond(response(invite, 200, 'uas'));
    vi.advanceTimersByTime(31_999);
    expect(tx.state).toBe(S.Accepted);
    vi.advanceTimersByTime(1);
    expect(tx.state).toBe(S.Terminated);
  });
});
