import { PortierError } from '../../util/portier-error.js';

/** Which RFC 3261 timer ended a transaction without a final outcome. */
export type TimeoutTimer = 'B' | 'F' | 'H';

/** A transaction timed out (Timer B, F or H, RFC 3261 §17.1.1.2, §17.1.2.2, §17.2.1). */
export class TransactionTimeoutError extends PortierError {
  constructor(
    readonly timer: TimeoutTimer,
    readonly method: string,
    afterMs: number,
  ) {
    super('SIP_ERR_TRANSACTION_TIMEOUT', `${method} transaction timed out (Timer ${timer}, ${afterMs} ms)`);
  }
}

/** A transaction was driven into a state its machine does not allow: a bug, never a network event. */
export class TransactionStateError extends PortierError {
  constructor(message: string) {
    super('SIP_ERR_TRANSACTION_STATE', message);
  }
}

/** A send failed with something that was not already a PortierError (the transport's own errors pass through as they are). */
export class TransactionTransportError extends PortierError {
  constructor(message: string, options?: { cause?: unknown }) {
    super('SIP_ERR_TRANSACTION_TRANSPORT', message, options);
  }
}

/** Normalises whatever a transport rejected with into a PortierError for the TU. */
export function toTransportError(error: unknown): PortierError {
  if (error instanceof PortierError) return error;
  const message = error instanceof Error ? error.message : String(error);
  return new TransactionTransportError(`transport failed: ${message}`, { cause: error });
}
