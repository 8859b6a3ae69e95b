import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import type { PortierError } from '../../../src/util/portier-error.js';
import type { SipRequest, SipResponse } from '../../../src/sip/messages/index.js';
import { createCancel } from '../../../src/sip/transactions/cancel-request.js';
import { InviteClientTransaction } from '../../../src/sip/transactions/invite-client-transaction.js';
import { InviteServerTransaction } from '../../../src/sip/transactions/invite-server-transaction.js';
import { NonInviteClientTransaction } from '../../../src/sip/transactions/non-invite-client-transaction.js';
import { NonInviteServerTransaction } from '../../../src/sip/transactions/non-invite-server-transaction.js';
import type { ServerTransaction } from '../../../src/sip/transactions/server-transaction.js';
import { TransactionLayer } from '../../../src/sip/transactions/transaction-layer.js';
import type { TransactionLayerDelegate } from '../../../src/sip/transactions/transaction-layer-delegate.js';
import { TransactionState as S } from '../../../src/sip/transactions/transaction-state.js';
import type { ReceivedInfo } from '../../../src/sip/transport/transport-types.js';
import { FakeTransport, FakeTransportError, flushMicrotasks } from './fake-transport.js';
import { receivedInfo, request, response, TCP_TARGET, UDP_TARGET } from './sip-fixtures.js';

/** A TU that records what the layer hands it. */
class RecordingTu implements Required<TransactionLayerDelegate> {
  requests: Array<{ request: SipRequest; transaction: ServerTransaction }> = [];
  cancels: Array<{ cancel: SipRequest; transaction: NonInviteServerTransaction; target: InviteServerTransaction | undefined }> = [];
  acks: SipRequest[] = [];
  strays: SipResponse[] = [];
  errors: Array<{ error: PortierError }> = [];
  onRequest(request: SipRequest, transaction: ServerTransaction, _info: ReceivedInfo): void {
    this.requests.push({ request, transaction });
  }
  onCancel(cancel: SipRequest, transaction: NonInviteServerTransaction, target: InviteServerTransaction | undefined): void {
    this.cancels.push({ cancel, transaction, target });
  }
  onAck(ack: SipRequest): void {
    this.acks.push(ack);
  }
  onStrayResponse(response: SipResponse): void {
    this.strays.push(response);
  }
  onTransactionError(error: PortierError): void {
    this.errors.push({ error });
  }
}

let transport: FakeTransport;
let tu: RecordingTu;
let layer: TransactionLayer;

beforeEach(() => {
  vi.useFakeTimers();
  transport = new FakeTransport();
  tu = new RecordingTu();
  layer = new TransactionLayer({ transport, delegate: tu });
});
afterEach(() => {
  layer.close();
  vi.useRealTimers();
});

describe('TransactionLayer.sendRequest', () => {
  it('adds a Via with a fresh magic-cookie branch when the request has none', () => {
    const req = request({ via: null });
    const tx = layer.sendRequest(req, UDP_TARGET);
    expect(tx).toBeInstanceOf(InviteClientTransaction);
    const via = transport.requests()[0]!.message.topVia!;
    expect(via.transport).toBe('UDP');
    expect(via.host).toBe('0.0.0.0');
    expect(via.branch).toMatch(/^z9hG4bK.{8,}$/);
    const tcp = layer.sendRequest(request({ via: null, method: 'OPTIONS' }), TCP_TARGET);
    expect(tcp).toBeInstanceOf(NonInviteClientTransaction);
    expect(transport.requests('OPTIONS')[0]!.message.topVia!.transport).toBe('TCP');
    expect(transport.requests('OPTIONS')[0]!.message.topVia!.branch).not.toBe(via.branch);
  });

  it('adds a branch to a Via without one and keeps an existing branch', () => {
    layer.sendRequest(request({ method: 'MESSAGE', via: 'SIP/2.0/UDP 192.0.2.1:5060;rport' }), UDP_TARGET);
    const stamped = transport.requests('MESSAGE')[0]!.message;
    expect(stamped.vias).toHaveLength(1);
    expect(stamped.topVia!.branch).toMatch(/^z9hG4bK/);
    expect(stamped.topVia!.rport).toBeNull();
    layer.sendRequest(request({ method: 'OPTIONS', branch: 'z9hG4bKmine' }), UDP_TARGET);
    expect(transport.requests('OPTIONS')[0]!.message.topVia!.branch).toBe('z9hG4bKmine');
  });

  it('refuses an ACK and a duplicate transaction', () => {
    expect(() => layer.sendRequest(request({ method: 'ACK' }), UDP_TARGET)).toThrow(expect.objectContaining({ code: 'SIP_ERR_TRANSACTION_ACK' }));
    layer.sendRequest(request({ branch: 'z9hG4bKdup' }), UDP_TARGET);
    expect(() => layer.sendRequest(request({ branch: 'z9hG4bKdup' }), UDP_TARGET)).toThrow(expect.objectContaining({ code: 'SIP_ERR_TRANSACTION_EXISTS' }));
  });

  it('sends an ACK for 2xx outside any transaction, with a branch', async () => {
    await layer.sendAck(request({ method: 'ACK', via: null, toTag: 'x' }), UDP_TARGET);
    expect(transport.requests('ACK')[0]!.message.topVia!.branch).toMatch(/^z9hG4bK/);
    expect(layer.clientTransactionCount).toBe(0);
  });
});

describe('TransactionLayer response matching (§17.1.3)', () => {
  it('matches on branch and CSeq method, so the INVITE and its CANCEL stay apart', () => {
    const invite = request({ via: null });
    const ict = layer.sendRequest(invite, UDP_TARGET);
    const cancel = createCancel(invite);
    const cct = layer.sendRequest(cancel, UDP_TARGET);
    const inviteResponses: number[] = [];
    const cancelResponses: number[] = [];
    ict.on('response', (r) => inviteResponses.push(r.status));
    cct.on('response', (r) => cancelResponses.push(r.status));
    layer.receiveResponse(response(cancel, 200, 'uas'), receivedInfo());
    layer.receiveResponse(response(invite, 487, 'uas'), receivedInfo());
    expect(cancelResponses).toEqual([200]);
    expect(inviteResponses).toEqual([487]);
    expect(transport.requests('ACK')).toHaveLength(1);
  });

  it('drops and counts unmatched responses', () => {
    const req = request({ method: 'OPTIONS', via: null });
    layer.sendRequest(req, UDP_TARGET);
    layer.receiveResponse(response(request({ method: 'OPTIONS', branch: 'z9hG4bKother' }), 200, 't'), receivedInfo());
    layer.receiveResponse(response(request({ method: 'OPTIONS', via: 'SIP/2.0/UDP h;rport' }), 200, 't'), receivedInfo());
    // Right branch, wrong method.
    const wrongMethod = response(req, 200, 't');
    wrongMethod.setHeader('CSeq', '1 INFO');
    layer.receiveResponse(wrongMethod, receivedInfo());
    expect(layer.stats.droppedResponses).toBe(3);
    expect(tu.strays).toEqual([]);
  });

  it('gives a 2xx to INVITE that outlived its transaction (Timer M) to the TU as a stray', () => {
    const invite = request({ via: null });
    const tx = layer.sendRequest(invite, UDP_TARGET);
    const seen: string[] = [];
    tx.on('response', (r) => seen.push(r.to.tag!));
    layer.receiveResponse(response(invite, 200, 'fork-a'), receivedInfo());
    layer.receiveResponse(response(invite, 200, 'fork-b'), receivedInfo());
    vi.advanceTimersByTime(32_000);
    expect(tx.state).toBe(S.Terminated);
    expect(layer.clientTransactionCount).toBe(0);
    layer.receiveResponse(response(invite, 200, 'fork-c'), receivedInfo());
    layer.receiveResponse(response(invite, 486, 'fork-d'), receivedInfo());
    expect(seen).toEqual(['fork-a', 'fork-b']);
    expect(tu.strays.map((r) => r.to.tag)).toEqual(['fork-c']);
    expect(layer.stats.droppedResponses).toBe(1);
  });

  it('reports timeouts and transport errors to the delegate as well', async () => {
    layer.sendRequest(request({ method: 'OPTIONS', via: null }), UDP_TARGET);
    vi.advanceTimersByTime(32_000);
    transport.failWith = new FakeTransportError();
    layer.sendRequest(request({ method: 'OPTIONS', via: null }), UDP_TARGET);
    await flushMicrotasks();
    expect(tu.errors.map((e) => e.error.code)).toEqual(['SIP_ERR_TRANSACTION_TIMEOUT', 'SIP_ERR_TRANSPORT']);
    expect(layer.clientTransactionCount).toBe(0);
  });
});

describe('TransactionLayer request matching (§17.2.3)', () => {
  const info = receivedInfo();

  it('creates one server transaction per new request and absorbs retransmissions', () => {
    const invite = request({ branch: 'z9hG4bKa' });
    layer.receiveRequest(invite, info);
    layer.receiveRequest(request({ branch: 'z9hG4bKa' }), info);
    expect(tu.requests).toHaveLength(1);
    expect(tu.requests[0]!.transaction).toBeInstanceOf(InviteServerTransaction);
    expect(layer.serverTransactionCount).toBe(1);
    layer.receiveRequest(request({ method: 'OPTIONS', branch: 'z9hG4bKb' }), info);
    expect(tu.requests[1]!.transaction).toBeInstanceOf(NonInviteServerTransaction);
  });

  it('tells transactions apart by sent-by and by method', () => {
    layer.receiveRequest(request({ branch: 'z9hG4bKsame' }), info);
    layer.receiveRequest(request({ branch: 'z9hG4bKsame', via: 'SIP/2.0/UDP 198.51.100.7:5060;branch=z9hG4bKsame' }), info);
    layer.receiveRequest(request({ branch: 'z9hG4bKsame', method: 'INFO' }), info);
    expect(tu.requests).toHaveLength(3);
  });

  it('matches the ACK for a non-2xx to the INVITE transaction, and hands other ACKs to the TU', () => {
    layer.receiveRequest(request({ branch: 'z9hG4bKinv' }), info);
    const ist = tu.requests[0]!.transaction as InviteServerTransaction;
    ist.respond(response(ist.request, 486, 'uas'));
    layer.receiveRequest(request({ method: 'ACK', branch: 'z9hG4bKinv', toTag: 'uas' }), info);
    expect(ist.state).toBe(S.Confirmed);
    expect(tu.acks).toEqual([]);
    const ackFor2xx = request({ method: 'ACK', branch: 'z9hG4bKnew', toTag: 'uas2', seq: 2 });
    layer.receiveRequest(ackFor2xx, info);
    expect(tu.acks).toEqual([ackFor2xx]);
    expect(tu.requests).toHaveLength(1);
  });

  it('gives an ACK that reaches an Accepted INVITE transaction to the TU (RFC 6026)', () => {
    layer.receiveRequest(request({ branch: 'z9hG4bKacc' }), info);
    const ist = tu.requests[0]!.transaction;
    ist.respond(response(tu.requests[0]!.request, 200, 'uas'));
    const ack = request({ method: 'ACK', branch: 'z9hG4bKacc', toTag: 'uas' });
    layer.receiveRequest(ack, info);
    expect(tu.acks).toEqual([ack]);
    expect(ist.state).toBe(S.Accepted);
  });

  it('hands a CANCEL over with its own transaction and the INVITE transaction it targets (§9.2)', () => {
    layer.receiveRequest(request({ branch: 'z9hG4bKtarget' }), info);
    const ist = tu.requests[0]!.transaction;
    layer.receiveRequest(request({ method: 'CANCEL', branch: 'z9hG4bKtarget' }), info);
    layer.receiveRequest(request({ method: 'CANCEL', branch: 'z9hG4bKnothing' }), info);
    expect(tu.cancels).toHaveLength(2);
    expect(tu.cancels[0]!.target).toBe(ist);
    expect(tu.cancels[0]!.transaction).toBeInstanceOf(NonInviteServerTransaction);
    expect(tu.cancels[0]!.transaction).not.toBe(ist);
    expect(tu.cancels[1]!.target).toBeUndefined();
    // A retransmitted CANCEL is absorbed by its own transaction.
    layer.receiveRequest(request({ method: 'CANCEL', branch: 'z9hG4bKtarget' }), info);
    expect(tu.cancels).toHaveLength(2);
  });

  it('keeps an Accepted INVITE transaction after its 2xx fails to send (RFC 6026 §8.8): the TU re-sends, retransmitted INVITEs are absorbed', async () => {
    const invite = request({ branch: 'z9hG4bKacc' });
    layer.receiveRequest(invite, info);
    const tx = tu.requests[0]!.transaction as InviteServerTransaction;
    transport.failWith = new FakeTransportError('ENETUNREACH');
    tx.respond(response(invite, 200, 'uas'));
    await flushMicrotasks();
    expect(tu.errors.map((e) => e.error.message)).toEqual(['ENETUNREACH']);
    expect(tx.state).toBe(S.Accepted);
    // The TU's own 2xx retransmission (§13.3.1.4) still goes out through the transaction.
    transport.failWith = undefined;
    expect(tx.respond(response(invite, 200, 'uas'))).toBe(true);
    // A retransmitted INVITE is not a new call.
    layer.receiveRequest(request({ branch: 'z9hG4bKacc' }), info);
    expect(tu.requests).toHaveLength(1);
    vi.advanceTimersByTime(64 * 500);
    expect(tx.state).toBe(S.Terminated);
  });

  it('gives a CANCEL to onRequest when the delegate has no onCancel', () => {
    const requests: string[] = [];
    layer.delegate = { onRequest: (r) => requests.push(r.method) };
    layer.receiveRequest(request({ method: 'CANCEL', branch: 'z9hG4bKc' }), info);
    expect(requests).toEqual(['CANCEL']);
  });

  it('forgets server transactions when they end', () => {
    layer.receiveRequest(request({ method: 'OPTIONS', branch: 'z9hG4bKo' }), receivedInfo('tcp'));
    const tx = tu.requests[0]!.transaction;
    tx.respond(response(tu.requests[0]!.request, 200, 'uas'));
    expect(layer.serverTransactionCount).toBe(0);
    // A late retransmission now starts a new transaction (what §17.2.2 Timer J is for on UDP).
    layer.receiveRequest(request({ method: 'OPTIONS', branch: 'z9hG4bKo' }), receivedInfo('tcp'));
    expect(tu.requests).toHaveLength(2);
  });

  it('drops requests when there is no TU', () => {
    const bare = new TransactionLayer({ transport });
    bare.receiveRequest(request({ method: 'OPTIONS' }), info);
    bare.receiveRequest(request({ method: 'ACK', toTag: 'x' }), info);
    expect(bare.stats.droppedRequests).toBe(2);
    expect(bare.serverTransactionCount).toBe(0);
    bare.close();
  });
});

describe('TransactionLayer RFC 2543 fallback (no magic cookie)', () => {
  const info = receivedInfo();
  const legacyVia = 'SIP/2.0/UDP 192.0.2.30:5060;branch=1234abcd';
  const noBranchVia = 'SIP/2.0/UDP 192.0.2.31:5060';

  it('matches a retransmission on Request-URI, tags, Call-ID, CSeq and top Via', () => {
    layer.receiveRequest(request({ via: legacyVia }), info);
    layer.receiveRequest(request({ via: legacyVia }), info);
    expect(tu.requests).toHaveLength(1);
    layer.receiveRequest(request({ via: legacyVia, seq: 2 }), info);
    layer.receiveRequest(request({ via: legacyVia, uri: 'sip:other@192.0.2.1' }), info);
    layer.receiveRequest(request({ via: legacyVia, fromTag: 'other' }), info);
    layer.receiveRequest(request({ via: legacyVia, callId: 'call-2@example.com' }), info);
    layer.receiveRequest(request({ via: 'SIP/2.0/UDP 192.0.2.30:5062;branch=1234abcd' }), info);
    expect(tu.requests).toHaveLength(6);
    layer.receiveRequest(request({ via: noBranchVia, method: 'OPTIONS' }), info);
    layer.receiveRequest(request({ via: noBranchVia, method: 'OPTIONS' }), info);
    expect(tu.requests).toHaveLength(7);
  });

  it('matches an ACK by the To tag of the response the transaction sent', () => {
    layer.receiveRequest(request({ via: noBranchVia }), info);
    const ist = tu.requests[0]!.transaction;
    ist.respond(response(tu.requests[0]!.request, 404, 'sent-tag'));
    layer.receiveRequest(request({ method: 'ACK', via: noBranchVia, toTag: 'other-tag' }), info);
    expect(ist.state).toBe(S.Completed);
    expect(tu.acks).toHaveLength(1);
    layer.receiveRequest(request({ method: 'ACK', via: noBranchVia, toTag: 'sent-tag' }), info);
    expect(ist.state).toBe(S.Confirmed);
    expect(tu.acks).toHaveLength(1);
  });

  it('still matches retransmissions of an answered request, whose transaction no longer keeps it, until Timer J', () => {
    const options = request({ via: noBranchVia, method: 'OPTIONS' });
    layer.receiveRequest(options, info);
    const tx = tu.requests[0]!.transaction;
    tx.respond(response(options, 200, 'uas'));
    expect(tx.request).toBeUndefined();
    layer.receiveRequest(request({ via: noBranchVia, method: 'OPTIONS' }), info);
    expect(tu.requests).toHaveLength(1);
    expect(transport.responses().map((r) => r.message.status)).toEqual([200, 200]);
    vi.advanceTimersByTime(32_000);
    expect(layer.serverTransactionCount).toBe(0);
    layer.receiveRequest(request({ via: noBranchVia, method: 'OPTIONS' }), info);
    expect(tu.requests).toHaveLength(2);
  });

  it('finds the INVITE a legacy CANCEL targets', () => {
    layer.receiveRequest(request({ via: legacyVia }), info);
    layer.receiveRequest(request({ method: 'CANCEL', via: legacyVia }), info);
    layer.receiveRequest(request({ method: 'CANCEL', via: legacyVia, seq: 9 }), info);
    expect(tu.cancels[0]!.target).toBe(tu.requests[0]!.transaction);
    expect(tu.cancels[1]!.target).toBeUndefined();
  });
});

describe('TransactionLayer lifecycle', () => {
  it('forgets a UDP server transaction when Timer J ends it, and only then starts a new one for the same key', () => {
    const options = request({ method: 'OPTIONS', branch: 'z9hG4bKj' });
    layer.receiveRequest(options, receivedInfo());
    tu.requests[0]!.transaction.respond(response(options, 200, 'uas'));
    vi.advanceTimersByTime(31_999);
    layer.receiveRequest(request({ method: 'OPTIONS', branch: 'z9hG4bKj' }), receivedInfo());
    expect(tu.requests).toHaveLength(1);
    expect(layer.serverTransactionCount).toBe(1);
    vi.advanceTimersByTime(1);
    expect(layer.serverTransactionCount).toBe(0);
    layer.receiveRequest(request({ method: 'OPTIONS', branch: 'z9hG4bKj' }), receivedInfo());
    expect(tu.requests).toHaveLength(2);
  });

  it('close() ends every transaction, clears every timer, and is idempotent', () => {
    const ict = layer.sendRequest(request({ via: null }), UDP_TARGET);
    layer.sendRequest(request({ method: 'OPTIONS', via: null }), UDP_TARGET);
    layer.receiveRequest(request({ branch: 'z9hG4bKs' }), receivedInfo());
    layer.receiveRequest(request({ via: 'SIP/2.0/UDP 192.0.2.9' }), receivedInfo());
    expect(vi.getTimerCount()).toBeGreaterThan(0);
    layer.close();
    layer.close();
    expect(ict.state).toBe(S.Terminated);
    expect(tu.requests.every((r) => r.transaction.state === S.Terminated)).toBe(true);
    expect(layer.clientTransactionCount + layer.serverTransactionCount).toBe(0);
    expect(vi.getTimerCount()).toBe(0);
    expect(() => layer.sendRequest(request({ via: null }), UDP_TARGET)).toThrow(expect.objectContaining({ code: 'SIP_ERR_TRANSACTION_LAYER_CLOSED' }));
    layer.receiveRequest(request({ branch: 'z9hG4bKlate' }), receivedInfo());
    expect(tu.requests).toHaveLength(2);
  });

  it('unrefs its timers so they never keep the process alive', () => {
    vi.useRealTimers();
    const handles: NodeJS.Timeout[] = [];
    const real = globalThis.setTimeout;
    const spy = vi.spyOn(globalThis, 'setTimeout').mockImplementation(((fn: () => void, ms?: number) => {
      const handle = real(fn, ms);
      handles.push(handle);
      return handle;
    }) as typeof setTimeout);
    try {
      const live = new TransactionLayer({ transport: new FakeTransport(), delegate: new RecordingTu() });
      live.sendRequest(request({ via: null }), UDP_TARGET);
      live.receiveRequest(request({ branch: 'z9hG4bKu' }), receivedInfo());
      expect(handles.length).toBeGreaterThanOrEqual(3); // A, B, 100 Trying
      expect(handles.every((h) => !h.hasRef())).toBe(true);
      live.close();
    } finally {
      spy.mockRestore();
    }
  });
});
