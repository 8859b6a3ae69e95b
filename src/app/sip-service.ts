import { readFileSync } from 'node:fs';
import type { Logger } from '../log/logger.js';
import type { PortierConfig, SipAccountConfig } from '../config/portier-config.js';
import { parseSipUri, SipUri } from '../sip/messages/index.js';
import type { Registration } from '../sip/registration/registration.js';
import { SipStack } from '../sip/sip-stack.js';
import type { TransportTlsOptions } from '../sip/transport/transport-layer-options.js';

/** The SIP side of the door station: one stack and a registration per account. */
export class SipService {
  private constructor(
    readonly stack: SipStack,
    readonly registrations: Map<string, Registration>,
  ) {}

  /** Opens the sockets from `config.sip.listen` and starts registering every account that registers. */
  static async start(config: PortierConfig, logger: Logger): Promise<SipService> {
    const tls: TransportTlsOptions = { rejectUnauthorized: config.sip.tls.verifyServer };
    if (config.sip.tls.ca) tls.ca = readFileSync(config.sip.tls.ca, 'utf8');
    if (config.sip.tls.cert) tls.cert = readFileSync(config.sip.tls.cert, 'utf8');
    if (config.sip.tls.key) tls.key = readFileSync(config.sip.tls.key, 'utf8');
    const first = config.sip.accounts[0];
    const stack = await SipStack.start({
      listen: config.sip.listen.map((l) => ({ protocol: l.transport, address: l.address, port: l.port })),
      tls,
      timers: { t1: config.timers.t1Ms, t2: config.timers.t2Ms, t4: config.timers.t4Ms },
      ...(first?.outboundProxy ? { outboundProxy: parseSipUri(first.outboundProxy) } : {}),
      logger,
    });
    const registrations = new Map<string, Registration>();
    for (const account of config.sip.accounts) {
      if (!account.register) continue;
      const registration = stack.register(registrationOptions(account));
      registrations.set(account.id, registration);
      registration.start();
    }
    return new SipService(stack, registrations);
  }

  /** Un-registers (bounded wait) and closes every socket. */
  close(): Promise<void> {
    return this.stack.close();
  }
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
