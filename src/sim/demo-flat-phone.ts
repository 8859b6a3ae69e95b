import type { Call } from '../calls/call.js';
import { Phone } from '../calls/phone.js';
import { DiscardingAudioSink } from '../app/discarding-audio-sink.js';
import { silentLogger, type Logger } from '../log/logger.js';
import { steadyTone, ToneSource } from '../media/audio/tone-source.js';
import { parseSipUri, SipUri } from '../sip/messages/index.js';
import type { Registration } from '../sip/registration/registration.js';
import { SipStack } from '../sip/sip-stack.js';
import { TypedEmitter } from '../util/typed-emitter.js';

/** What the demo flat does with a call, in order. */
export interface DemoFlatScript {
  /** Ring this long, then answer. */
  ringMs: number;
  /** After answering, wait this long, then key `keys`. */
  keyAfterMs: number;
  /** Keys sent as RFC 4733 events, e.g. the door code and `#`. */
  keys: string;
  /** After keying, wait this long, then hang up (the door relay pulses meanwhile). */
  hangUpAfterMs: number;
}

/** The default script: ring 1.5 s, answer, key the code after 1 s, hang up 3 s later. */
export function demoFlatScript(code: string): DemoFlatScript {
  return { ringMs: 1500, keyAfterMs: 1000, keys: `${code}#`, hangUpAfterMs: 3000 };
}

export type DemoFlatPhoneEvents = {
  /** One step of the script happened (for the live display). */
  step: [text: string];
  registration: [state: string];
};

export interface DemoFlatPhoneOptions {
  /** Registrar URI of the demo PBX, e.g. `sip:127.0.0.1:5060`. */
  registrar: string;
  domain: string;
  username: string;
  password: string;
  script: DemoFlatScript;
  logger?: Logger;
}

/**
 * The flat's phone in the simulation: a second Portier phone on loopback that
 * registers with the demo PBX as `flat`, and for every call rings, answers, keys
 * the door code as RFC 4733 events (clocked by its own simulated microphone), and
 * hangs up — the story a newcomer watches after pressing the bell.
 */
export class DemoFlatPhone extends TypedEmitter<DemoFlatPhoneEvents> {
  private readonly timers = new Set<NodeJS.Timeout>();
  private closed = false;

  private constructor(
    private readonly stack: SipStack,
    private readonly phone: Phone,
    private readonly source: ToneSource,
    readonly registration: Registration,
    private readonly script: DemoFlatScript,
    private readonly logger: Logger,
  ) {
    super();
    phone.on('incoming', (call, session) => {
      this.emit('step', `flat: incoming call from ${session.remoteIdentity.uri.toString()}, ringing`);
      void session.ring().catch(() => undefined);
      this.after(script.ringMs, () => {
        if (call.state === 'ended') return;
        this.emit('step', 'flat: answers');
        void session.accept().catch((error: unknown) => this.logger.warn('flat could not answer', { error: error as Error }));
      });
      this.runScript(call);
    });
    registration.on('state', (s) => this.emit('registration', s.state));
  }

  /** Starts the phone on 127.0.0.1 (ephemeral port) and registers it. */
  static async start(options: DemoFlatPhoneOptions): Promise<DemoFlatPhone> {
    const logger = (options.logger ?? silentLogger).child({ component: 'demo-flat' });
    const stack = await SipStack.start({ listen: [{ protocol: 'udp', address: '127.0.0.1', port: 0 }] });
    const registrar = parseSipUri(options.registrar);
    const aor = new SipUri({ user: options.username, host: options.domain });
    const credentials = { username: options.username, password: options.password };
    const source = new ToneSource(steadyTone(660));
    const phone = new Phone({
      stack,
      aor,
      credentials,
      media: { address: '127.0.0.1', codecs: ['PCMU', 'PCMA'], dtmfMode: 'rfc4733' },
      audio: { source, sink: new DiscardingAudioSink() },
      logger,
    });
    source.start();
    const registration = stack.register({ aor, registrar, credentials, expires: 600 });
    const flat = new DemoFlatPhone(stack, phone, source, registration, options.script, logger);
    registration.start();
    return flat;
  }

  /** The phone's own address (its Contact): the door calls it directly. */
  get uri(): string {
    const lp = this.stack.transport.listeningPoints[0]!;
    return `sip:flat@${lp.address}:${lp.port}`;
  }

  /** Hangs up, un-registers and closes. Idempotent. */
  async close(): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    for (const t of this.timers) clearTimeout(t);
    await Promise.allSettled(this.phone.activeCalls.map((c) => c.hangUp()));
    this.phone.close();
    await this.source.close();
    await this.stack.close();
    this.removeAllListeners();
  }

  private runScript(call: Call): void {
    call.on('state', (state) => {
      if (state !== 'connected') return;
      this.after(this.script.keyAfterMs, () => {
        if (call.state !== 'connected') return;
        this.emit('step', `flat: keys ${this.script.keys}`);
        void call.sendDtmf(this.script.keys).catch((error: unknown) => this.logger.warn('flat could not send DTMF', { error: error as Error }));
        this.after(this.script.hangUpAfterMs, () => {
          if (call.state !== 'connected') return;
          this.emit('step', 'flat: hangs up');
          void call.hangUp();
        });
      });
    });
    call.on('ended', (info) => this.emit('step', `flat: call ended (${info.reason})`));
  }

  private after(ms: number, fn: () => void): void {
    const t = setTimeout(() => {
      this.timers.delete(t);
      if (!this.closed) fn();
    }, ms);
    t.unref();
    this.timers.add(t);
  }
}
