import type { SipRequest, SipResponse } from '../messages/index.js';
import type { ReceivedInfo, SendTarget } from '../transport/transport-types.js';

/**
 * The two members of the transport layer the transactions use. The transport stamps the
 * top Via's sent-by/rport but keeps the branch; both methods reject with a PortierError.
 */
export interface TransactionTransport {
  sendRequest(request: SipRequest, target: SendTarget): Promise<void>;
  /** `wire`, when given, is what encodeResponse(response) returned: written instead of serializing again. */
  sendResponse(response: SipResponse, replyTo: ReceivedInfo, wire?: Buffer): Promise<void>;
  /**
   * The bytes sendResponse would write for `response`, for a transaction that keeps only these to
   * answer retransmissions; throws what sendResponse would reject with for it. Optional: without
   * it, transactions keep the response itself.
   */
  encodeResponse?(response: SipResponse): Buffer;
  /**
   * RFC 3261 §18.1.1: the congestion-controlled target (TCP, same address and port) to send
   * `request` to instead of the UDP `target` because it is too large for a datagram, or
   * undefined to send it as asked. Optional: a transport without it never switches.
   */
  congestionControlledTarget?(request: SipRequest, target: SendTarget): SendTarget | undefined;
}
