import type { SipRequest, SipResponse } from '../messages/index.js';
import type { ReceivedInfo, SendTarget } from '../transport/transport-types.js';

/**
 * The two members of the transport layer the transactions use. The transport stamps the
 * top Via's sent-by/rport but keeps the branch; both methods reject with a PortierError.
 */
export interface TransactionTransport {
  sendRequest(request: SipRequest, target: SendTarget): Promise<void>;
  sendResponse(response: SipResponse, replyTo: ReceivedInfo): Promise<void>;
}
