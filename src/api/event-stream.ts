import type { ServerResponse } from 'node:http';

export interface EventStreamOptions {
  /** Clients served at once; more are refused. */
  maxClients: number;
  /** Interval of the `: heartbeat` comments that keep proxies and NAT from closing idle streams. */
  heartbeatMs: number;
  /** A client whose unsent output grows beyond this is dropped rather than buffered without bound. */
  maxBufferedBytes?: number;
}

/**
 * The server-sent-events side of `GET /events` (HTML Living Standard §9.2):
 * a bounded set of open responses, one shared unref()ed heartbeat timer, and
 * slow readers dropped. `close()` ends every stream.
 */
export class EventStream {
  private readonly clients = new Set<ServerResponse>();
  private heartbeat: NodeJS.Timeout | undefined;
  private nextId = 1;
  private closed = false;

  constructor(private readonly options: EventStreamOptions) {}

  get clientCount(): number {
    return this.clients.size;
  }

  /** Whether another client can be taken. */
  get full(): boolean {
    return this.clients.size >= this.options.maxClients;
  }

  /** Turns `res` into an event stream; `greeting` events are sent to this client first. */
  accept(res: ServerResponse, greeting: Array<{ event: string; data: unknown }> = []): void {
    res.writeHead(200, {
      'content-type': 'text/event-stream; charset=utf-8',
      'cache-control': 'no-store',
      connection: 'keep-alive',
      'x-accel-buffering': 'no',
    });
    // The retry hint, then a comment so the client sees the stream open at once.
    res.write('retry: 3000\n: connected\n\n');
    this.clients.add(res);
    res.on('close', () => this.drop(res));
    for (const g of greeting) this.write(res, this.frame(g.event, g.data));
    this.startHeartbeat();
  }

  /** Sends one event to every client. */
  broadcast(event: string, data: unknown): void {
    if (this.clients.size === 0) return;
    const frame = this.frame(event, data);
    for (const res of [...this.clients]) this.write(res, frame);
  }

  /** Ends every stream and stops the heartbeat; idempotent. */
  close(): void {
    if (this.closed) return;
    this.closed = true;
    for (const res of [...this.clients]) {
      this.drop(res);
      res.end();
    }
  }

  private frame(event: string, data: unknown): string {
    // JSON.stringify never yields a raw newline, so one data line holds the whole event.
    return `id: ${this.nextId++}\nevent: ${event}\ndata: ${JSON.stringify(data)}\n\n`;
  }

  private write(res: ServerResponse, text: string): void {
    if (res.writableLength > (this.options.maxBufferedBytes ?? 256 * 1024)) {
      this.drop(res);
      res.destroy();
      return;
    }
    res.write(text);
  }

  private startHeartbeat(): void {
    if (this.heartbeat || this.closed) return;
    this.heartbeat = setInterval(() => {
      for (const res of [...this.clients]) this.write(res, ': heartbeat\n\n');
    }, this.options.heartbeatMs);
    this.heartbeat.unref();
  }

  private drop(res: ServerResponse): void {
    this.clients.delete(res);
    if (this.clients.size === 0 && this.heartbeat) {
      clearInterval(this.heartbeat);
      this.heartbeat = undefined;
    }
  }
}
