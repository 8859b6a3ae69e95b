import { silentLogger, type Logger } from '../log/logger.js';
import type { SipUri } from './messages/index.js';
import { Registration } from './registration/registration.js';
import type { RegistrationOptions } from './registration/registration-options.js';
import type { TimerSettings } from './transactions/timer-settings.js';
import { ServerLocator } from './transport/server-locator.js';
import { TransportLayer } from './transport/transport-layer.js';
import type { ListenSpec, TransportLimits, TransportTlsOptions } from './transport/transport-layer-options.js';
import { UserAgentCore } from './user-agent/user-agent-core.js';

/** What a SIP stack is built from. */
export interface SipStackOptions {
  listen: ListenSpec[];
  tls?: TransportTlsOptions;
  limits?: Partial<TransportLimits>;
  timers?: Partial<TimerSettings>;
  outboundProxy?: SipUri;
  /** Name servers for RFC 3263 look-ups (default: the system's). */
  dnsServers?: string[];
  logger?: Logger;
}

/**
 * One SIP user agent: transport, transactions and UA core wired together, plus the
 * registrations made through it. Owns all of them: `close()` releases everything.
 */
export class SipStack {
  private readonly registrations = new Set<Registration>();
  private closed = false;

  private constructor(
    readonly transport: TransportLayer,
    readonly core: UserAgentCore,
    readonly locator: ServerLocator,
    private readonly logger: Logger,
  ) {}

  /** Opens the sockets and returns a running stack. */
  static async start(options: SipStackOptions): Promise<SipStack> {
    const logger = options.logger ?? silentLogger;
    const transport = new TransportLayer({
      listen: options.listen,
      ...(options.tls ? { tls: options.tls } : {}),
      ...(options.limits ? { limits: options.limits } : {}),
      logger,
    });
    await transport.start();
    // TCP and TLS work as a client without a listener (TLS needs no certificate of our own): the
    // registrar's requests come back over the flow we opened. Listened-on protocols come first, as
    // the preferred ones for RFC 3263 SRV look-ups.
    const protocols = [
      ...new Set([...options.listen.map((l) => l.protocol), 'tcp' as const, ...(options.tls ? (['tls'] as const) : [])]),
    ];
    const locator = new ServerLocator({ transports: protocols, ...(options.dnsServers ? { servers: options.dnsServers } : {}), logger });
    const core = new UserAgentCore({
      transport,
      locator,
      ...(options.outboundProxy ? { outboundProxy: options.outboundProxy } : {}),
      ...(options.timers ? { timers: options.timers } : {}),
      logger,
    });
    return new SipStack(transport, core, locator, logger);
  }

  /** Creates (but does not start) a registration on this stack. */
  register(options: RegistrationOptions): Registration {
    const registration = new Registration(this.core, options, this.logger);
    this.registrations.add(registration);
    return registration;
  }

  /** Un-registers every registration (bounded wait), then closes transactions and sockets. Idempotent. */
  async close(): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    await Promise.all([...this.registrations].map((r) => r.stop()));
    for (const r of this.registrations) r.close();
    this.core.close();
    await this.transport.close();
  }
}
