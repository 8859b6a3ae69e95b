import { execFile } from 'node:child_process';
import { createRequire } from 'node:module';
import { silentLogger, type Logger } from '../log/logger.js';

/** Where `NOTIFY_SOCKET` points: a file-system path, or a name in the Linux abstract namespace (`@name`). */
export type NotifySocketAddress = { kind: 'path'; path: string } | { kind: 'abstract'; name: string };

/** Reads `NOTIFY_SOCKET`; undefined when unset or of a kind Portier cannot use (e.g. `vsock:`). */
export function parseNotifySocket(value: string | undefined): NotifySocketAddress | undefined {
  if (!value) return undefined;
  if (value.startsWith('/')) return { kind: 'path', path: value };
  if (value.startsWith('@') && value.length > 1) return { kind: 'abstract', name: value.slice(1) };
  return undefined;
}

/** Sends one notification datagram. */
export interface NotifyTransport {
  send(message: string): Promise<void>;
}

/** The part of the optional `unix-dgram` module used here. */
interface UnixDgramModule {
  createSocket(type: 'unix_dgram'): {
    send(buf: Buffer, offset: number, length: number, path: string, callback: (error?: Error) => void): void;
    on(event: 'error', listener: (error: Error) => void): unknown;
    close(): void;
  };
}

/** Loads `unix-dgram` on first use; undefined when the native module is not installed or not built. */
export function loadUnixDgram(): UnixDgramModule | undefined {
  try {
    return createRequire(import.meta.url)('unix-dgram') as UnixDgramModule;
  } catch {
    return undefined;
  }
}

/**
 * Sends through `unix-dgram`. A socket is made per message and closed at once:
 * an open unix-dgram socket polls for reading and would keep the process alive.
 * `unix-dgram` copies the path with strncpy and a full-size address, so it can
 * reach only file-system sockets, not abstract ones.
 */
export class UnixDgramTransport implements NotifyTransport {
  constructor(
    private readonly unix: UnixDgramModule,
    private readonly path: string,
  ) {}

  send(message: string): Promise<void> {
    return new Promise((resolve, reject) => {
      const socket = this.unix.createSocket('unix_dgram');
      socket.on('error', reject);
      const buf = Buffer.from(message, 'utf8');
      // unix-dgram calls back synchronously.
      socket.send(buf, 0, buf.length, this.path, (error) => {
        socket.close();
        if (error) reject(error);
        else resolve();
      });
    });
  }
}

/** Sends by running `systemd-notify --no-block VAR=VALUE…`: a process per message, so used only as a fallback. */
export class SystemdNotifyCommandTransport implements NotifyTransport {
  constructor(
    private readonly socket: string,
    private readonly command = 'systemd-notify',
  ) {}

  send(message: string): Promise<void> {
    const args = ['--no-block', ...message.split('\n').filter(Boolean)];
    return new Promise((resolve, reject) => {
      execFile(this.command, args, { env: { ...process.env, NOTIFY_SOCKET: this.socket }, timeout: 5000 }, (error, _out, stderr) => {
        if (error) reject(new Error(`${this.command} failed: ${String(stderr).trim() || error.message}`));
        else resolve();
      });
    });
  }
}

export interface SystemdNotifierOptions {
  /** Environment holding `NOTIFY_SOCKET`; defaults to `process.env`. */
  env?: Record<string, string | undefined>;
  logger?: Logger;
  /** Replaces the lazy `unix-dgram` load (tests use it to simulate the module being absent). */
  loadUnixDgram?: () => UnixDgramModule | undefined;
  /** The fallback command; defaults to `systemd-notify`. */
  notifyCommand?: string;
}

/** Microseconds on CLOCK_MONOTONIC, the clock systemd reads MONOTONIC_USEC against (libuv's hrtime uses it on Linux). */
export function monotonicUsec(): bigint {
  return process.hrtime.bigint() / 1000n;
}

/**
 * Tells systemd about the service state (sd_notify(3): READY, STATUS, WATCHDOG,
 * STOPPING, RELOADING). Does nothing when `NOTIFY_SOCKET` is unset. Sending is
 * best effort: a failure is logged, never thrown, because a lost notification
 * must not take the door station down.
 */
export class SystemdNotifier {
  /** Whether notifications go anywhere. */
  readonly enabled: boolean;
  private readonly logger: Logger;
  private transport: NotifyTransport | undefined;
  private readonly address: NotifySocketAddress | undefined;
  private readonly socketValue: string | undefined;
  private failures = 0;
  private closed = false;

  constructor(private readonly options: SystemdNotifierOptions = {}) {
    const env = options.env ?? process.env;
    this.logger = (options.logger ?? silentLogger).child({ component: 'systemd' });
    this.socketValue = env.NOTIFY_SOCKET;
    this.address = parseNotifySocket(this.socketValue);
    if (this.socketValue && !this.address) this.logger.warn('NOTIFY_SOCKET of an unsupported kind; notifications off', { socket: this.socketValue });
    this.enabled = this.address !== undefined;
  }

  /** Start-up finished (READY=1), optionally with a status line. */
  ready(status?: string): Promise<void> {
    return this.notify(status === undefined ? { READY: 1 } : { READY: 1, STATUS: status });
  }

  /** A free-form status line shown by `systemctl status`. */
  status(text: string): Promise<void> {
    return this.notify({ STATUS: text });
  }

  /** Keep-alive for `WatchdogSec=`. */
  watchdog(): Promise<void> {
    return this.notify({ WATCHDOG: 1 });
  }

  /** Shutting down. */
  stopping(status?: string): Promise<void> {
    return this.notify(status === undefined ? { STOPPING: 1 } : { STOPPING: 1, STATUS: status });
  }

  /** Reloading the configuration (`Type=notify-reload` wants the monotonic time with it); send `ready()` when done. */
  reloading(): Promise<void> {
    return this.notify({ RELOADING: 1, MONOTONIC_USEC: monotonicUsec() });
  }

  /** Sends the given variables as one datagram, `NAME=value` per line. */
  async notify(fields: Record<string, string | number | bigint>): Promise<void> {
    if (!this.enabled || this.closed) return;
    // A newline inside a value would start a new variable; sd_notify messages are line-based.
    const message = Object.entries(fields)
      .map(([k, v]) => `${k}=${String(v).replace(/[\r\n]+/g, ' ')}`)
      .join('\n');
    try {
      await this.getTransport().send(message);
      this.failures = 0;
    } catch (error) {
      // Logged loudly once per run of failures; the watchdog would otherwise repeat it every few seconds.
      if (this.failures++ === 0) this.logger.warn('systemd notification failed', { error: error as Error });
      else this.logger.debug('systemd notification failed', { error: error as Error });
    }
  }

  /** Stops sending; idempotent. */
  close(): void {
    this.closed = true;
  }

  private getTransport(): NotifyTransport {
    if (this.transport) return this.transport;
    const address = this.address as NotifySocketAddress;
    const command = this.options.notifyCommand ?? 'systemd-notify';
    if (address.kind === 'path') {
      const unix = (this.options.loadUnixDgram ?? loadUnixDgram)();
      if (unix) return (this.transport = new UnixDgramTransport(unix, address.path));
      this.logger.warn(`unix-dgram is not available; running ${command} for every notification (slower; the unit needs NotifyAccess=all)`);
    } else {
      this.logger.info(`abstract NOTIFY_SOCKET cannot be reached through unix-dgram; running ${command} for every notification (the unit needs NotifyAccess=all)`);
    }
    return (this.transport = new SystemdNotifyCommandTransport(this.socketValue as string, command));
  }
}
