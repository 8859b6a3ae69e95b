/** Severity of a log record, in increasing order. */
export type LogLevel = 'debug' | 'info' | 'warn' | 'error';

const ORDER: Record<LogLevel, number> = { debug: 10, info: 20, warn: 30, error: 40 };

/** Structured fields attached to a log record. */
export type LogFields = Record<string, unknown>;

/** The logger every layer receives; layers never write to stdout themselves. */
export interface Logger {
  debug(msg: string, fields?: LogFields): void;
  info(msg: string, fields?: LogFields): void;
  warn(msg: string, fields?: LogFields): void;
  error(msg: string, fields?: LogFields): void;
  /** A logger that adds `fields` (e.g. `{ component: 'transport' }`) to every record. */
  child(fields: LogFields): Logger;
}

/** Where formatted log lines go. */
export type LogSink = (line: string) => void;

/**
 * A small line logger: `2026-11-22T13:00:00.000Z info [sip] message key=value`.
 * Values are JSON-encoded when they are not plain words, so a line stays one line.
 */
export class LineLogger implements Logger {
  constructor(
    private readonly level: LogLevel = 'info',
    private readonly sink: LogSink = (line) => process.stderr.write(line + '\n'),
    private readonly fields: LogFields = {},
  ) {}

  debug(msg: string, fields?: LogFields): void { this.write('debug', msg, fields); }
  info(msg: string, fields?: LogFields): void { this.write('info', msg, fields); }
  warn(msg: string, fields?: LogFields): void { this.write('warn', msg, fields); }
  error(msg: string, fields?: LogFields): void { this.write('error', msg, fields); }

  child(fields: LogFields): Logger {
    return new LineLogger(this.level, this.sink, { ...this.fields, ...fields });
  }

  private write(level: LogLevel, msg: string, fields?: LogFields): void {
    if (ORDER[level] < ORDER[this.level]) return;
    const all = { ...this.fields, ...fields };
    const component = all.component;
    delete all.component;
    let line = `${new Date().toISOString()} ${level}${component ? ` [${String(component)}]` : ''} ${msg}`;
    for (const [k, v] of Object.entries(all)) {
      if (v === undefined) continue;
      line += ` ${k}=${formatValue(v)}`;
    }
    this.sink(line);
  }
}

function formatValue(v: unknown): string {
  if (v instanceof Error) return JSON.stringify(`${(v as { code?: string }).code ?? v.name}: ${v.message}`);
  if (typeof v === 'string') return /^[\w.:/@+-]+$/.test(v) ? v : JSON.stringify(v);
  if (typeof v === 'number' || typeof v === 'boolean') return String(v);
  try {
    return JSON.stringify(v);
  } catch {
    return JSON.stringify(String(v));
  }
}

/** A logger that drops everything (for tests and benchmarks). */
export const silentLogger: Logger = {
  debug() {},
  info() {},
  warn() {},
  error() {},
  child() { return silentLogger; },
};
