import type { SipAccountConfig } from '../config/portier-config.js';
import type { Logger } from '../log/logger.js';
import { parseSipUri } from '../sip/messages/index.js';
import type { RegistrationStatus } from '../sip/registration/registration-state.js';
import type { SendTarget } from '../sip/transport/transport-types.js';
import type { NextHopLocator } from '../sip/user-agent/next-hop-locator.js';
import type { TypedEmitter } from '../util/typed-emitter.js';
import { registrationOptions } from './sip-service.js';
import type { TrustedSources } from './trusted-sources.js';

/** What the tracker needs of an account's SIP line (an AccountLine has it). */
export interface PbxLine {
  account: SipAccountConfig;
  stack: { locator: NextHopLocator };
  registration: (Pick<TypedEmitter<{ state: [RegistrationStatus] }>, 'on' | 'off'> & { readonly status: RegistrationStatus; readonly flowTarget: SendTarget | undefined }) | undefined;
}

interface Watched {
  line: PbxLine;
  /** Addresses each PBX URI resolved to last; kept when a later look-up fails. */
  resolved: Map<string, string[]>;
  flow: string | undefined;
  onState: (s: RegistrationStatus) => void;
}

/**
 * Keeps TrustedSources up to date with where each account's PBX sends from: the
 * addresses its registrar, backup registrar and outbound proxy resolve to (RFC 3263,
 * through the stack's locator), looked up at start and again on every successful
 * registration, plus the remote address of the registration's flow. A look-up that
 * fails keeps the addresses found before (a DNS hiccup must not lock the PBX out).
 */
export class PbxSourceTracker {
  private readonly watched = new Map<string, Watched>();
  private closed = false;

  constructor(
    private readonly trusted: TrustedSources,
    private readonly logger: Logger,
  ) {}

  /** Starts tracking one account's line under `id`. */
  watch(id: string, line: PbxLine): void {
    const w: Watched = {
      line,
      resolved: new Map(),
      flow: undefined,
      onState: (s) => {
        if (s.state === 'registered') this.registered(id, w);
      },
    };
    this.watched.set(id, w);
    line.registration?.on('state', w.onState);
    if (line.registration?.status.state === 'registered') this.registered(id, w);
    else void this.resolve(id, w);
  }

  /** Stops listening and learning. Idempotent. */
  close(): void {
    if (this.closed) return;
    this.closed = true;
    for (const w of this.watched.values()) w.line.registration?.off('state', w.onState);
    this.watched.clear();
  }

  private registered(id: string, w: Watched): void {
    if (this.closed) return;
    // The flow's address at once: the PBX's INVITEs come down it before any look-up returns.
    w.flow = w.line.registration?.flowTarget?.address;
    this.publish(id, w);
    void this.resolve(id, w);
  }

  private async resolve(id: string, w: Watched): Promise<void> {
    const { account } = w.line;
    const reg = registrationOptions(account);
    const uris = [reg.registrar, ...(reg.backupRegistrars ?? []), ...(account.outboundProxy ? [parseSipUri(account.outboundProxy)] : [])];
    await Promise.all(
      uris.map(async (uri) => {
        const key = uri.toString();
        try {
          const targets = await w.line.stack.locator.locate({
            host: uri.host,
            ...(uri.port !== undefined ? { port: uri.port } : {}),
            ...(uri.transport !== undefined ? { transport: uri.transport } : {}),
            secure: uri.scheme === 'sips',
          });
          w.resolved.set(key, targets.map((t) => t.address));
        } catch (error) {
          this.logger.warn('cannot resolve the PBX for the trusted sources; keeping the addresses known', { account: id, uri: key, error: error as Error });
        }
      }),
    );
    this.publish(id, w);
  }

  private publish(id: string, w: Watched): void {
    if (this.closed || this.watched.get(id) !== w) return;
    const addresses = [...w.resolved.values()].flat();
    if (w.flow !== undefined) addresses.push(w.flow);
    this.trusted.learn(`account:${id}`, addresses);
    this.logger.debug('trusted PBX sources', { account: id, addresses });
  }
}
