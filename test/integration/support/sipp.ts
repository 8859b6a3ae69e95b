import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { setTimeout as delay } from 'node:timers/promises';
import { PortierError } from '../../../src/util/portier-error.js';
import { PeerProcess, type PeerExit } from './peer-process.js';
import { reapOrphans } from './process-reaper.js';

/** SIPp signalling transports available in the installed build (it has no TLS). */
export type SippTransport = 'udp' | 'tcp';

/** How to run one SIPp process. */
export interface SippOptions {
  /** Scenario XML text (starts with '<') or a built-in scenario name such as 'uac' or 'uas'. */
  scenario: string;
  /** Remote `host:port` (`[::1]:port` for IPv6). Required for client scenarios. */
  target?: string;
  /** Default 'udp' (-t u1); 'tcp' is -t t1 (SIPp binds its TCP client socket to localPort). */
  transport?: SippTransport;
  /** SIPp's signalling port (-p); by convention 36000–36049 in Portier's tests. */
  localPort?: number;
  /** Local IP (-i, also used for media); default 127.0.0.1. The control socket always binds 127.0.0.1. */
  localIp?: string;
  /** Remote-control UDP port (-cp); default localPort + 50, else SIPp's 8888 (it moves up if busy). */
  controlPort?: number;
  /** RTP echo port (-mp; SIPp binds it and +2); default SIPp's 6000 (it moves up if busy). */
  mediaPort?: number;
  /** -s: the `[service]` keyword, user part of the default Request-URI. */
  service?: string;
  /** Digest credentials for `[authentication]` (-au / -ap). */
  auth?: { username: string; password: string };
  /** Calls to place or answer before exiting (-m); default 1. */
  calls?: number;
  /** Extra raw SIPp arguments, appended last. */
  args?: string[];
  /** Hard limit: SIPp's own -timeout at this value, SIGKILL shortly after. Default 30 s (startSipp: 120 s). */
  timeoutMs?: number;
}

/** Counters from SIPp's final statistics screen (undefined when SIPp printed none). */
export interface SippStats {
  outgoingCalls?: number;
  incomingCalls?: number;
  successfulCalls?: number;
  failedCalls?: number;
}

/** Outcome of a SIPp run. */
export interface SippResult {
  /**
   * SIPp's exit code: 0 all calls succeeded, 1 at least one failed, 97 exit on internal
   * command, 99 normal exit without calls processed, 255/254 fatal errors; null if killed.
   */
  code: number | null;
  signal: NodeJS.Signals | null;
  /** True when the harness had to kill SIPp at the hard timeout. */
  timedOut: boolean;
  stdout: string;
  stderr: string;
  stats: SippStats;
  /** Every SIP message SIPp sent and received (-trace_msg). */
  messages: string;
  /** SIPp's error log (-trace_err): unexpected messages, timeouts. */
  errors: string;
  /** The command line, for failure messages. */
  command: string;
}

/** A SIPp running in the background (typically a UAS). */
export interface SippServer {
  readonly localPort: number;
  /** Resolves when SIPp exits on its own (e.g. after `calls` calls) or is stopped. */
  readonly result: Promise<SippResult>;
  /** Messages traced so far. */
  messages(): string;
  /** Asks SIPp to quit (SIGUSR1), kills it if it lingers; resolves with its result. Idempotent. */
  stop(): Promise<SippResult>;
}

const DIR_PREFIX = 'portier-sipp-';
const KILL_GRACE_MS = 3000;

/** Raised when a SIPp server does not come up. */
export class SippStartError extends PortierError {
  constructor(message: string) {
    super('PORTIER_TEST_ERR_SIPP_START', message);
  }
}

function parseCounter(screen: string, label: string): number | undefined {
  // Statistics rows read "  Label | periodic | cumulative"; the last screen is the final one.
  const pattern = new RegExp(`^\\s*${label}\\s*\\|\\s*\\d+\\s*\\|\\s*(\\d+)`, 'gm');
  let value: number | undefined;
  for (const match of screen.matchAll(pattern)) value = Number(match[1]);
  return value;
}

/** Extracts call counters from SIPp's statistics screen output. */
export function parseSippStats(stdout: string): SippStats {
  const stats: SippStats = {};
  const outgoing = parseCounter(stdout, 'Outgoing calls created');
  const incoming = parseCounter(stdout, 'Incoming calls created');
  const successful = parseCounter(stdout, 'Successful call');
  const failed = parseCounter(stdout, 'Failed call');
  if (outgoing !== undefined) stats.outgoingCalls = outgoing;
  if (incoming !== undefined) stats.incomingCalls = incoming;
  if (successful !== undefined) stats.successfulCalls = successful;
  if (failed !== undefined) stats.failedCalls = failed;
  return stats;
}

function readOptional(path: string): string {
  try {
    return readFileSync(path, 'utf8');
  } catch {
    return '';
  }
}

/** Turns options into SIPp's argument list; writes an XML scenario into `dir`. */
export function buildSippArgs(options: SippOptions, dir: string, timeoutMs: number): string[] {
  const args: string[] = [];
  if (options.target !== undefined) args.push(options.target);
  if (options.scenario.trimStart().startsWith('<')) {
    const file = join(dir, 'scenario.xml');
    writeFileSync(file, options.scenario);
    args.push('-sf', file);
  } else {
    args.push('-sn', options.scenario);
  }
  const localIp = options.localIp ?? '127.0.0.1';
  args.push('-t', (options.transport ?? 'udp') === 'tcp' ? 't1' : 'u1');
  // The remote-control socket is IPv4-only in SIPp, so it stays on 127.0.0.1 even for ::1.
  args.push('-i', localIp, '-mi', localIp, '-ci', '127.0.0.1');
  if (options.localPort !== undefined) args.push('-p', String(options.localPort));
  const controlPort = options.controlPort ?? (options.localPort !== undefined ? options.localPort + 50 : undefined);
  if (controlPort !== undefined) args.push('-cp', String(controlPort));
  if (options.mediaPort !== undefined) args.push('-mp', String(options.mediaPort));
  if (options.service !== undefined) args.push('-s', options.service);
  if (options.auth !== undefined) args.push('-au', options.auth.username, '-ap', options.auth.password);
  args.push('-m', String(options.calls ?? 1));
  // SIPp's own timeout lets it print statistics and exit 1 before the hard kill.
  args.push('-timeout', `${Math.max(1, timeoutMs)}ms`, '-timeout_error');
  args.push('-nostdin');
  args.push('-trace_msg', '-message_file', join(dir, 'messages.log'));
  args.push('-trace_err', '-error_file', join(dir, 'errors.log'));
  args.push(...(options.args ?? []));
  return args;
}

class SippRun {
  readonly dir = mkdtempSync(join(tmpdir(), DIR_PREFIX));
  readonly process: PeerProcess;
  readonly command: string;
  readonly result: Promise<SippResult>;
  private timedOut = false;
  private readonly hardTimer: NodeJS.Timeout;

  constructor(options: SippOptions, timeoutMs: number) {
    writeFileSync(join(this.dir, 'owner.pid'), `${process.pid}\n`);
    const args = buildSippArgs(options, this.dir, timeoutMs);
    this.command = `sipp ${args.join(' ')}`;
    this.process = new PeerProcess('sipp', args, { cwd: this.dir });
    writeFileSync(join(this.dir, 'group.pid'), `${this.process.pid}\n`);
    this.hardTimer = setTimeout(() => {
      this.timedOut = true;
      void this.process.terminate('SIGKILL', 0);
    }, timeoutMs + KILL_GRACE_MS);
    this.hardTimer.unref();
    this.result = this.process.exited.then((exit) => this.collect(exit));
  }

  messages(): string {
    return readOptional(join(this.dir, 'messages.log'));
  }

  private async collect(exit: PeerExit): Promise<SippResult> {
    clearTimeout(this.hardTimer);
    // Reap anything SIPp left in its group before its files go away.
    await this.process.terminate('SIGKILL', 0);
    const stdout = this.process.stdout.toString();
    const result: SippResult = {
      code: exit.code,
      signal: exit.signal,
      timedOut: this.timedOut,
      stdout,
      stderr: this.process.stderr.toString(),
      stats: parseSippStats(stdout),
      messages: this.messages(),
      errors: readOptional(join(this.dir, 'errors.log')),
      command: this.command,
    };
    rmSync(this.dir, { recursive: true, force: true });
    return result;
  }
}

/** Runs SIPp to completion (or the hard timeout) and returns its exit code, output and traces. */
export async function runSipp(options: SippOptions): Promise<SippResult> {
  reapOrphans(DIR_PREFIX);
  return new SippRun(options, options.timeoutMs ?? 30_000).result;
}

function hexPort(port: number): string {
  return port.toString(16).toUpperCase().padStart(4, '0');
}

/** True if some socket is bound to `port` (UDP) or listening on it (TCP), per /proc/net. */
function portBound(port: number, transport: SippTransport): boolean {
  const files = transport === 'udp' ? ['/proc/net/udp', '/proc/net/udp6'] : ['/proc/net/tcp', '/proc/net/tcp6'];
  const suffix = `:${hexPort(port)}`;
  return files.some((file) =>
    readOptional(file)
      .split('\n')
      .slice(1)
      .some((line) => {
        const fields = line.trim().split(/\s+/);
        const local = fields[1] ?? '';
        // TCP state 0A is LISTEN; UDP sockets have no listen state.
        return local.endsWith(suffix) && (transport === 'udp' || fields[3] === '0A');
      }),
  );
}

/**
 * Starts SIPp in the background (server scenarios such as 'uas' or uasAnswerScenario) and
 * resolves once its signalling port is bound.
 */
export async function startSipp(options: SippOptions & { localPort: number }): Promise<SippServer> {
  reapOrphans(DIR_PREFIX);
  const transport = options.transport ?? 'udp';
  if (portBound(options.localPort, transport)) {
    throw new SippStartError(`${transport} port ${options.localPort} is already in use; is an earlier SIPp still running?`);
  }
  const run = new SippRun(options, options.timeoutMs ?? 120_000);
  let exited = false;
  void run.result.then(() => {
    exited = true;
  });
  const deadline = Date.now() + 10_000;
  while (!portBound(options.localPort, transport)) {
    if (exited) {
      const result = await run.result;
      throw new SippStartError(
        `sipp exited during startup with code ${String(result.code)}: ${result.command}\n${result.stderr}\n${result.stdout.slice(-2000)}`,
      );
    }
    if (Date.now() > deadline) {
      await run.process.terminate('SIGKILL', 0);
      throw new SippStartError(`sipp did not bind ${transport} port ${options.localPort}: ${run.command}`);
    }
    await delay(50);
  }
  let stopping: Promise<SippResult> | undefined;
  return {
    localPort: options.localPort,
    result: run.result,
    messages: () => run.messages(),
    stop: () => {
      // SIGUSR1 asks SIPp to finish and print its statistics.
      stopping ??= run.process.terminate('SIGUSR1', KILL_GRACE_MS).then(() => run.result);
      return stopping;
    },
  };
}
