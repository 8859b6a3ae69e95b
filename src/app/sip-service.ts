import { readFileSync } from 'node:fs';
import { Phone } from '../calls/phone.js';
import type { PortierConfig, SipAccountConfig } from '../config/portier-config.js';
import type { Logger } from '../log/logger.js';
import type { AudioSink } from '../media/audio/audio-sink.js';
import type { AudioSource } from '../media/audio/audio-source.js';
import { parseSipUri, parseUri, SipUri } from '../sip/messages/index.js';
import type { Registration } from '../sip/registration/registration.js';
import { SipStack } from '../sip/sip-stack.js';
import type { ListenSpec, TransportTlsOptions } from '../sip/transport/transport-layer-options.js';
import { mediaAddressFor } from './media-address.js';

/** One account's SIP line: its stack, registration and phone. */
export interface AccountLine {
  account: SipAccountConfig;
  stack: SipStack;
  registration: Registration | undefined;
  phone: Phone;
}

/** What the SIP service attaches to every call. */
export interface SipServiceOptions {
  logger: Logger;
  audio?: { source?: AudioSource; sink?: AudioSink };
}

/**
 * The SIP side of the door station: a stack, a registration and a Phone per account.
 * The first account listens on `sip.listen`; further accounts get a stack of their
 * own on an ephemeral port of the same address (a UA core has one INVITE handler,
 * so each account's phone needs its own).
 */
export class SipService {
  private constructor(readonly lines: Map<string, AccountLine>) {}

  /** Opens the sockets, creates the phones and starts registering every account that registers. */
  static async start(config: PortierConfig, options: SipServiceOptions): Promise<SipService> {
    const { logger } = options;
    const tls: TransportTlsOptions = { rejectUnauthorized: config.sip.tls.verifyServer };
    if (config.sip.tls.ca) tls.ca = readFileSync(config.sip.tls.ca, 'utf8');
    if (config.sip.tls.cert) tls.cert = readFileSync(config.sip.tls.cert, 'utf8');
    if (config.sip.tls.key) tls.key = readFileSync(config.sip.tls.key, 'utf8');
    const lines = new Map<string, AccountLine>();
    const service = new SipService(lines);
    try {
      for (const [i, account] of config.sip.accounts.entries()) {
        const listen: ListenSpec[] =
          i === 0
            ? config.sip.listen.map((l) => ({ protocol: l.transport, address: l.address, port: l.port }))
            : [{ protocol: account.transport, address: config.sip.listen[0]?.address ?? '0.0.0.0', port: 0 }];
        const stack = await SipStack.start({
          listen,
          tls,
          timers: { t1: config.timers.t1Ms, t2: config.timers.t2Ms, t4: config.timers.t4Ms },
          ...(account.outboundProxy ? { outboundProxy: parseSipUri(account.outboundProxy) } : {}),
          logger: logger.child({ account: account.id }),
        });
        const reg = registrationOptions(account);
        const address = await mediaAddressFor(listen[0]!.address, reg.registrar);
        const phone = new Phone({
          stack,
          aor: reg.aor,
          displayName: account.displayName,
          ...(reg.credentials ? { credentials: reg.credentials } : {}),
          media: {
            address,
            codecs: account.codecs.map((c) => (c === 'pcmu' ? 'PCMU' : 'PCMA')),
            ptime: account.ptime,
            dtmfMode: account.dtmfMode,
          },
          session: { t1: config.timers.t1Ms, t2: config.timers.t2Ms },
          ...(options.audio ? { audio: options.audio } : {}),
          logger: logger.child({ account: account.id }),
        });
        const registration = account.register ? stack.register(reg) : undefined;
        lines.set(account.id, { account, stack, registration, phone });
      }
    } catch (error) {
      await service.close();
      throw error;
    }
    for (const line of lines.values()) line.registration?.start();
    return service;
  }

  /** Registrations by account id (accounts with `register: false` have none). */
  get registrations(): Map<string, Registration> {
    return new Map([...this.lines].flatMap(([id, l]) => (l.registration ? [[id, l.registration] as const] : [])));
  }

  /** The line of `accountId`, or the first account's. */
  line(accountId?: string): AccountLine {
    const line = accountId !== undefined ? this.lines.get(accountId) : this.lines.values().next().value;
    if (!line) throw new RangeError(`no SIP account ${accountId ?? '(none configured)'}`);
    return line;
  }

  /** Calls that have not ended, on every line. */
  get activeCallCount(): number {
    let n = 0;
    for (const line of this.lines.values()) n += line.phone.activeCalls.length;
    return n;
  }

  /** Hangs up every call, un-registers (bounded wait) and closes every socket. Idempotent. */
  async close(): Promise<void> {
    const lines = [...this.lines.values()];
    await Promise.allSettled(lines.flatMap((l) => l.phone.activeCalls.map((c) => c.hangUp())));
    for (const line of lines) line.phone.close();
    await Promise.allSettled(lines.map((l) => l.stack.close()));
  }
}

/**
 * The request URI for a call target: a SIP/tel URI as written, or a bare extension
 * dialled at the account's registrar (host and port), which is where a PBX takes it.
 */
export function targetUri(target: string, account: SipAccountConfig): string {
  if (/^(sips?|tel):/i.test(target)) return parseUri(target).toString();
  const registrar = parseSipUri(account.registrar);
  const uri = new SipUri({ scheme: registrar.scheme, user: target, host: account.domain ?? registrar.host, ...(registrar.port !== undefined && account.domain === undefined ? { port: registrar.port } : {}) });
  const transport = registrar.params.get('transport');
  if (typeof transport === 'string') uri.params.set('transport', transport);
  else if (account.transport !== 'udp') uri.params.set('transport', account.transport);
  return uri.toString();
}

/** Maps an account's configuration onto the registration's options. */
export function registrationOptions(account: SipAccountConfig) {
  const registrar = parseSipUri(account.registrar);
  if (account.transport !== 'udp' && registrar.transport === undefined) registrar.params.set('transport', account.transport);
  const aor = new SipUri({ scheme: registrar.scheme, user: account.username, host: account.domain ?? registrar.host });
  return {
    aor,
    registrar,
    ...(account.backupRegistrar ? { backupRegistrars: [parseSipUri(account.backupRegistrar)] } : {}),
    displayName: account.displayName,
    ...(account.password !== undefined ? { credentials: { username: account.authUsername ?? account.username, password: account.password } } : {}),
    expires: account.registrationExpires,
    keepAliveIntervalMs: account.keepAliveSeconds * 1000,
  };
}
