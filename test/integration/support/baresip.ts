import { spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { connect, type Socket } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { setTimeout as delay } from 'node:timers/promises';
import { readWav } from '../../../src/media/wav/wav-reader.js';
import { encodeWav } from '../../../src/media/wav/wav-writer.js';
import { PortierError } from '../../../src/util/portier-error.js';
import { OutputBuffer, PeerProcess } from './peer-process.js';
import { reapOrphans } from './process-reaper.js';

/**
 * What baresip sends as its microphone, through its `aufile` module: a generated sine
 * (written to an 8 kHz mono WAV first; baresip 1.0.0's `ausine` only runs at 48 kHz) or
 * a given 8 kHz mono WAV file. aufile stops the source at the end of the file.
 */
export type BaresipAudioSource = { sineHz: number; seconds?: number; amplitude?: number } | { wavPath: string };

/** How to run one baresip 1.0.0 user agent. */
export interface BaresipOptions {
  /** SIP UDP port on 127.0.0.1 (Portier's tests: 36400–36449). */
  sipPort: number;
  /** ctrl_tcp port on 127.0.0.1 (36450–36499). */
  ctrlPort: number;
  /** RTP port range (even start; baresip takes pairs). */
  rtpPorts: { min: number; max: number };
  /** Account user and domain: the AOR is `sip:<user>@<domain>`. */
  user: string;
  domain: string;
  /** Digest password; without it baresip does not register (regint=0). */
  password?: string;
  /** Outbound proxy (e.g. Kamailio's `sip:127.0.0.1:35400`): REGISTER and calls go there. */
  outboundProxy?: string;
  /** `auto` answers every call at once; `manual` (default) rings until `accept`. */
  answerMode?: 'auto' | 'manual';
  /** Default: a 440 Hz sine. */
  source?: BaresipAudioSource;
  /**
   * Where baresip plays what it receives (`audio_player`). Default `alsa,null`: no sound
   * card needed, but ALSA's null PCM never blocks, so baresip's player thread spins on a
   * core during calls; use a paced device (e.g. `alsa,pulse` with PulseAudio) to measure it.
   */
  player?: string;
  /** Audio codecs offered, in order (default PCMU then PCMA). */
  codecs?: Array<'PCMU' | 'PCMA'>;
  /** Extra account parameters (`;key=value` without the leading `;`). */
  accountParams?: string[];
  /** Extra config lines. */
  extraConfig?: string[];
  /** Print SIP messages to the log (-s). Default true: the log is attached to failures. */
  sipTrace?: boolean;
  /** How long to wait for the ctrl_tcp socket to accept. Default 10 s. */
  startTimeoutMs?: number;
}

/** An event baresip's ctrl_tcp module reported (`type` e.g. CALL_ESTABLISHED, CALL_DTMF_START). */
export interface BaresipEvent {
  type: string;
  class: string;
  accountaor?: string;
  direction?: 'incoming' | 'outgoing';
  peeruri?: string;
  id?: string;
  param?: string;
  /** performance.now() when it arrived. */
  at: number;
}

/** A ctrl_tcp command's answer. */
export interface BaresipResponse {
  ok: boolean;
  data: string;
}

/** A running baresip. */
export interface BaresipInstance {
  readonly pid: number;
  /** Work dir: config, accounts, recordings (`dump-*-dec.wav` heard, `dump-*-enc.wav` sent). */
  readonly dir: string;
  readonly aor: string;
  /** Everything baresip printed (stdout+stderr). */
  logs(): string;
  /** Events received so far. */
  events(): BaresipEvent[];
  /** Sends a long command (`dial`, `hangup`, `accept`, `sndcode`, …) and resolves with its answer. */
  command(command: string, params?: string, timeoutMs?: number): Promise<BaresipResponse>;
  /** Resolves with the first event (already received or coming) of `type` that satisfies `filter`. */
  waitForEvent(type: string, options?: { timeoutMs?: number; filter?: (e: BaresipEvent) => boolean; after?: number }): Promise<BaresipEvent>;
  /** Waits until the registrar answered 200 (REGISTER_OK). */
  waitRegistered(timeoutMs?: number): Promise<void>;
  /** The audio baresip decoded (`heard`) or encoded (`sent`) in its most recent call, 8 kHz mono. */
  recording(which: 'heard' | 'sent'): Int16Array;
  /** Terminates baresip and waits until it is gone; removes the work dir. Idempotent. */
  stop(): Promise<void>;
}

/** baresip could not start, or did not answer in time; the message ends with its log. */
export class BaresipError extends PortierError {
  constructor(message: string, logs: string) {
    super('PORTIER_TEST_ERR_BARESIP', `${message}\n--- baresip log (tail) ---\n${logs.slice(-6000)}`);
  }
}

const DIR_PREFIX = 'portier-baresip-';
const MODULE_PATH = '/usr/lib/baresip/modules';

/** Why baresip tests cannot run here (binary or needed modules missing), else undefined. */
export function baresipUnavailableReason(): string | undefined {
  const probe = spawnSync('baresip', ['-h'], { stdio: 'ignore', timeout: 5000 });
  if (probe.error) return "'baresip' is not installed (apt install baresip-core)";
  for (const mod of ['g711', 'aufile', 'alsa', 'sndfile', 'menu', 'ctrl_tcp', 'account']) {
    if (!existsSync(join(MODULE_PATH, `${mod}.so`))) return `baresip module ${mod}.so is missing in ${MODULE_PATH}`;
  }
  return undefined;
}

/** Renders the `config` file of a baresip run. */
export function renderBaresipConfig(options: BaresipOptions, dir: string): string {
  const source = options.source ?? { sineHz: 440 };
  const sourceLine = `aufile,${'sineHz' in source ? join(dir, 'source.wav') : source.wavPath}`;
  return [
    'poll_method epoll',
    `sip_listen 127.0.0.1:${options.sipPort}`,
    // SDP and Contact carry the loopback address, not the host's external one.
    'net_interface 127.0.0.1',
    'call_local_timeout 120',
    'call_max_calls 4',
    `audio_source ${sourceLine}`,
    `audio_player ${options.player ?? 'alsa,null'}`,
    `audio_alert ${options.player ?? 'alsa,null'}`,
    'ausrc_srate 8000',
    'auplay_srate 8000',
    'ausrc_channels 1',
    'auplay_channels 1',
    'audio_buffer 20-160',
    `rtp_ports ${options.rtpPorts.min}-${options.rtpPorts.max}`,
    'rtcp_mux no',
    'jitter_buffer_delay 1-10',
    `module_path ${MODULE_PATH}`,
    'module g711.so',
    'module aufile.so',
    'module alsa.so',
    // The sndfile filter dumps decoded (heard) and encoded (sent) audio of each call as WAV.
    'module sndfile.so',
    `snd_path ${dir}`,
    'module_tmp account.so',
    'module_app menu.so',
    'module_app ctrl_tcp.so',
    `ctrl_tcp_listen 127.0.0.1:${options.ctrlPort}`,
    ...(options.extraConfig ?? []),
    '',
  ].join('\n');
}

/** Renders the `accounts` file: one account line. */
export function renderBaresipAccount(options: BaresipOptions): string {
  const params: string[] = [];
  if (options.password !== undefined) params.push(`auth_pass=${options.password}`);
  else params.push('regint=0');
  if (options.outboundProxy !== undefined) params.push(`outbound="${options.outboundProxy}"`);
  params.push(`answermode=${options.answerMode ?? 'manual'}`);
  params.push(`audio_codecs=${(options.codecs ?? ['PCMU', 'PCMA']).join(',')}`);
  params.push(...(options.accountParams ?? []));
  return `<sip:${options.user}@${options.domain}>;${params.join(';')}\n`;
}

/** Starts baresip with a generated config and connects to its ctrl_tcp socket. */
export async function startBaresip(options: BaresipOptions): Promise<BaresipInstance> {
  reapOrphans(DIR_PREFIX);
  const instance = new BaresipProcess(options);
  try {
    await instance.start(options.startTimeoutMs ?? 10_000);
  } catch (error) {
    await instance.stop();
    throw error;
  }
  return instance;
}

class BaresipProcess implements BaresipInstance {
  readonly dir: string;
  readonly aor: string;
  private readonly output = new OutputBuffer();
  private proc: PeerProcess | undefined;
  private socket: Socket | undefined;
  private inbound = Buffer.alloc(0);
  private readonly received: BaresipEvent[] = [];
  private readonly eventWaiters = new Set<() => void>();
  private readonly pendingResponses: Array<(r: BaresipResponse) => void> = [];
  private stopping: Promise<void> | undefined;

  constructor(private readonly options: BaresipOptions) {
    this.dir = mkdtempSync(join(tmpdir(), DIR_PREFIX));
    this.aor = `sip:${options.user}@${options.domain}`;
    writeFileSync(join(this.dir, 'owner.pid'), `${process.pid}\n`);
    writeFileSync(join(this.dir, 'config'), renderBaresipConfig(options, this.dir));
    writeFileSync(join(this.dir, 'accounts'), renderBaresipAccount(options));
    writeFileSync(join(this.dir, 'contacts'), '');
    const source = options.source ?? { sineHz: 440 };
    if ('sineHz' in source) writeFileSync(join(this.dir, 'source.wav'), sineWav(source.sineHz, source.seconds ?? 180, source.amplitude ?? 8000));
  }

  get pid(): number {
    return this.proc?.pid ?? -1;
  }

  logs(): string {
    return this.output.toString();
  }

  events(): BaresipEvent[] {
    return [...this.received];
  }

  async start(timeoutMs: number): Promise<void> {
    const args = ['-f', this.dir, ...(this.options.sipTrace === false ? [] : ['-s'])];
    this.proc = new PeerProcess('baresip', args, { cwd: this.dir, mirror: this.output });
    writeFileSync(join(this.dir, 'group.pid'), `${this.proc.pid}\n`);
    const deadline = Date.now() + timeoutMs;
    for (;;) {
      if (this.proc.exit !== undefined) throw new BaresipError(`baresip exited during start-up (${JSON.stringify(this.proc.exit)})`, this.logs());
      // ctrl_tcp listens once the modules are loaded; only one client gets the events.
      const socket = await tryConnect(this.options.ctrlPort);
      if (socket) {
        this.attach(socket);
        return;
      }
      if (Date.now() > deadline) throw new BaresipError(`ctrl_tcp on 127.0.0.1:${this.options.ctrlPort} did not accept within ${timeoutMs} ms`, this.logs());
      await delay(50);
    }
  }

  command(command: string, params?: string, timeoutMs = 5000): Promise<BaresipResponse> {
    const socket = this.socket;
    if (!socket) return Promise.reject(new BaresipError('not connected to ctrl_tcp', this.logs()));
    const body = Buffer.from(JSON.stringify(params === undefined ? { command } : { command, params }), 'utf8');
    return new Promise((resolve, reject) => {
      const timer = setTimeout(() => {
        const i = this.pendingResponses.indexOf(done);
        if (i >= 0) this.pendingResponses.splice(i, 1);
        reject(new BaresipError(`no answer to '${command}' within ${timeoutMs} ms`, this.logs()));
      }, timeoutMs);
      const done = (r: BaresipResponse): void => {
        clearTimeout(timer);
        resolve(r);
      };
      this.pendingResponses.push(done);
      socket.write(Buffer.concat([Buffer.from(`${body.length}:`), body, Buffer.from(',')]));
    });
  }

  waitForEvent(
    type: string,
    options: { timeoutMs?: number; filter?: (e: BaresipEvent) => boolean; after?: number } = {},
  ): Promise<BaresipEvent> {
    const timeoutMs = options.timeoutMs ?? 10_000;
    const match = (e: BaresipEvent): boolean => e.type === type && (options.after === undefined || e.at >= options.after) && (options.filter?.(e) ?? true);
    const found = this.received.find(match);
    if (found) return Promise.resolve(found);
    return new Promise((resolve, reject) => {
      const check = (): void => {
        const hit = this.received.find(match);
        if (!hit) return;
        this.eventWaiters.delete(check);
        clearTimeout(timer);
        resolve(hit);
      };
      const timer = setTimeout(() => {
        this.eventWaiters.delete(check);
        const seen = this.received.map((e) => `${e.type}${e.param ? `(${e.param})` : ''}`).join(', ');
        reject(new BaresipError(`no ${type} event within ${timeoutMs} ms; events: ${seen}`, this.logs()));
      }, timeoutMs);
      this.eventWaiters.add(check);
    });
  }

  async waitRegistered(timeoutMs = 10_000): Promise<void> {
    const deadline = Date.now() + timeoutMs;
    // REGISTER_OK may precede our ctrl_tcp connection; baresip also logs "200 OK … binding".
    while (!this.received.some((e) => e.type === 'REGISTER_OK') && !/\{0\/UDP\/v4\} 200 OK/.test(this.logs())) {
      if (this.received.some((e) => e.type === 'REGISTER_FAIL')) throw new BaresipError('registration failed', this.logs());
      if (Date.now() > deadline) throw new BaresipError(`not registered within ${timeoutMs} ms`, this.logs());
      await delay(50);
    }
  }

  recording(which: 'heard' | 'sent'): Int16Array {
    const suffix = which === 'heard' ? '-dec.wav' : '-enc.wav';
    const files = readdirSync(this.dir)
      .filter((f) => f.startsWith('dump-') && f.endsWith(suffix))
      .sort();
    const latest = files.at(-1);
    if (latest === undefined) throw new BaresipError(`no ${which} recording (dump-*${suffix}) in ${this.dir}`, this.logs());
    const wav = readWav(readFileSync(join(this.dir, latest)));
    if (wav.sampleRate !== 8000) throw new BaresipError(`recording ${latest} is at ${wav.sampleRate} Hz, expected 8000`, this.logs());
    return wav.samples;
  }

  stop(): Promise<void> {
    this.stopping ??= (async () => {
      this.socket?.destroy();
      this.socket = undefined;
      if (this.proc) await this.proc.terminate('SIGTERM', 2000);
      rmSync(this.dir, { recursive: true, force: true });
    })();
    return this.stopping;
  }

  private attach(socket: Socket): void {
    this.socket = socket;
    socket.on('data', (chunk: Buffer) => {
      this.inbound = Buffer.concat([this.inbound, chunk]);
      this.drain();
    });
    socket.on('error', () => undefined);
  }

  /** Splits netstrings (`<len>:<json>,`) off the stream. */
  private drain(): void {
    for (;;) {
      const colon = this.inbound.indexOf(0x3a);
      if (colon < 0) return;
      const length = Number.parseInt(this.inbound.subarray(0, colon).toString('latin1'), 10);
      if (!Number.isInteger(length) || length < 0) {
        this.output.append(`--- harness: bad netstring header ${JSON.stringify(this.inbound.subarray(0, colon).toString('latin1'))} ---\n`);
        this.inbound = Buffer.alloc(0);
        return;
      }
      const end = colon + 1 + length;
      if (this.inbound.length < end + 1) return;
      const json = this.inbound.subarray(colon + 1, end).toString('utf8');
      this.inbound = this.inbound.subarray(end + 1);
      this.handle(json);
    }
  }

  private handle(json: string): void {
    let message: Record<string, unknown>;
    try {
      message = JSON.parse(json) as Record<string, unknown>;
    } catch {
      this.output.append(`--- harness: unreadable ctrl_tcp message ${json} ---\n`);
      return;
    }
    if (message['response'] === true) {
      this.pendingResponses.shift()?.({ ok: message['ok'] === true, data: String(message['data'] ?? '') });
      return;
    }
    if (message['event'] === true || message['event'] === 'true') {
      const event: BaresipEvent = { type: String(message['type']), class: String(message['class']), at: performance.now() };
      for (const key of ['accountaor', 'direction', 'peeruri', 'id', 'param'] as const) {
        const value = message[key];
        if (typeof value === 'string') (event as unknown as Record<string, string>)[key] = value;
      }
      this.received.push(event);
      for (const waiter of [...this.eventWaiters]) waiter();
    }
  }
}

/** An 8 kHz mono 16-bit WAV of a steady sine. */
export function sineWav(hz: number, seconds: number, amplitude: number): Buffer {
  const samples = new Int16Array(Math.round(seconds * 8000));
  for (let n = 0; n < samples.length; n++) samples[n] = Math.round(amplitude * Math.sin((2 * Math.PI * hz * n) / 8000));
  return encodeWav(samples, 8000);
}

function tryConnect(port: number): Promise<Socket | undefined> {
  return new Promise((resolve) => {
    const socket = connect({ host: '127.0.0.1', port });
    socket.once('connect', () => {
      socket.removeAllListeners('error');
      resolve(socket);
    });
    socket.once('error', () => {
      socket.destroy();
      resolve(undefined);
    });
  });
}
