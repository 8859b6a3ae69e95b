import { PortierError } from '../../../src/util/portier-error.js';
import type { SipRequest, SipResponse } from '../../../src/sip/messages/index.js';
import type { ReceivedInfo, SendTarget } from '../../../src/sip/transport/transport-types.js';
import type { TransactionTransport } from '../../../src/sip/transactions/transaction-transport.js';

/** One message the fake transport was asked to send, with the (fake) clock time. */
export type SentRecord =
  | { kind: 'request'; at: number; message: SipRequest; wire: string; target: SendTarget }
  | { kind: 'response'; at: number; message: SipResponse; wire: string; replyTo: ReceivedInfo; bytesGiven: boolean };

/** A recording mock of the transport layer below the transactions. */
export class FakeTransport implements TransactionTransport {
  readonly sent: SentRecord[] = [];
  /** When set, every send rejects with this. */
  failWith: unknown;
  private readonly start = Date.now();

  sendRequest(request: SipRequest, target: SendTarget): Promise<void> {
    this.sent.push({ kind: 'request', at: Date.now() - this.start, message: request, wire: request.toString(), target });
    return this.failWith === undefined ? Promise.resolve() : Promise.reject(this.failWith);
  }

  sendResponse(response: SipResponse, replyTo: ReceivedInfo, wire?: Buffer): Promise<void> {
    const text = wire !== undefined ? wire.toString('utf8') : response.toString();
    this.sent.push({ kind: 'response', at: Date.now() - this.start, message: response, wire: text, replyTo, bytesGiven: wire !== undefined });
    return this.failWith === undefined ? Promise.resolve() : Promise.reject(this.failWith);
  }

  /** When set, encodeResponse throws this (a response too large for the transport). */
  encodeFailWith: unknown;
  /** How many responses were encoded for keeping. */
  encoded = 0;

  encodeResponse(response: SipResponse): Buffer {
    if (this.encodeFailWith !== undefined) throw this.encodeFailWith;
    this.encoded++;
    return response.serialize();
  }

  requests(method?: string): Array<Extract<SentRecord, { kind: 'request' }>> {
    return this.sent.filter((r): r is Extract<SentRecord, { kind: 'request' }> => r.kind === 'request' && (method === undefined || r.message.method === method));
  }

  responses(status?: number): Array<Extract<SentRecord, { kind: 'response' }>> {
    return this.sent.filter((r): r is Extract<SentRecord, { kind: 'response' }> => r.kind === 'response' && (status === undefined || r.message.status === status));
  }

  /** Milliseconds (since construction) at which requests of `method` were sent. */
  requestTimes(method: string): number[] {
    return this.requests(method).map((r) => r.at);
  }

  responseTimes(status?: number): number[] {
    return this.responses(status).map((r) => r.at);
  }
}

/** The shape of the transport helper's error: a PortierError with a code. */
export class FakeTransportError extends PortierError {
  constructor(message = 'ECONNREFUSED') {
    super('SIP_ERR_TRANSPORT', message);
  }
}

/** Lets pending promise callbacks (transport rejections) run under fake timers. */
export async function flushMicrotasks(): Promise<void> {
  for (let i = 0; i < 5; i++) await Promise.resolve();
}
