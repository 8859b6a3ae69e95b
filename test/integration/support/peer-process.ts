import { spawn, type ChildProcess } from 'node:child_process';
import { setTimeout as delay } from 'node:timers/promises';
import { groupHasLiveMembers, signalGroup, trackGroup, untrackGroup } from './process-reaper.js';

/** How a peer process ended: exit code, or the signal that killed it. */
export interface PeerExit {
  code: number | null;
  signal: NodeJS.Signals | null;
}

/** Bounded text buffer that keeps the newest output (peers can be chatty at debug levels). */
export class OutputBuffer {
  private chunks: string[] = [];
  private size = 0;

  constructor(private readonly limit = 4 * 1024 * 1024) {}

  append(text: string): void {
    this.chunks.push(text);
    this.size += text.length;
    while (this.size > this.limit && this.chunks.length > 1) {
      this.size -= this.chunks.shift()?.length ?? 0;
    }
  }

  toString(): string {
    return this.chunks.join('');
  }
}

/**
 * One external peer (Kamailio, SIPp) run in its own process group, so that it and every
 * child it forks can be signalled and killed together, with stdout/stderr captured.
 */
export class PeerProcess {
  readonly stdout = new OutputBuffer();
  readonly stderr = new OutputBuffer();
  readonly exited: Promise<PeerExit>;
  private readonly child: ChildProcess;
  private exitInfo: PeerExit | undefined;
  readonly pid: number;

  constructor(command: string, args: readonly string[], options: { cwd?: string; mirror?: OutputBuffer } = {}) {
    this.child = spawn(command, args, {
      cwd: options.cwd,
      detached: true,
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    this.exited = new Promise<PeerExit>((resolve) => {
      this.child.once('exit', (code, signal) => {
        this.exitInfo = { code, signal };
        resolve(this.exitInfo);
      });
      // spawn failures (ENOENT) emit 'error' and no 'exit'.
      this.child.once('error', (error) => {
        this.stderr.append(`spawn ${command} failed: ${error.message}\n`);
        options.mirror?.append(`spawn ${command} failed: ${error.message}\n`);
        this.exitInfo ??= { code: 127, signal: null };
        resolve(this.exitInfo);
      });
    });
    this.child.stdout?.setEncoding('utf8').on('data', (text: string) => {
      this.stdout.append(text);
      options.mirror?.append(text);
    });
    this.child.stderr?.setEncoding('utf8').on('data', (text: string) => {
      this.stderr.append(text);
      options.mirror?.append(text);
    });
    this.pid = this.child.pid ?? -1;
    if (this.pid > 0) trackGroup(this.pid);
  }

  /** The exit status once the leader has exited, else undefined. */
  get exit(): PeerExit | undefined {
    return this.exitInfo;
  }

  /** Signals the whole process group (e.g. SIGSTOP to simulate a hung peer). */
  signal(signal: NodeJS.Signals): void {
    if (this.pid > 0) signalGroup(this.pid, signal);
  }

  /**
   * Ends the group: `signal` first, SIGKILL after `graceMs`, then waits (bounded) until no
   * member is left, so the peer's ports are free when this resolves. Safe to call repeatedly.
   */
  async terminate(signal: NodeJS.Signals = 'SIGTERM', graceMs = 3000): Promise<PeerExit> {
    if (this.pid <= 0) return this.exited;
    if (this.exitInfo === undefined) {
      signalGroup(this.pid, signal);
      // A stopped (SIGSTOP) group only acts on the signal once continued.
      signalGroup(this.pid, 'SIGCONT');
      const timer = delay(graceMs, 'timeout' as const);
      if ((await Promise.race([this.exited, timer])) === 'timeout') signalGroup(this.pid, 'SIGKILL');
    }
    const result = await this.exited;
    // Children outlive a leader killed by SIGKILL; kill them and wait until they are gone.
    for (let i = 0; i < 40 && groupHasLiveMembers(this.pid); i++) {
      signalGroup(this.pid, 'SIGKILL');
      await delay(50);
    }
    untrackGroup(this.pid);
    return result;
  }
}
