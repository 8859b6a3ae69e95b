import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { NonInviteServerTransaction } from '../../../src/sip/transactions/non-invite-server-transaction.js';
import { resolveTimerSettings, transactionTimers } from '../../../src/sip/transactions/timer-settings.js';
import { TransactionStateError } from '../../../src/sip/transactions/transaction-errors.js';
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
  const req = request({ method: 'OPTIONS', branch: 'z9hG4bKnist1' });
  const info = receivedInfo(protocol);
  const timers = transactionTimers(resolveTimerSettings(), protocol !== 'udp');
  const tx = new NonInviteServerTransaction('nist-1', req, info, { transport, timers });
  return { tx, req, info };
}

describe('NonInviteServerTransaction on UDP', () => {
  it('discards retransmissions in Trying and sends no 100 of its own', () => {
    const { tx, req, info } = start();
    tx.receiveRequest(req, info);
    vi.advanceTimersByTime(5000);
    tx.receiveRequest(req, info);
    expect(transport.sent).toEqual([]);
    expect(tx.state).toBe(S.Trying);
  });

  it('answers retransmissions with the last provisional in Proceeding, then the final in Completed', () => {
    const { tx, req, info } = start();
    tx.respond(response(req, 100));
    expect(tx.state).toBe(S.Proceeding);
    tx.receiveRequest(req, info);
    tx.respond(response(req, 200, 'uas'));
    expect(tx.state).toBe(S.Completed);
    const laterInfo = receivedInfo('udp', 5999);
    vi.advanceTimersByTime(500);
    tx.receiveRequest(req, laterInfo);
    expect(transport.responses().map((r) => [r.at, r.message.status])).toEqual([[0, 100], [0, 100], [0, 200], [500, 200]]);
    expect(transport.responses().at(-1)!.replyTo).toBe(laterInfo);
    // "Any other final responses passed by the TU […] MUST be discarded while in the Completed state."
    expect(tx.respond(response(req, 500, 'uas'))).toBe(false);
    expect(transport.responses()).toHaveLength(4);
  });

  it('never retransmits a response on its own and ends after Timer J = 64*T1', () => {
    const { tx, req } = start();
    tx.respond(response(req, 200, 'uas'));
    vi.advanceTimersByTime(31_999);
    expect(tx.state).toBe(S.Completed);
    expect(transport.responses()).toHaveLength(1);
    vi.advanceTimersByTime(1);
    expect(tx.state).toBe(S.Terminated);
  });

  it("keeps only the final response's bytes in Completed and answers retransmissions with exactly them", () => {
    const { tx, req, info } = start();
    const final = response(req, 200, 'uas');
    tx.respond(final);
    expect(tx.state).toBe(S.Completed);
    expect(tx.request).toBeUndefined();
    expect(tx.lastStatus).toBe(200);
    expect(transport.encoded).toBe(1);
    vi.advanceTimersByTime(1000);
    tx.receiveRequest(req, info);
    vi.advanceTimersByTime(1000);
    tx.receiveRequest(req, info);
    const sent = transport.responses();
    expect(sent.map((r) => [r.at, r.message.status, r.bytesGiven])).toEqual([[0, 200, true], [1000, 200, true], [2000, 200, true]]);
    expect(new Set(sent.map((r) => r.wire))).toEqual(new Set([final.toString()]));
    // A copy parsed from the bytes, for callers that still ask.
    expect(tx.lastResponse?.status).toBe(200);
    expect(tx.lastResponse?.to.tag).toBe('uas');
    expect(transport.encoded).toBe(1);
  });

  it('keeps the request and the message itself while the TU may still answer (Trying, Proceeding)', () => {
    const { tx, req } = start();
    const trying = response(req, 100);
    tx.respond(trying);
    expect(tx.request).toBe(req);
    expect(tx.lastResponse).toBe(trying);
    expect(transport.encoded).toBe(0);
  });

  it('fails like a failed send when the final response cannot be encoded', async () => {
    const { tx, req } = start();
    transport.encodeFailWith = new FakeTransportError('too large');
    const errors: string[] = [];
    tx.on('transportError', (e) => errors.push(e.message));
    tx.respond(response(req, 200, 'uas'));
    await flushMicrotasks();
    expect(errors).toEqual(['too large']);
    expect(tx.state).toBe(S.Terminated);
    expect(transport.responses()).toHaveLength(0);
  });

  it('refuses an illegal transition', () => {
    const { tx } = start();
    expect(() => (tx as unknown as { transition(to: S): void }).transition(S.Confirmed)).toThrow(TransactionStateError);
    expect(tx.state).toBe(S.Trying);
  });

  it('reports a transport failure and terminates', async () => {
    const { tx, req } = start();
    transport.failWith = new FakeTransportError();
    const errors: string[] = [];
    tx.on('transportError', (e) => errors.push(e.code));
    tx.respond(response(req, 200, 'uas'));
    await flushMicrotasks();
    expect(errors).toEqual(['SIP_ERR_TRANSPORT']);
    expect(tx.state).toBe(S.Terminated);
  });
});

describe('NonInviteServerTransaction on TCP', () => {
  it('Timer J is zero: terminates as soon as the final response is sent', () => {
    const { tx, req } = start('tcp');
    tx.respond(response(req, 100));
    expect(tx.state).toBe(S.Proceeding);
    tx.respond(response(req, 202, 'uas'));
    expect(tx.state).toBe(S.Terminated);
    expect(transport.responses().map((r) => r.message.status)).toEqual([100, 202]);
    expect(vi.getTimerCount()).toBe(0);
  });
});
