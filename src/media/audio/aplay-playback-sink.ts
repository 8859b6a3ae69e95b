import { spawn, type ChildProcess } from 'node:child_process';
import { writeSync } from 'node:fs';
import { systemTimeSource, type TimeSource, type TimerHandle } from '../clock/time-source.js';
import { silentLogger, type Logger } from '../../log/logger.js';
import type { ExponentialBackoff } from '../../util/exponential-backoff.js';
import { TypedEmitter } from '../../util/typed-emitter.js';
import { pcmToLittleEndian } from '../wav/wav-writer.js';
import type { AudioDeviceState } from './audio-device-state.js';
import { AudioError, AudioErrorCode, toError } from './audio-error.js';
import { AUDIO_FRAME_MS, AUDIO_SAMPLE_RATE } from './audio-format.js';
import type { AudioSink, AudioSinkEvents } from './audio-sink.js';
import { DeviceSupervisor, type DeviceAttempt } from './device-supervisor.js';
import { GainStage } from './gain-stage.js';
import { PlaybackQueueEstimate } from './playback-queue-estimate.js';

/** Starts the player process; tests substitute a stand-in program. */
export type SpawnPlayer = (command: string, args: string[], env: NodeJS.ProcessEnv) => ChildProcess;

/** Options of an AplayPlaybackSink. */
export interface AplayPlaybackSinkOptions {
  /** ALSA PCM name: `default`, `plughw:1,0`, `pulse`… */
  device?: string;
  /** Gain applied before playing, dB. Default 0. */
  gainDb?: number;
  /** ALSA buffer aplay asks for (`--buffer-time`); playing starts once it is full. Default 60 ms. */
  bufferTimeMs?: number;
  /** ALSA period (`--period-time`). Default 20 ms. */
  periodTimeMs?: number;
  /**
   * Most audio allowed between write() and the loudspeaker (pipe + aplay + ALSA buffer),
   * by the sink's estimate; frames beyond it are dropped. Default 140 ms.
   */
  maxLatencyMs?: number;
  /** A player alive this long after starting counts as running. Default 300 ms. */
  settleMs?: number;
  /** The player program. Default `aplay` (alsa-utils). */
  command?: string;
  /** Environment of the player (e.g. PULSE_SERVER). Default this process's. */
  env?: NodeJS.ProcessEnv;
  spawnPlayer?: SpawnPlayer;
  backoff?: ExponentialBackoff;
  /** A player that ran this long before failing is retried from the shortest delay. Default 10 s. */
  stableMs?: number;
  timeSource?: TimeSource;
  logger?: Logger;
}

interface Player {
  readonly child: ChildProcess;
  readonly attempt: DeviceAttempt;
  readonly stderrTail: string[];
  settleTimer: TimerHandle | undefined;
  exited: boolean;
  /** The descriptor behind the player's stdin, written directly while it takes whole frames (see write()). */
  stdinFd: number | undefined;
  readonly exit: Promise<void>;
}

/** Longest close() waits for the player process to exit. */
const CLOSE_WAIT_MS = 1500;
/** Time beyond the latency bound a closing player gets to play out its queue. */
const DRAIN_SLACK_MS = 400;
/** Grace between SIGTERM and SIGKILL for a player that does not exit. */
const KILL_GRACE_MS = 1000;
const BYTES_PER_MS = (AUDIO_SAMPLE_RATE * 2) / 1000;

const defaultSpawn: SpawnPlayer = (command, args, env) => spawn(command, args, { stdio: ['pipe', 'ignore', 'pipe'], env });

/**
 * Loudspeaker output through a long-running `aplay -t raw -f S16_LE -r 8000 -c 1`
 * fed on stdin: alsa-utils is on every target, it handles any ALSA PCM (plug
 * conversion, dmix, pulse) and a crash of the player cannot take Portier down.
 *
 * Latency is bounded by a model of the queue ahead of the device
 * (PlaybackQueueEstimate, resynchronised on every underrun aplay reports): frames
 * that would queue more than `maxLatencyMs` are dropped, and so are frames written
 * while the player is down. A player that cannot start or exits is restarted with
 * capped exponential backoff (state `retrying`).
 */
export class AplayPlaybackSink extends TypedEmitter<AudioSinkEvents> implements AudioSink {
  private readonly device: string;
  private readonly gain: GainStage;
  private readonly bufferTimeMs: number;
  private readonly periodTimeMs: number;
  private readonly maxLatencyMs: number;
  private readonly settleMs: number;
  private readonly command: string;
  private readonly env: NodeJS.ProcessEnv | undefined;
  private readonly spawnPlayer: SpawnPlayer;
  private readonly time: TimeSource;
  private readonly logger: Logger;
  private readonly supervisor: DeviceSupervisor;
  private readonly estimate: PlaybackQueueEstimate;
  private player: Player | undefined;
  private readonly exits = new Set<Promise<void>>();
  private closing: Promise<void> | undefined;
  private readonly counters = { framesWritten: 0, droppedWhileDown: 0, droppedForLatency: 0, underruns: 0 };

  constructor(options: AplayPlaybackSinkOptions = {}) {
    super();
    this.device = options.device ?? 'default';
    this.gain = new GainStage(options.gainDb ?? 0);
    this.bufferTimeMs = options.bufferTimeMs ?? 60;
    this.periodTimeMs = options.periodTimeMs ?? 20;
    this.maxLatencyMs = options.maxLatencyMs ?? 140;
    if (!(this.periodTimeMs > 0) || !(this.bufferTimeMs >= 2 * this.periodTimeMs)) {
      throw new AudioError(AudioErrorCode.Config, `playback buffer (${this.bufferTimeMs} ms) must hold at least two periods of ${this.periodTimeMs} ms`);
    }
    if (!(this.maxLatencyMs >= this.bufferTimeMs + AUDIO_FRAME_MS)) {
      throw new AudioError(
        AudioErrorCode.Config,
        `playback maxLatencyMs (${this.maxLatencyMs}) must be at least the buffer time plus one frame (${this.bufferTimeMs + AUDIO_FRAME_MS} ms)`,
      );
    }
    this.estimate = new PlaybackQueueEstimate(this.maxLatencyMs, this.bufferTimeMs);
    this.settleMs = options.settleMs ?? 300;
    this.command = options.command ?? 'aplay';
    this.env = options.env;
    this.spawnPlayer = options.spawnPlayer ?? defaultSpawn;
    this.time = options.timeSource ?? systemTimeSource;
    this.logger = (options.logger ?? silentLogger).child({ component: 'audio-playback' });
    this.supervisor = new DeviceSupervisor({
      name: `playback ${this.device}`,
      open: (attempt) => this.open(attempt),
      release: () => this.release(),
      onState: (state) => this.emit('state', state),
      onError: (error) => this.emit('error', error),
      backoff: options.backoff,
      stableMs: options.stableMs,
      timeSource: this.time,
      logger: this.logger,
    });
  }

  get state(): AudioDeviceState {
    return this.supervisor.state;
  }

  /** Frames handed to the player, dropped while it was down or to bound latency, and underruns it reported. */
  get stats(): Readonly<typeof this.counters> {
    return { ...this.counters };
  }

  /** Estimated audio between write() and the loudspeaker, ms. */
  get queuedMs(): number {
    return this.estimate.queuedMs;
  }

  /** The aplay arguments used for the device. */
  get playerArgs(): string[] {
    return [
      '-t', 'raw', '-f', 'S16_LE', '-r', String(AUDIO_SAMPLE_RATE), '-c', '1',
      '-D', this.device,
      `--buffer-time=${Math.round(this.bufferTimeMs * 1000)}`,
      `--period-time=${Math.round(this.periodTimeMs * 1000)}`,
      '-',
    ];
  }

  start(): void {
    this.supervisor.start();
  }

  write(frame: Int16Array): void {
    const player = this.player;
    const stdin = player?.child.stdin;
    // `writable` also turns false at end() and destroy(): the descriptor may be closed (and its number reused).
    if (!player || player.exited || !stdin || stdin.destroyed || !stdin.writable) {
      this.counters.droppedWhileDown++;
      return;
    }
    const frameMs = (frame.length * 1000) / AUDIO_SAMPLE_RATE;
    // The pipe's own buffer must never hold more than the bound either (a wrong estimate).
    if (stdin.writableLength > this.maxLatencyMs * BYTES_PER_MS || !this.estimate.admit(this.time.now(), frameMs)) {
      this.counters.droppedForLatency++;
      return;
    }
    const fd = player.stdinFd;
    if (fd !== undefined) {
      // One system call, copied by the kernel before it returns: none of the stream machinery
      // (write request, callback, next-tick) per frame, and no copy of the frame for unity gain.
      const bytes = pcmToLittleEndian(this.gain.unity ? frame : this.gain.process(frame));
      let written: number;
      try {
        written = writeSync(fd, bytes);
      } catch (error) {
        // EAGAIN: the socket buffer is full (the estimate is off); EPIPE: the player is gone (its exit reports it).
        if ((error as NodeJS.ErrnoException).code === 'EAGAIN') this.counters.droppedForLatency++;
        else this.counters.droppedWhileDown++;
        return;
      }
      this.counters.framesWritten++;
      if (written === bytes.length) return;
      // A partial write would misalign the samples: the rest, and all that follows, go by the stream.
      player.stdinFd = undefined;
      stdin.write(Buffer.from(bytes.subarray(written)));
      return;
    }
    // One copy (the gain's fresh array, viewed as little-endian bytes): the pipe may hold the
    // bytes after write() returns, and the caller may reuse its frame.
    stdin.write(pcmToLittleEndian(this.gain.process(frame)));
    this.counters.framesWritten++;
  }

  /**
   * Lets the player play out what it holds (stdin is ended, aplay drains and exits —
   * at most the latency bound), then stops it for good. Idempotent.
   */
  close(): Promise<void> {
    this.closing ??= this.shutdown();
    return this.closing;
  }

  private async shutdown(): Promise<void> {
    const player = this.player;
    // Detached first, so its exit is not taken for a failure to retry.
    this.player = undefined;
    this.supervisor.close();
    if (player) {
      if (player.settleTimer !== undefined) this.time.clearTimeout(player.settleTimer);
      if (!player.exited) {
        player.child.stdin?.end();
        await this.within(player.exit, this.maxLatencyMs + DRAIN_SLACK_MS);
      }
      this.stop(player);
    }
    await this.within(Promise.all(this.exits).then(() => undefined), CLOSE_WAIT_MS);
  }

  private within(promise: Promise<void>, ms: number): Promise<void> {
    return new Promise<void>((resolve) => {
      const timer = this.time.setTimeout(resolve, ms);
      void promise.then(() => {
        this.time.clearTimeout(timer);
        resolve();
      });
    });
  }

  private open(attempt: DeviceAttempt): void {
    let child: ChildProcess;
    try {
      child = this.spawnPlayer(this.command, this.playerArgs, this.env ?? process.env);
    } catch (error) {
      throw this.spawnError(error);
    }
    let markExited!: () => void;
    const exit = new Promise<void>((resolve) => (markExited = resolve));
    const player: Player = { child, attempt, stderrTail: [], settleTimer: undefined, exited: false, exit, stdinFd: stdinDescriptor(child) };
    this.player = player;
    this.exits.add(exit);
    void exit.then(() => this.exits.delete(exit));
    this.estimate.resync(this.time.now());

    const live = () => this.player === player;
    const onGone = () => {
      if (player.exited) return;
      player.exited = true;
      markExited();
    };
    child.on('error', (error) => {
      onGone();
      if (live()) attempt.failed(this.spawnError(error));
    });
    child.on('exit', onGone);
    // 'close' comes after stderr has ended, so its last line (the reason) has been read.
    child.on('close', (code, signal) => {
      onGone();
      if (!live()) return;
      const why = player.stderrTail.at(-1) ?? (signal ? `killed by ${signal}` : `exit code ${code}`);
      attempt.failed(new AudioError(AudioErrorCode.Device, `${this.command} on playback device '${this.device}' exited: ${why}`));
    });
    // A player that died mid-write reports EPIPE here; its 'exit' does the reporting.
    child.stdin?.on('error', () => undefined);
    child.stderr?.setEncoding('utf8');
    let partial = '';
    child.stderr?.on('data', (text: string) => {
      const lines = (partial + text).split('\n');
      partial = lines.pop() ?? '';
      for (const line of lines) this.onPlayerLine(player, line.trim());
    });
    player.settleTimer = this.time.setTimeout(() => {
      player.settleTimer = undefined;
      if (live() && !player.exited) attempt.running();
    }, this.settleMs);
  }

  private onPlayerLine(player: Player, line: string): void {
    if (line === '') return;
    if (/underrun/i.test(line)) {
      // aplay recovers by itself; our queue model must restart from empty too.
      this.counters.underruns++;
      if (this.player === player) this.estimate.resync(this.time.now());
      this.logger.debug('playback underrun', { device: this.device, detail: line });
      return;
    }
    if (line.startsWith('Playing ')) return;
    player.stderrTail.push(line);
    if (player.stderrTail.length > 5) player.stderrTail.shift();
    this.logger.debug('player says', { device: this.device, line });
  }

  private release(): void {
    const player = this.player;
    this.player = undefined;
    if (player) this.stop(player);
  }

  /** Ends a player now: SIGTERM, and SIGKILL if it is still there after a grace time. */
  private stop(player: Player): void {
    if (player.settleTimer !== undefined) this.time.clearTimeout(player.settleTimer);
    player.settleTimer = undefined;
    player.child.stdin?.destroy();
    if (player.exited) return;
    player.child.kill('SIGTERM');
    const killTimer = this.time.setTimeout(() => {
      if (!player.exited) player.child.kill('SIGKILL');
    }, KILL_GRACE_MS);
    void player.exit.then(() => this.time.clearTimeout(killTimer));
  }

  private spawnError(error: unknown): AudioError {
    const err = toError(error);
    if ((err as NodeJS.ErrnoException).code === 'ENOENT') {
      return new AudioError(AudioErrorCode.Program, `cannot run '${this.command}' (not installed?); install it with: apt install alsa-utils`, { cause: err });
    }
    return new AudioError(AudioErrorCode.Device, `cannot start '${this.command}': ${err.message}`, { cause: err });
  }
}

/**
 * The file descriptor of a spawned child's stdin (a non-blocking socket on Unix), if Node
 * exposes it (`_handle.fd`, not a documented API): undefined otherwise, and the sink
 * writes through the stream instead.
 */
function stdinDescriptor(child: ChildProcess): number | undefined {
  const fd = (child.stdin as unknown as { _handle?: { fd?: unknown } } | null)?._handle?.fd;
  return typeof fd === 'number' && Number.isInteger(fd) && fd >= 0 ? fd : undefined;
}
