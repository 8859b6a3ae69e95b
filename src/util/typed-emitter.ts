/**
 * A typed event emitter whose listeners cannot break the emitter: a throwing
 * listener is reported through `onListenerError` and the other listeners still run
 * (the mediasoup EnhancedEventEmitter model).
 *
 * Usage: `class Call extends TypedEmitter<{ ended: [reason: string] }>`.
 */
export type EventMap = Record<string, unknown[]>;

type Listener<A extends unknown[]> = (...args: A) => void;

export class TypedEmitter<E extends EventMap> {
  private readonly listeners = new Map<keyof E, Array<{ fn: Listener<never[]>; once: boolean }>>();

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
    const list = this.listeners.get(event);
    if (!list) return this;
    const i = list.findIndex((l) => l.fn === (fn as unknown));
    if (i >= 0) list.splice(i, 1);
    return this;
  }

  removeAllListeners(event?: keyof E): this {
    if (event === undefined) this.listeners.clear();
    else this.listeners.delete(event);
    return this;
  }

  listenerCount(event: keyof E): number {
    return this.listeners.get(event)?.length ?? 0;
  }

  /** Emits safely; returns whether any listener was registered. */
  emit<K extends keyof E>(event: K, ...args: E[K]): boolean {
    const list = this.listeners.get(event);
    if (!list || list.length === 0) return false;
    for (const l of [...list]) {
      if (l.once) this.off(event, l.fn as unknown as Listener<E[K]>);
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
    let list = this.listeners.get(event);
    if (!list) this.listeners.set(event, (list = []));
    list.push({ fn: fn as unknown as Listener<never[]>, once });
  }
}
