import { TransactionStateError } from './transaction-errors.js';

/** The states of the four RFC 3261 §17 transaction machines (plus RFC 6026 Accepted). */
export enum TransactionState {
  Calling = 'Calling',
  Trying = 'Trying',
  Proceeding = 'Proceeding',
  Accepted = 'Accepted',
  Completed = 'Completed',
  Confirmed = 'Confirmed',
  Terminated = 'Terminated',
}

/** Allowed transitions of one machine: from-state to the states it may enter. */
export type TransitionTable = ReadonlyMap<TransactionState, readonly TransactionState[]>;

/** The transition guard: throws a TransactionStateError unless `table` allows `from` → `to`. */
export function assertTransition(kind: string, table: TransitionTable, from: TransactionState, to: TransactionState): void {
  if (!table.get(from)?.includes(to)) {
    throw new TransactionStateError(`${kind}: illegal transition ${from} -> ${to}`);
  }
}
