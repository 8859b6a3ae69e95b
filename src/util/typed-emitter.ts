/**
 * A typed event emitter whose listeners cannot break the emitter: a throwing
 * listener is reported through `onListenerError` and the other listeners still run
 * (the mediasoup EnhancedEventEmitter model).
 *
 * Usage: `class Call extends TypedEmitter<{ ended: [reason: string] }>`.
 */
export type EventMap = Record<string, unknown[]>;

type Listener<A extends unknown[]> = (...args: A) => void;

interface Entry {
  readonly fn: Listener<never[]>;
  readonly once: boolean;
}

export class TypedEmitter<E extends EventMap> {
  /**
   * Listener lists are replaced, never changed in place (copy on write): emit() walks the
   * list it found without copying it, and a listener added or removed during an emit
   * takes effect from the next one. Emits far outnumber subscriptions (a frame event
   * 50 times a second), and most emitters never get a listener: the map is made on first use.
   */
  private listeners: Map<keyof E, readonly Entry[]> | undefined;

  /** Called when a listener throws; defaults to printing on stderr. */
  static onListenerError: (event: string, error: unknown) => void = (event, error) => {
    process.stderr.write(`portier: listener for '${event}' threw: ${String((error as Error)?.stack ?? error)}\n`);
  };

  on<K extends keyof E>(event: K, fn: Listener<E[K]>): this {
    this.add(event, fn, false);
    return this;
  }

  once<K extends keyof E>(event: K, fn: Listener<E[K]>): this {
    this.add(event, fn, true);
    return this;
  }

  off<K extends keyof E>(event: K, fn: Listener<E[K]>): this {
    const list = this.listeners?.get(event);
    if (list) this.remove(event, list.findIndex((l) => l.fn === (fn as unknown)));
    return this;
  }

  removeAllListeners(event?: keyof E): this {
    if (event === undefined) this.listeners?.clear();
    else this.listeners?.delete(event);
    return this;
  }

  listenerCount(event: keyof E): number {
    return this.listeners?.get(event)?.length ?? 0;
  }

  /** Emits safely; returns whether any listener was registered. */
  emit<K extends keyof E>(event: K, ...args: E[K]): boolean {
    const list = this.listeners?.get(event);
    if (list === undefined) return false;
    for (let i = 0; i < list.length; i++) {
      const l = list[i]!;
      if (l.once) {
        // Gone already: a nested emit of the same event (from an earlier listener) ran it.
        const at = this.listeners?.get(event)?.indexOf(l) ?? -1;
        if (at < 0) continue;
        this.remove(event, at);
      }
      try {
        (l.fn as unknown as Listener<E[K]>)(...args);
      } catch (error) {
        TypedEmitter.onListenerError(String(event), error);
      }
    }
    return true;
  }

  /** Resolves with the arguments of the next `event`. */
  wait<K extends keyof E>(event: K): Promise<E[K]> {
    return new Promise((resolve) => this.once(event, ((...args: E[K]) => resolve(args)) as Listener<E[K]>));
  }

  private add<K extends keyof E>(event: K, fn: Listener<E[K]>, once: boolean): void {
    const map = (this.listeners ??= new Map());
    const entry: Entry = { fn: fn as unknown as Listener<never[]>, once };
    const list = map.get(event);
    map.set(event, list ? [...list, entry] : [entry]);
  }

  /** Drops entry i of `event`'s list (nothing when i < 0), replacing the list. */
  private remove(event: keyof E, i: number): void {
    const list = this.listeners?.get(event);
    if (list === undefined || i < 0) return;
    if (list.length === 1) this.listeners!.delete(event);
    else this.listeners!.set(event, list.filter((_, j) => j !== i));
  }
}
