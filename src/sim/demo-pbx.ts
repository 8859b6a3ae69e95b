import { randomBytes } from 'node:crypto';
import { silentLogger, type Logger } from '../log/logger.js';
import { computeDigestResponse } from '../sip/auth/digest-response.js';
import { parseAuthItems } from '../sip/auth/auth-params.js';
import { digestAlgorithmOf } from '../sip/auth/digest-algorithm.js';
import { quote, type SipRequest } from '../sip/messages/index.js';
import { SipStack } from '../sip/sip-stack.js';
import type { ServerTransaction } from '../sip/transactions/server-transaction.js';

/** Outstanding challenges remembered; a REGISTER answering an older one is challenged again. */
const MAX_NONCES = 64;

/** A binding the demo registrar holds. */
export interface DemoBinding {
  aor: string;
  contact: string;
  expiresAt: number;
}

/**
 * A tiny registrar for the simulation (`portier run` with no configuration): digest
 * authentication (MD5, qop=auth) and in-memory bindings, on loopback. It stands in for
 * the building's PBX so a newcomer sees the door station register without one.
 */
export class DemoPbx {
  private readonly bindings = new Map<string, DemoBinding>();
  private readonly nonces = new Set<string>();

  private constructor(
    readonly stack: SipStack,
    readonly realm: string,
    private readonly users: Map<string, string>,
    private readonly logger: Logger,
  ) {
    stack.core.handle('REGISTER', (req, tx) => this.onRegister(req, tx));
  }

  /** Starts the demo PBX on 127.0.0.1 (port 0 picks a free one). */
  static async start(options: { port?: number; users: Record<string, string>; logger?: Logger }): Promise<DemoPbx> {
    const stack = await SipStack.start({ listen: [{ protocol: 'udp', address: '127.0.0.1', port: options.port ?? 0 }] });
    return new DemoPbx(stack, 'portier-demo', new Map(Object.entries(options.users)), (options.logger ?? silentLogger).child({ component: 'demo-pbx' }));
  }

  /** The UDP port it listens on. */
  get port(): number {
    return this.stack.transport.listeningPoints[0]!.port;
  }

  /** Current bindings (expired ones dropped). */
  registered(): DemoBinding[] {
    const now = Date.now();
    for (const [k, b] of this.bindings) if (b.expiresAt <= now) this.bindings.delete(k);
    return [...this.bindings.values()];
  }

  close(): Promise<void> {
    return this.stack.close();
  }

  private onRegister(request: SipRequest, tx: ServerTransaction): void {
    const user = this.authenticate(request);
    if (user === undefined) {
      const nonce = randomBytes(16).toString('hex');
      this.nonces.add(nonce);
      // Only the latest challenges can still be answered; keep the set bounded on a long run.
      if (this.nonces.size > MAX_NONCES) this.nonces.delete(this.nonces.values().next().value!);
      tx.respond(this.stack.core.response(request, 401, {
        headers: [['WWW-Authenticate', `Digest realm=${quote(this.realm)}, nonce=${quote(nonce)}, algorithm=MD5, qop="auth"`]],
      }));
      return;
    }
    const aor = `sip:${user}@${this.realm}`;
    const requested = request.expires ?? 3600;
    const contacts = request.contacts;
    for (const c of contacts) {
      const e = c.params.get('expires');
      const expires = typeof e === 'string' ? Number(e) : requested;
      const key = `${aor} ${c.uri.toString()}`;
      if (expires === 0) this.bindings.delete(key);
      else this.bindings.set(key, { aor, contact: c.uri.toString(), expiresAt: Date.now() + expires * 1000 });
    }
    const mine = this.registered().filter((b) => b.aor === aor);
    tx.respond(this.stack.core.response(request, 200, {
      headers: mine.map((b) => ['Contact', `<${b.contact}>;expires=${Math.round((b.expiresAt - Date.now()) / 1000)}`] as [string, string]),
    }));
    this.logger.debug('REGISTER accepted', { aor, bindings: mine.length });
  }

  /** The user whose digest answer is right, or undefined. */
  private authenticate(request: SipRequest): string | undefined {
    const value = request.getHeader('authorization');
    if (!value || !/^\s*digest\s/i.test(value)) return undefined;
    let p: Map<string, string>;
    try {
      p = new Map(parseAuthItems(value).flatMap((item) => item.params.map((x) => [x.name.toLowerCase(), x.value] as [string, string])));
    } catch {
      return undefined;
    }
    const username = p.get('username');
    const nonce = p.get('nonce');
    const password = username !== undefined ? this.users.get(username) : undefined;
    if (!username || !nonce || password === undefined || !this.nonces.has(nonce)) return undefined;
    const nc = p.get('nc');
    const qop = p.get('qop');
    const cnonce = p.get('cnonce');
    const expected = computeDigestResponse({
      algorithm: digestAlgorithmOf(p.get('algorithm') ?? 'MD5') ?? 'MD5',
      username,
      password,
      realm: this.realm,
      nonce,
      method: request.method,
      uri: p.get('uri') ?? '',
      ...(qop === 'auth' ? { qop: 'auth' as const } : {}),
      ...(nc !== undefined ? { nc: parseInt(nc, 16) } : {}),
      ...(cnonce !== undefined ? { cnonce } : {}),
    });
    return expected === p.get('response') ? username : undefined;
  }
}
