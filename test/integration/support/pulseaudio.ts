import { spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { setTimeout as delay } from 'node:timers/promises';
import { PortierError } from '../../../src/util/portier-error.js';
import { OutputBuffer, PeerProcess } from './peer-process.js';
import { reapOrphans } from './process-reaper.js';

const DIR_PREFIX = 'portier-pulse-';

/** Options of startPulseAudio. */
export interface PulseAudioOptions {
  /** Name of the null sink; its monitor source is `<sinkName>.monitor`. Default `portier_null`. */
  sinkName?: string;
  /** Sample rate of the null sink (and so of its monitor). Default 8000. */
  rate?: number;
  /** Channels of the null sink. Default 1. */
  channels?: number;
  /** How long to wait for the daemon to answer. Default 10 s. */
  startTimeoutMs?: number;
}

/**
 * A private PulseAudio daemon with one null sink, reachable from ALSA as device `pulse`
 * (the alsa-plugins `pulse` PCM): playback to `pulse` goes to the null sink, capture from
 * `pulse` reads its monitor (both set as the defaults), so what is played comes back.
 */
export interface PulseAudioInstance {
  /**
   * Environment for clients (aplay, arecord, the in-process alsa-capture thread):
   * PULSE_SERVER, PULSE_COOKIE, PULSE_CLIENTCONFIG (no autospawn). Merge into a child's
   * env, or apply to process.env with applyEnv() for in-process ALSA.
   */
  readonly env: Readonly<Record<string, string>>;
  /** The ALSA PCM name to use: `pulse`. */
  readonly alsaDevice: string;
  readonly sinkName: string;
  readonly monitorSource: string;
  /** Work dir (runtime socket, config, cookie); removed by stop(). */
  readonly dir: string;
  readonly pid: number | undefined;
  /** Everything the daemon printed, across restarts. */
  logs(): string;
  /** Sets `env` on process.env; returns a function that restores the previous values. */
  applyEnv(): () => void;
  /** Sends a signal to the daemon (SIGKILL to make the "sound card" disappear). */
  kill(signal?: NodeJS.Signals): void;
  /** Starts the daemon again on the same socket (after kill()). */
  restart(): Promise<void>;
  /** Terminates the daemon, waits until it is gone, removes the work dir. Idempotent. */
  stop(): Promise<void>;
}

/** PulseAudio did not start or did not answer in time; the message ends with its log. */
export class PulseAudioStartError extends PortierError {
  constructor(message: string) {
    super('PORTIER_ERR_TEST_PULSEAUDIO', message);
  }
}

/**
 * Why PulseAudio-backed ALSA tests cannot run here, or undefined when they can:
 * the `pulseaudio` daemon, `pactl`, aplay, or the ALSA pulse plugin is missing.
 */
export function pulseAudioUnavailableReason(): string | undefined {
  for (const [program, pkg] of [['pulseaudio', 'pulseaudio'], ['pactl', 'pulseaudio-utils'], ['aplay', 'alsa-utils']] as const) {
    const probe = spawnSync(program, ['--version'], { stdio: 'ignore' });
    if (probe.error) return `'${program}' is not installed (apt install ${pkg})`;
  }
  const pluginDirs = ['/usr/lib/x86_64-linux-gnu/alsa-lib', '/usr/lib/aarch64-linux-gnu/alsa-lib', '/usr/lib/arm-linux-gnueabihf/alsa-lib', '/usr/lib/alsa-lib', '/usr/lib64/alsa-lib'];
  if (!pluginDirs.some((d) => existsSync(join(d, 'libasound_module_pcm_pulse.so')))) {
    return "ALSA's pulse plugin is not installed (apt install libasound2-plugins)";
  }
  return undefined;
}

/** Starts a private PulseAudio daemon (works as root: it runs per-user with its own HOME and runtime dir). */
export async function startPulseAudio(options: PulseAudioOptions = {}): Promise<PulseAudioInstance> {
  const instance = new PulseAudioDaemon(options);
  try {
    await instance.launch();
  } catch (error) {
    await instance.stop();
    throw error;
  }
  return instance;
}

class PulseAudioDaemon implements PulseAudioInstance {
  readonly dir: string;
  readonly sinkName: string;
  readonly monitorSource: string;
  readonly alsaDevice = 'pulse';
  readonly env: Readonly<Record<string, string>>;
  private readonly daemonEnv: Record<string, string>;
  private readonly socket: string;
  private readonly script: string;
  private readonly output = new OutputBuffer();
  private readonly startTimeoutMs: number;
  private proc: PeerProcess | undefined;
  private stopped: Promise<void> | undefined;

  constructor(options: PulseAudioOptions) {
    reapOrphans(DIR_PREFIX);
    this.dir = mkdtempSync(join(tmpdir(), DIR_PREFIX));
    this.sinkName = options.sinkName ?? 'portier_null';
    if (!/^[A-Za-z0-9_]+$/.test(this.sinkName)) throw new PulseAudioStartError(`sink name '${this.sinkName}' must be a word`);
    this.monitorSource = `${this.sinkName}.monitor`;
    this.startTimeoutMs = options.startTimeoutMs ?? 10_000;
    const runtime = join(this.dir, 'run');
    const config = join(this.dir, 'config');
    mkdirSync(runtime, { mode: 0o700 });
    mkdirSync(join(config, 'pulse'), { recursive: true, mode: 0o700 });
    this.socket = join(runtime, 'native');
    this.script = join(this.dir, 'portier.pa');
    const rate = options.rate ?? 8000;
    const channels = options.channels ?? 1;
    // -n skips default.pa: only a native socket (anonymous, private dir) and the null sink.
    writeFileSync(
      this.script,
      [
        `load-module module-native-protocol-unix socket=${this.socket} auth-anonymous=1`,
        `load-module module-null-sink sink_name=${this.sinkName} format=s16le rate=${rate} channels=${channels}`,
        `set-default-sink ${this.sinkName}`,
        `set-default-source ${this.monitorSource}`,
        '',
      ].join('\n'),
    );
    const clientConfig = join(this.dir, 'client.conf');
    writeFileSync(clientConfig, 'autospawn = no\n');
    const cookie = join(config, 'pulse', 'cookie');
    // As root, pulseaudio runs as a per-user daemon only with its own HOME/XDG dirs (no D-Bus, no systemd).
    this.daemonEnv = {
      HOME: this.dir,
      XDG_RUNTIME_DIR: runtime,
      XDG_CONFIG_HOME: config,
      PULSE_RUNTIME_PATH: runtime,
      PULSE_STATE_PATH: join(this.dir, 'state'),
      PULSE_COOKIE: cookie,
    };
    this.env = { PULSE_SERVER: `unix:${this.socket}`, PULSE_COOKIE: cookie, PULSE_CLIENTCONFIG: clientConfig };
    writeFileSync(join(this.dir, 'owner.pid'), `${process.pid}\n`);
  }

  get pid(): number | undefined {
    return this.proc && this.proc.exit === undefined ? this.proc.pid : undefined;
  }

  logs(): string {
    return this.output.toString();
  }

  applyEnv(): () => void {
    const previous = Object.fromEntries(Object.keys(this.env).map((k) => [k, process.env[k]]));
    Object.assign(process.env, this.env);
    return () => {
      for (const [k, v] of Object.entries(previous)) {
        if (v === undefined) delete process.env[k];
        else process.env[k] = v;
      }
    };
  }

  kill(signal: NodeJS.Signals = 'SIGKILL'): void {
    this.proc?.signal(signal);
  }

  async restart(): Promise<void> {
    if (this.proc) await this.proc.terminate('SIGTERM', 2000);
    rmSync(this.socket, { force: true });
    await this.launch();
  }

  async launch(): Promise<void> {
    const args = [
      ...Object.entries(this.daemonEnv).map(([k, v]) => `${k}=${v}`),
      'pulseaudio',
      '--daemonize=no',
      '--system=false',
      '--exit-idle-time=-1',
      '--disallow-exit',
      '--use-pid-file=false',
      '--realtime=false',
      '--high-priority=false',
      '-n',
      '-F',
      this.script,
      '--log-target=stderr',
      '--log-level=notice',
    ];
    // `env VAR=… pulseaudio`: the harness's PeerProcess inherits our env, and `env` execs in place.
    this.proc = new PeerProcess('env', args, { cwd: this.dir, mirror: this.output });
    writeFileSync(join(this.dir, 'group.pid'), `${this.proc.pid}\n`);
    const deadline = Date.now() + this.startTimeoutMs;
    for (;;) {
      if (this.proc.exit !== undefined) throw this.startError(`pulseaudio exited (${JSON.stringify(this.proc.exit)})`);
      const info = spawnSync('pactl', ['info'], { env: { ...process.env, ...this.env }, encoding: 'utf8', timeout: 2000 });
      if (info.status === 0 && info.stdout.includes(`Default Source: ${this.monitorSource}`)) return;
      if (Date.now() > deadline) throw this.startError(`pulseaudio did not answer within ${this.startTimeoutMs} ms`);
      await delay(100);
    }
  }

  stop(): Promise<void> {
    this.stopped ??= (async () => {
      if (this.proc) await this.proc.terminate('SIGTERM', 2000);
      rmSync(this.dir, { recursive: true, force: true });
    })();
    return this.stopped;
  }

  private startError(reason: string): PulseAudioStartError {
    return new PulseAudioStartError(`${reason}\n--- pulseaudio log ---\n${this.logs()}`);
  }
}
