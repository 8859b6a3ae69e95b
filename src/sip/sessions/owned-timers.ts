/**
 * Named one-shot timers owned by one object: starting a name replaces its running timer,
 * every timer is unref()ed, and clear() stops them all (the owner's close()).
 */
export class OwnedTimers {
  private readonly running = new Map<string, NodeJS.Timeout>();

  start(name: string, ms: number, fire: () => void): void {
    this.stop(name);
    const handle = setTimeout(() => {
      this.running.delete(name);
      fire();
    }, Math.max(0, ms));
    handle.unref();
    this.running.set(name, handle);
  }

  stop(name: string): void {
    const handle = this.running.get(name);
    if (handle === undefined) return;
    clearTimeout(handle);
    this.running.delete(name);
  }

  has(name: string): boolean {
    return this.running.has(name);
  }

  get size(): number {
    return this.running.size;
  }

  clear(): void {
    for (const handle of this.running.values()) clearTimeout(handle);
    this.running.clear();
  }
}
