import type { Call } from '../../../src/calls/call.js';
import { Phone } from '../../../src/calls/phone.js';
import { DiscardingAudioSink } from '../../../src/app/discarding-audio-sink.js';
import { steadyTone, ToneSource } from '../../../src/media/audio/tone-source.js';
import { parseSipUri } from '../../../src/sip/messages/index.js';
import type { Registration } from '../../../src/sip/registration/registration.js';
import type { IncomingInviteSession } from '../../../src/sip/sessions/incoming-invite-session.js';
import { SipStack } from '../../../src/sip/sip-stack.js';

/** An incoming call as the test phone saw it. */
export interface TestIncoming {
  call: Call;
  session: IncomingInviteSession;
}

/**
 * A Portier phone standing in for the flat (or a stranger) in the door station's
 * integration tests: registered at Kamailio, a running tone source so RFC 4733
 * digits are clocked, and a queue of incoming calls the test answers by hand.
 */
export class TestPhone {
  private readonly queue: TestIncoming[] = [];
  private waiters: Array<(i: TestIncoming) => void> = [];

  private constructor(
    readonly user: string,
    readonly stack: SipStack,
    readonly phone: Phone,
    /** None for a phone that calls directly, bypassing the PBX. */
    readonly registration: Registration | undefined,
    private readonly source: ToneSource,
  ) {
    phone.on('incoming', (call, session) => {
      const item = { call, session };
      const waiter = this.waiters.shift();
      if (waiter) waiter(item);
      else this.queue.push(item);
    });
  }

  /**
   * A phone that claims to be `user@domain` and calls straight to the door station from
   * `sipAddress` (its SIP socket; media stays on 127.0.0.1), not registered anywhere:
   * what anyone who can reach the station's SIP port can do.
   */
  static async direct(user: string, domain: string, sipAddress: string, dtmfMode: 'rfc4733' | 'info' = 'rfc4733'): Promise<TestPhone> {
    const { stack, phone, source } = await TestPhone.open(user, undefined, domain, dtmfMode, sipAddress);
    return new TestPhone(user, stack, phone, undefined, source);
  }

  private static async open(user: string, password: string | undefined, domain: string, dtmfMode: 'rfc4733' | 'info', sipAddress = '127.0.0.1') {
    const stack = await SipStack.start({ listen: [{ protocol: 'udp', address: sipAddress, port: 0 }] });
    const aor = parseSipUri(`sip:${user}@${domain}`);
    const source = new ToneSource(steadyTone(700));
    const phone = new Phone({
      stack,
      aor,
      ...(password !== undefined ? { credentials: { username: user, password } } : {}),
      media: { address: '127.0.0.1', codecs: ['PCMU', 'PCMA'], dtmfMode },
      audio: { source, sink: new DiscardingAudioSink() },
    });
    source.start();
    return { stack, aor, phone, source };
  }

  /** Starts a phone for `user` and resolves once it is registered at `registrar`. */
  static async start(user: string, password: string, registrar: string, domain: string, dtmfMode: 'rfc4733' | 'info' = 'rfc4733'): Promise<TestPhone> {
    const { stack, aor, phone, source } = await TestPhone.open(user, password, domain, dtmfMode);
    const credentials = { username: user, password };
    const registration = stack.register({ aor, registrar: parseSipUri(registrar), credentials, expires: 300 });
    const registered = new Promise<void>((resolve, reject) => {
      const t = setTimeout(() => reject(new Error(`${user} did not register`)), 10_000);
      registration.on('state', (s) => {
        if (s.state === 'registered') {
          clearTimeout(t);
          resolve();
        }
      });
    });
    registration.start();
    await registered;
    return new TestPhone(user, stack, phone, registration, source);
  }

  /** The next incoming call. */
  nextIncoming(ms = 10_000): Promise<TestIncoming> {
    const queued = this.queue.shift();
    if (queued) return Promise.resolve(queued);
    return new Promise((resolve, reject) => {
      const t = setTimeout(() => reject(new Error(`${this.user}: no incoming call within ${ms} ms`)), ms);
      this.waiters.push((i) => {
        clearTimeout(t);
        resolve(i);
      });
    });
  }

  /** Answers the next incoming call and resolves once it is connected. */
  async answerNext(ringMs = 0): Promise<Call> {
    const { call, session } = await this.nextIncoming();
    await session.ring();
    if (ringMs > 0) await new Promise((r) => setTimeout(r, ringMs));
    await session.accept();
    await waitForState(call, 'connected');
    return call;
  }

  async close(): Promise<void> {
    await Promise.allSettled(this.phone.activeCalls.map((c) => c.hangUp()));
    this.phone.close();
    await this.source.close();
    await this.stack.close();
  }
}

/** Resolves when `call` reaches `state` (at once if it is there). */
export function waitForState(call: Call, state: Call['state'], ms = 10_000): Promise<void> {
  if (call.state === state) return Promise.resolve();
  return new Promise((resolve, reject) => {
    const t = setTimeout(() => reject(new Error(`call did not reach ${state} within ${ms} ms (at ${call.state})`)), ms);
    const on = (s: Call['state']) => {
      if (s !== state) return;
      clearTimeout(t);
      call.off('state', on);
      resolve();
    };
    call.on('state', on);
  });
}

/** Polls `check` until it returns true. */
export async function eventually(check: () => boolean | Promise<boolean>, ms = 5000, what = 'condition'): Promise<void> {
  const until = Date.now() + ms;
  while (Date.now() < until) {
    if (await check()) return;
    await new Promise((r) => setTimeout(r, 20));
  }
  throw new Error(`${what} not met within ${ms} ms`);
}
