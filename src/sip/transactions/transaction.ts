import type { Logger } from '../../log/logger.js';
import { silentLogger } from '../../log/logger.js';
import type { PortierError } from '../../util/portier-error.js';
import { TypedEmitter } from '../../util/typed-emitter.js';
import type { EventMap } from '../../util/typed-emitter.js';
import type { TransactionTimeoutError } from './transaction-errors.js';
import { toTransportError } from './transaction-errors.js';
import { TransactionState, assertTransition } from './transaction-state.js';
import type { TransitionTable } from './transaction-state.js';
import type { TransactionTimers } from './timer-settings.js';
import type { TransactionTransport } from './transaction-transport.js';

/** Events every transaction emits. */
export type TransactionEvents = {
  stateChange: [state: TransactionState, previous: TransactionState];
  /** Timer B, F or H fired: the transaction failed without a final outcome. */
  timeout: [error: TransactionTimeoutError];
  /** A send failed (RFC 3261 §17.1.4, §17.2.4); the transaction terminates right after, except an Accepted INVITE server transaction (RFC 6026 §8.8). */
  transportError: [error: PortierError];
  /** Emitted once, last; the transaction owns nothing any more. */
  terminated: [];
};

/**
 * What the transaction layer must hear from a transaction it files. Called before the
 * transaction's own events, so the layer has forgotten a transaction before its users hear
 * that it ended. An interface rather than event listeners: one object for every
 * transaction, no closures kept alive by each one for its 32 s in Completed.
 */
export interface TransactionOwner {
  /** Timer B, F or H fired, or a send failed. */
  transactionFailed(error: PortierError, transaction: Transaction): void;
  /** The transaction entered Terminated. */
  transactionTerminated(transaction: Transaction): void;
}

/** What every transaction is built from. The transaction layer shares one such object among many transactions. */
export interface TransactionOptions {
  transport: TransactionTransport;
  timers: TransactionTimers;
  logger?: Logger;
  owner?: TransactionOwner;
}

/**
 * Base of the four RFC 3261 §17 state machines: the state, the transition guard, the
 * owned timers and the send path that turns a transport failure into termination.
 *
 * "A SIP transaction consists of a single request and any responses to that request,
 * which include zero or more provisional responses and one or more final responses." (§17)
 */
export abstract class Transaction<E extends EventMap = TransactionEvents> extends TypedEmitter<E & TransactionEvents> {
  protected readonly transport: TransactionTransport;
  /** Replaced only when a client transaction falls back from TCP to UDP (see ClientTransaction). */
  protected timers: TransactionTimers;
  private readonly parentLogger: Logger;
  private ownLogger: Logger | undefined;
  private readonly owner: TransactionOwner | undefined;
  private currentState: TransactionState;
  /**
   * The running timers by name, made on the first one: a plain object (a transaction runs one to
   * three at a time, and a Map costs three times the memory while it waits out Timer J or K).
   */
  private running: Record<string, NodeJS.Timeout | undefined> | undefined;

  protected constructor(
    /** Matching key under which the transaction layer files it. */
    readonly id: string,
    protected readonly kind: string,
    private readonly table: TransitionTable,
    initial: TransactionState,
    options: TransactionOptions,
  ) {
    super();
    this.transport = options.transport;
    this.timers = options.timers;
    this.parentLogger = options.logger ?? silentLogger;
    this.owner = options.owner;
    this.currentState = initial;
  }

  /** The layer's logger with this transaction's id; made on first use, as most transactions log nothing but their transitions. */
  protected get logger(): Logger {
    return (this.ownLogger ??= this.parentLogger.child({ transaction: this.id }));
  }

  get state(): TransactionState {
    return this.currentState;
  }

  /** Unnarrowed state test: a listener may have closed the transaction during an emit. */
  protected inState(state: TransactionState): boolean {
    return this.currentState === state;
  }

  get terminated(): boolean {
    return this.currentState === TransactionState.Terminated;
  }

  /** Ends the transaction early (e.g. on shutdown): stops its timers, reports nothing. Idempotent. */
  close(): void {
    if (this.terminated) return;
    this.transition(TransactionState.Terminated);
  }

  /** Alias of close(), the SIP.js name. */
  dispose(): void {
    this.close();
  }

  /** Moves to `to` after the guard allows it, runs the entry actions, then tells listeners. */
  protected transition(to: TransactionState): void {
    const from = this.currentState;
    assertTransition(this.kind, this.table, from, to);
    this.currentState = to;
    // The parent with the id as a field writes what the child logger would, without making one.
    this.parentLogger.debug(`${this.kind} ${from} -> ${to}`, { transaction: this.id });
    if (to === TransactionState.Terminated) this.stopAllTimers();
    this.onEnter(to, from);
    // Checked first: the emit's argument arrays cost an allocation even with nobody listening.
    if (this.listenerCount('stateChange') > 0) this.emitBase('stateChange', to, from);
    if (to === TransactionState.Terminated) {
      this.owner?.transactionTerminated(this.asTransaction());
      if (this.listenerCount('terminated') > 0) this.emitBase('terminated');
    }
  }

  /** Entry actions of `state`: start and stop the timers that belong to it. */
  protected abstract onEnter(state: TransactionState, previous: TransactionState): void;

  /**
   * Starts (or restarts) timer `name`; `fire` runs with this transaction as `this`, so a method
   * can be passed as it is, without a closure kept alive for the timer's whole wait.
   */
  protected startTimer(name: string, ms: number, fire: (this: this) => void): void {
    this.stopTimer(name);
    const handle = setTimeout(Transaction.fireTimer, ms, this.asTransaction(), name, fire as (this: Transaction) => void);
    handle.unref?.();
    (this.running ??= {})[name] = handle;
  }

  private static fireTimer(transaction: Transaction, name: string, fire: (this: Transaction) => void): void {
    const running = transaction.running;
    if (running) running[name] = undefined;
    fire.call(transaction);
  }

  protected stopTimer(name: string): void {
    const handle = this.running?.[name];
    if (handle === undefined) return;
    clearTimeout(handle);
    this.running![name] = undefined;
  }

  protected isTimerRunning(name: string): boolean {
    return this.running?.[name] !== undefined;
  }

  private stopAllTimers(): void {
    const running = this.running;
    if (!running) return;
    for (const name in running) clearTimeout(running[name]);
    this.running = undefined;
  }

  /** Reports a timeout and terminates. */
  protected fail(error: TransactionTimeoutError): void {
    if (this.terminated) return;
    this.logger.info(error.message);
    this.owner?.transactionFailed(error, this.asTransaction());
    this.emitBase('timeout', error);
    this.transition(TransactionState.Terminated);
  }

  /**
   * Runs one send; a failure is reported upward and terminates the transaction (unless the state
   * survives it), unless the transaction has already ended (a late rejection of an old
   * retransmission changes nothing) or `recover` dealt with it (returned true).
   */
  protected guardSend(send: () => Promise<void>, recover?: (error: unknown) => boolean): void {
    let pending: Promise<void>;
    try {
      pending = send();
    } catch (error) {
      pending = Promise.reject(error);
    }
    this.watchSend(pending, recover);
  }

  /** guardSend() for a send already started. */
  protected watchSend(pending: Promise<void>, recover?: (error: unknown) => boolean): void {
    pending.catch((error: unknown) => {
      if (this.terminated) return;
      if (recover?.(error)) return;
      const reported = toTransportError(error);
      this.logger.warn(`${this.kind}: transport error`, { error: reported });
      this.owner?.transactionFailed(reported, this.asTransaction());
      this.emitBase('transportError', reported);
      if (!this.terminated && !this.survivesTransportError()) this.transition(TransactionState.Terminated);
    });
  }

  /** Whether the current state outlives a failed send (reported all the same); by default none does. */
  protected survivesTransportError(): boolean {
    return false;
  }

  /** This transaction without its subclass's events, as the owner sees it. */
  private asTransaction(): Transaction {
    return this as unknown as Transaction;
  }

  protected emitBase<K extends keyof TransactionEvents>(event: K, ...args: TransactionEvents[K]): void {
    (this as unknown as TypedEmitter<TransactionEvents>).emit(event, ...args);
  }
}
