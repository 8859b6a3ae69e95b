import { randomBytes } from 'node:crypto';
import { createSocket } from 'node:dgram';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { connect as netConnect } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { setTimeout as delay } from 'node:timers/promises';
import { connect as tlsConnect } from 'node:tls';
import { PortierError } from '../../../src/util/portier-error.js';
import {
  renderKamailioConfig,
  renderKamailioTlsConfig,
  validateKamailioOptions,
  type KamailioConfigOptions,
} from './kamailio-config.js';
import { OutputBuffer, PeerProcess } from './peer-process.js';
import { reapOrphans } from './process-reaper.js';

export type { KamailioUser, KamailioTlsFiles } from './kamailio-config.js';

/** Options of startKamailio: the generated config's options plus harness timing. */
export interface KamailioOptions extends KamailioConfigOptions {
  /** How long to wait for every listener to answer (default 15 s). */
  startTimeoutMs?: number;
}

/** Transport names as they appear in a SIP URI's `transport` parameter. */
export type KamailioTransport = 'udp' | 'tcp' | 'tls';

/** The listening ports of a running Kamailio (only those that were configured). */
export interface KamailioPorts {
  udp?: number;
  tcp?: number;
  tls?: number;
}

/** A running Kamailio proxy/registrar started by the harness. */
export interface KamailioInstance {
  readonly ports: KamailioPorts;
  /** SIP domain and digest realm. */
  readonly domain: string;
  /** Loopback address the listeners use ("127.0.0.1"; "::1" too when ipv6 is on). */
  readonly host: string;
  /** Work dir with kamailio.cfg (and tls.cfg); removed by stop(). */
  readonly dir: string;
  /** The generated kamailio.cfg text. */
  readonly config: string;
  /** Pid of the main process (also its process-group id), or undefined when not running. */
  readonly pid: number | undefined;
  /** Everything Kamailio printed (stdout+stderr) since startKamailio, across restarts. */
  logs(): string;
  /** Proxy URI to send requests to, e.g. `sip:127.0.0.1:35061;transport=tcp`. */
  proxyUri(transport?: KamailioTransport, ipv6?: boolean): string;
  /** Address-of-record of a user in this domain, e.g. `sip:alice@127.0.0.1`. */
  aor(username: string): string;
  /** Terminates Kamailio and its children, waits until they are gone, removes the work dir. Idempotent. */
  stop(): Promise<void>;
  /** Sends a signal to Kamailio's whole process group (SIGKILL to crash it, SIGSTOP/SIGCONT to hang it). */
  kill(signal?: NodeJS.Signals): void;
  /** Stops (if running) and starts again with the same config; usrloc is in memory, so bindings are lost. */
  restart(): Promise<void>;
}

/** Raised when Kamailio cannot be started or does not become ready; carries its log tail. */
export class KamailioStartError extends PortierError {
  constructor(message: string, readonly logs: string) {
    super('PORTIER_TEST_ERR_KAMAILIO_START', `${message}\n--- kamailio log (tail) ---\n${logs.slice(-6000)}`);
  }
}

const DIR_PREFIX = 'portier-kamailio-';

/** Starts Kamailio with a generated config and resolves once every listener answers. */
export async function startKamailio(options: KamailioOptions): Promise<KamailioInstance> {
  validateKamailioOptions(options);
  reapOrphans(DIR_PREFIX);
  const server = new KamailioServer(options);
  try {
    await server.start();
  } catch (error) {
    await server.stop();
    throw error;
  }
  return server;
}

/**
 * Renders the config for `options` and runs `kamailio -c` on it (no sockets are bound):
 * a quick way to prove an option combination yields a valid config.
 */
export async function checkKamailioConfig(options: KamailioOptions): Promise<{ ok: boolean; output: string }> {
  validateKamailioOptions(options);
  const dir = mkdtempSync(join(tmpdir(), 'portier-kamailio-check-'));
  try {
    const tlsPath = join(dir, 'tls.cfg');
    if (options.tls !== undefined) writeFileSync(tlsPath, renderKamailioTlsConfig(options.tls));
    writeFileSync(join(dir, 'kamailio.cfg'), renderKamailioConfig(options, tlsPath));
    const proc = new PeerProcess('kamailio', ['-c', '-f', join(dir, 'kamailio.cfg'), '-Y', dir, '-E'], { cwd: dir });
    const exit = await proc.exited;
    return { ok: exit.code === 0, output: proc.stdout.toString() + proc.stderr.toString() };
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

class KamailioServer implements KamailioInstance {
  readonly ports: KamailioPorts;
  readonly domain: string;
  readonly host = '127.0.0.1';
  readonly dir: string;
  readonly config: string;
  private readonly tlsConfig: string | undefined;
  private readonly output = new OutputBuffer();
  private process: PeerProcess | undefined;
  private generation = 0;

  constructor(private readonly options: KamailioOptions) {
    this.domain = options.domain ?? '127.0.0.1';
    this.ports = {};
    if (options.udpPort !== undefined) this.ports.udp = options.udpPort;
    if (options.tcpPort !== undefined) this.ports.tcp = options.tcpPort;
    if (options.tlsPort !== undefined) this.ports.tls = options.tlsPort;
    this.dir = mkdtempSync(join(tmpdir(), DIR_PREFIX));
    const tlsPath = join(this.dir, 'tls.cfg');
    this.tlsConfig = options.tls !== undefined && options.tlsPort !== undefined ? renderKamailioTlsConfig(options.tls) : undefined;
    this.config = renderKamailioConfig(options, tlsPath);
  }

  get pid(): number | undefined {
    return this.process !== undefined && this.process.exit === undefined ? this.process.pid : undefined;
  }

  logs(): string {
    return this.output.toString();
  }

  proxyUri(transport: KamailioTransport = 'udp', ipv6 = false): string {
    const port = this.ports[transport];
    if (port === undefined) throw new PortierError('PORTIER_TEST_ERR_KAMAILIO', `Kamailio has no ${transport} listener`);
    const host = ipv6 ? '[::1]' : this.host;
    return transport === 'udp' ? `sip:${host}:${port}` : `sip:${host}:${port};transport=${transport}`;
  }

  aor(username: string): string {
    return `sip:${username}@${this.domain}`;
  }

  async start(): Promise<void> {
    // stop() removes the dir; (re)write everything so restart() works after stop().
    this.generation += 1;
    // Same path on every run, so logs and file names stay stable across restarts.
    rmSync(this.dir, { recursive: true, force: true });
    mkdirSync(this.dir, { recursive: true });
    writeFileSync(join(this.dir, 'owner.pid'), `${process.pid}\n`);
    writeFileSync(join(this.dir, 'kamailio.cfg'), this.config);
    if (this.tlsConfig !== undefined) writeFileSync(join(this.dir, 'tls.cfg'), this.tlsConfig);
    this.output.append(`--- portier harness: starting kamailio (run ${this.generation}) ---\n`);
    // -DD: stay in the foreground (no daemonizing) but still fork workers; -E: log to stderr.
    // Running as root needs no -u/-g; -Y keeps the runtime dir (ctl sockets etc.) out of /run.
    const proc = new PeerProcess(
      'kamailio',
      [
        '-DD',
        '-E',
        '-f', join(this.dir, 'kamailio.cfg'),
        '-P', join(this.dir, 'kamailio.pid'),
        '-w', this.dir,
        '-Y', this.dir,
        '-m', '32',
        '-M', '4',
      ],
      { cwd: this.dir, mirror: this.output },
    );
    this.process = proc;
    writeFileSync(join(this.dir, 'group.pid'), `${proc.pid}\n`);
    await this.waitReady(proc, this.options.startTimeoutMs ?? 15_000);
  }

  private async waitReady(proc: PeerProcess, timeoutMs: number): Promise<void> {
    const deadline = Date.now() + timeoutMs;
    const hosts = this.options.ipv6 === true ? ['127.0.0.1', '::1'] : ['127.0.0.1'];
    const probes: Array<{ name: string; run: () => Promise<boolean> }> = [];
    for (const host of hosts) {
      const udp = this.ports.udp;
      const tcp = this.ports.tcp;
      const tls = this.ports.tls;
      if (udp !== undefined) probes.push({ name: `udp ${host}:${udp}`, run: () => probeUdp(host, udp, 500) });
      if (tcp !== undefined) probes.push({ name: `tcp ${host}:${tcp}`, run: () => probeTcp(host, tcp, 500) });
      if (tls !== undefined) probes.push({ name: `tls ${host}:${tls}`, run: () => probeTls(host, tls, 1000) });
    }
    const pending = new Set(probes);
    while (pending.size > 0) {
      if (proc.exit !== undefined) {
        throw new KamailioStartError(
          `kamailio exited during startup (code ${String(proc.exit.code)}, signal ${String(proc.exit.signal)})`,
          this.logs(),
        );
      }
      if (Date.now() > deadline) {
        const names = [...pending].map((p) => p.name).join(', ');
        throw new KamailioStartError(`kamailio not ready after ${timeoutMs} ms: ${names} not answering`, this.logs());
      }
      for (const probe of [...pending]) {
        if (await probe.run()) pending.delete(probe);
      }
      if (pending.size > 0) await delay(100);
    }
  }

  kill(signal: NodeJS.Signals = 'SIGKILL'): void {
    this.process?.signal(signal);
  }

  async stop(): Promise<void> {
    const proc = this.process;
    if (proc !== undefined) await proc.terminate('SIGTERM', 3000);
    rmSync(this.dir, { recursive: true, force: true });
  }

  async restart(): Promise<void> {
    const proc = this.process;
    if (proc !== undefined) await proc.terminate('SIGTERM', 3000);
    await this.start();
  }
}

/** Sends a SIP OPTIONS to the server itself and waits for any response. */
function probeUdp(host: string, port: number, timeoutMs: number): Promise<boolean> {
  return new Promise((resolve) => {
    const socket = createSocket(host.includes(':') ? 'udp6' : 'udp4');
    const finish = (ok: boolean): void => {
      clearTimeout(timer);
      socket.close();
      resolve(ok);
    };
    const timer = setTimeout(() => finish(false), timeoutMs);
    timer.unref();
    socket.on('error', () => finish(false));
    socket.on('message', (msg) => {
      if (msg.subarray(0, 8).toString('latin1') === 'SIP/2.0 ') finish(true);
    });
    socket.bind(0, host, () => {
      const local = socket.address();
      const bracketed = host.includes(':') ? `[${host}]` : host;
      const localHost = local.address.includes(':') ? `[${local.address}]` : local.address;
      const id = randomBytes(8).toString('hex');
      const request = [
        `OPTIONS sip:${bracketed}:${port} SIP/2.0`,
        `Via: SIP/2.0/UDP ${localHost}:${local.port};branch=z9hG4bK${id};rport`,
        'Max-Forwards: 70',
        `From: <sip:probe@${localHost}>;tag=${id}`,
        `To: <sip:${bracketed}:${port}>`,
        `Call-ID: probe-${id}`,
        'CSeq: 1 OPTIONS',
        'Content-Length: 0',
        '',
        '',
      ].join('\r\n');
      socket.send(request, port, host, (error) => {
        if (error) finish(false);
      });
    });
  });
}

function probeTcp(host: string, port: number, timeoutMs: number): Promise<boolean> {
  return new Promise((resolve) => {
    const socket = netConnect({ host, port, timeout: timeoutMs });
    const finish = (ok: boolean): void => {
      socket.destroy();
      resolve(ok);
    };
    socket.once('connect', () => finish(true));
    socket.once('timeout', () => finish(false));
    socket.once('error', () => finish(false));
  });
}

/** A full TLS handshake, so a listener with broken certificates does not count as ready. */
function probeTls(host: string, port: number, timeoutMs: number): Promise<boolean> {
  return new Promise((resolve) => {
    const socket = tlsConnect({ host, port, timeout: timeoutMs, rejectUnauthorized: false });
    const finish = (ok: boolean): void => {
      socket.destroy();
      resolve(ok);
    };
    socket.once('secureConnect', () => finish(true));
    socket.once('timeout', () => finish(false));
    socket.once('error', () => finish(false));
  });
}
