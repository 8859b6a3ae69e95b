import { PortierError } from '../../util/portier-error.js';

/** Stable codes of transport failures. */
export type TransportErrorCode =
  /** No connection could be made (refused, unreachable, connect timeout). */
  | 'SIP_ERR_TRANSPORT_CONNECT'
  /** A write or datagram send failed. */
  | 'SIP_ERR_TRANSPORT_SEND'
  /** The connection or the whole layer was closed before the message went out. */
  | 'SIP_ERR_TRANSPORT_CLOSED'
  /** The TLS peer's certificate did not verify (chain or name). */
  | 'SIP_ERR_TLS_VERIFY'
  /** This layer has no socket for the protocol or address family asked for. */
  | 'SIP_ERR_TRANSPORT_UNSUPPORTED'
  /** The message cannot be sent as it is (no Via, over the size cap). */
  | 'SIP_ERR_TRANSPORT_MESSAGE'
  /** A listening socket could not be opened. */
  | 'SIP_ERR_TRANSPORT_LISTEN';

/** A failure of the SIP transport layer (RFC 3261 §18), with a stable `code`. */
export class TransportError extends PortierError {
  declare readonly code: TransportErrorCode;

  constructor(code: TransportErrorCode, message: string, options?: { cause?: unknown }) {
    super(code, message, options);
  }
}
