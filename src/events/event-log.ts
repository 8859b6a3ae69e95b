import { open, readFile, rename, type FileHandle } from 'node:fs/promises';
import { dirname } from 'node:path';
import { PortierError } from '../util/portier-error.js';

/** How a door was opened. */
export type DoorOpenMethod = 'dtmf' | 'info' | 'inband' | 'api' | 'exit-button';

/** A record in the event log. `time` is an ISO 8601 UTC timestamp. */
export type PortierEvent =
  | { type: 'door-open'; time: string; relay: string; method: DoorOpenMethod; caller?: string }
  | {
      type: 'call';
      time: string;
      direction: 'outgoing' | 'incoming';
      peer: string;
      outcome: 'answered' | 'unanswered' | 'rejected' | 'failed' | 'cancelled';
      durationMs?: number;
      reason?: string;
    }
  | { type: 'alarm'; time: string; alarm: string; detail?: string };

/** An event to append; `time` is filled in from the clock when absent. */
export type PortierEventInput = PortierEvent extends infer E ? (E extends { time: string } ? Omit<E, 'time'> & { time?: string } : never) : never;

export interface EventLogOptions {
  path: string;
  /** Size after which the file is rotated to `<path>.1` (the previous `.1` is dropped). */
  maxBytes: number;
  /** Clock for `time`; defaults to the system clock. */
  now?: () => Date;
  /** Told when a rotation failed; the record still went to the current file. */
  onRotateError?: (error: unknown) => void;
}

/** The event log could not be opened or written. */
export class EventLogError extends PortierError {
  constructor(message: string, cause?: unknown) {
    super('PORTIER_ERR_EVENT_LOG', message, { cause });
  }
}

/**
 * An append-only JSON-lines log of door openings, calls and alarms that survives
 * `kill -9` and power loss: each append is written and fsynced before its promise
 * resolves, appends run one at a time, and rotation is a rename (atomic) followed
 * by an fsync of the directory so the new name is durable too.
 */
export class EventLog {
  private queue: Promise<unknown> = Promise.resolve();
  private closed = false;

  private constructor(
    private readonly options: EventLogOptions,
    private handle: FileHandle,
    private size: number,
  ) {}

  /** Opens (creating if needed) the log at `options.path`. */
  static async open(options: EventLogOptions): Promise<EventLog> {
    try {
      const { handle, size } = await openForAppend(options.path);
      return new EventLog(options, handle, size);
    } catch (error) {
      throw new EventLogError(`cannot open event log ${options.path}: ${(error as NodeJS.ErrnoException).code ?? String(error)}`, error);
    }
  }

  /** Appends one event; resolves once it is on disk. */
  append(event: PortierEventInput): Promise<void> {
    if (this.closed) return Promise.reject(new EventLogError('event log is closed'));
    const record = { ...event, time: event.time ?? (this.options.now?.() ?? new Date()).toISOString() };
    const line = Buffer.from(`${JSON.stringify(record)}\n`, 'utf8');
    const run = this.queue.then(() => this.write(line));
    // The queue must go on after a failed write; the caller still sees the failure.
    this.queue = run.catch(() => undefined);
    return run;
  }

  /** Waits for pending appends and closes the file; idempotent. */
  async close(): Promise<void> {
    if (this.closed) return this.queue.then(() => undefined);
    this.closed = true;
    this.queue = this.queue.then(() => this.handle.close()).catch(() => undefined);
    await this.queue;
  }

  private async write(line: Buffer): Promise<void> {
    if (this.size > 0 && this.size + line.length > this.options.maxBytes) await this.rotate();
    let written = 0;
    while (written < line.length) {
      const { bytesWritten } = await this.handle.write(line, written, line.length - written);
      written += bytesWritten;
    }
    this.size += line.length;
    await this.handle.sync();
  }

  /**
   * Renames the full file to `<path>.1` and starts a new one. A rotation that fails
   * (rename refused, no room for a new file) keeps appending to the file in hand:
   * a door opening on record matters more than the size bound. Retried next append.
   */
  private async rotate(): Promise<void> {
    try {
      await rename(this.options.path, `${this.options.path}.1`);
    } catch (error) {
      // ENOENT: the file in hand was renamed already (by an earlier rotation whose new file could not be made).
      if ((error as NodeJS.ErrnoException).code !== 'ENOENT') {
        this.options.onRotateError?.(error);
        return;
      }
    }
    let next: { handle: FileHandle; size: number };
    try {
      next = await openForAppend(this.options.path);
    } catch (error) {
      // The handle still writes to the renamed file, which readEvents reads too.
      this.options.onRotateError?.(error);
      return;
    }
    const old = this.handle;
    this.handle = next.handle;
    this.size = next.size;
    await old.close().catch(() => undefined);
    await syncDirectory(dirname(this.options.path)).catch((error: unknown) => this.options.onRotateError?.(error));
  }
}

async function openForAppend(path: string): Promise<{ handle: FileHandle; size: number }> {
  const handle = await open(path, 'a+');
  try {
    let { size } = await handle.stat();
    if (size > 0) {
      // A crash mid-append leaves a torn last line; end it so the next record starts on a line of its own.
      const last = Buffer.alloc(1);
      await handle.read(last, 0, 1, size - 1);
      if (last[0] !== 0x0a) {
        await handle.write('\n');
        await handle.sync();
        size += 1;
      }
    } else {
      await syncDirectory(dirname(path));
    }
    return { handle, size };
  } catch (error) {
    await handle.close();
    throw error;
  }
}

async function syncDirectory(dir: string): Promise<void> {
  const handle = await open(dir, 'r');
  try {
    await handle.sync();
  } finally {
    await handle.close();
  }
}

/** Events read back, oldest first, and how many lines could not be parsed (a torn line after a crash). */
export interface ReadEventsResult {
  events: PortierEvent[];
  skipped: number;
}

/** Reads `<path>.1` (if present) then `<path>`; unparseable lines are skipped and counted. */
export async function readEvents(path: string): Promise<ReadEventsResult> {
  const result: ReadEventsResult = { events: [], skipped: 0 };
  for (const file of [`${path}.1`, path]) {
    let text: string;
    try {
      text = await readFile(file, 'utf8');
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code === 'ENOENT') continue;
      throw error;
    }
    for (const line of text.split('\n')) {
      if (line === '') continue;
      try {
        const value: unknown = JSON.parse(line);
        if (value !== null && typeof value === 'object' && typeof (value as { type?: unknown }).type === 'string') {
          result.events.push(value as PortierEvent);
        } else {
          result.skipped++;
        }
      } catch {
        result.skipped++;
      }
    }
  }
  return result;
}
