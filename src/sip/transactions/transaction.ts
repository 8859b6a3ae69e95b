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

/** What every transaction is built from. */
export interface TransactionOptions {
  transport: TransactionTransport;
  timers: TransactionTimers;
  logger?: Logger;
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
  protected readonly logger: Logger;
  private currentState: TransactionState;
  private readonly running = new Map<string, NodeJS.Timeout>();

  protected constructor(
    /** Matching key under which the transaction layer files it. */
    readonly id: string,
    private readonly kind: string,
    private readonly table: TransitionTable,
    initial: TransactionState,
    options: TransactionOptions,
  ) {
    super();
    this.transport = options.transport;
    this.timers = options.timers;
    this.logger = (options.logger ?? silentLogger).child({ transaction: id });
    this.currentState = initial;
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
    this.logger.debug(`${this.kind} ${from} -> ${to}`);
    if (to === TransactionState.Terminated) this.stopAllTimers();
    this.onEnter(to, from);
    this.emitBase('stateChange', to, from);
    if (to === TransactionState.Terminated) this.emitBase('terminated');
  }

  /** Entry actions of `state`: start and stop the timers that belong to it. */
  protected abstract onEnter(state: TransactionState, previous: TransactionState): void;

  protected startTimer(name: string, ms: number, fire: () => void): void {
    this.stopTimer(name);
    const handle = setTimeout(() => {
      this.running.delete(name);
      fire();
    }, ms);
    handle.unref?.();
    this.running.set(name, handle);
  }

  protected stopTimer(name: string): void {
    const handle = this.running.get(name);
    if (handle === undefined) return;
    clearTimeout(handle);
    this.running.delete(name);
  }

  protected isTimerRunning(name: string): boolean {
    return this.running.has(name);
  }

  private stopAllTimers(): void {
    for (const handle of this.running.values()) clearTimeout(handle);
    this.running.clear();
  }

  /** Reports a timeout and terminates. */
  protected fail(error: TransactionTimeoutError): void {
    if (this.terminated) return;
    this.logger.info(error.message);
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
    pending.catch((error: unknown) => {
      if (this.terminated) return;
      if (recover?.(error)) return;
      const reported = toTransportError(error);
      this.logger.warn(`${this.kind}: transport error`, { error: reported });
      this.emitBase('transportError', reported);
      if (!this.terminated && !this.survivesTransportError()) this.transition(TransactionState.Terminated);
    });
  }

  /** Whether the current state outlives a failed send (reported all the same); by default none does. */
  protected survivesTransportError(): boolean {
    return false;
  }

  protected emitBase<K extends keyof TransactionEvents>(event: K, ...args: TransactionEvents[K]): void {
    (this as unknown as TypedEmitter<TransactionEvents>).emit(event, ...args);
  }
}
