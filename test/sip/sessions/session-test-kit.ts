import { parseSipUri, type SipRequest, type SipResponse } from '../../../src/sip/messages/index.js';
import type { DigestCredentials } from '../../../src/sip/auth/digest-authenticator.js';
import type { SessionDescriptionHandler } from '../../../src/sip/sessions/session-description-handler.js';
import { SessionManager, type SessionManagerEvents } from '../../../src/sip/sessions/session-manager.js';
import type { InviteSession } from '../../../src/sip/sessions/invite-session.js';
import type { IncomingInviteSession } from '../../../src/sip/sessions/incoming-invite-session.js';
import type { OutgoingInviteSession } from '../../../src/sip/sessions/outgoing-invite-session.js';
import type { InviteSessionEvents } from '../../../src/sip/sessions/session-events.js';
import type { SessionOptions } from '../../../src/sip/sessions/session-options.js';
import { SipStack } from '../../../src/sip/sip-stack.js';
import type { TimerSettings } from '../../../src/sip/transactions/timer-settings.js';
import type { TransportProtocol } from '../../../src/sip/transport/transport-types.js';
import type { EventMap, TypedEmitter } from '../../../src/util/typed-emitter.js';

/** A trivial offer/answer handler with fixed SDP texts, recording what it saw. */
export class FixedSdp implements SessionDescriptionHandler {
  readonly offersMade: string[] = [];
  readonly offersReceived: string[] = [];
  readonly answersReceived: string[] = [];
  direction: 'sendrecv' | 'sendonly' | 'recvonly' | 'inactive' = 'sendrecv';
  rejectOffers = false;
  private version = 1;

  constructor(readonly name: string, readonly port = 40000) {}

  sdp(direction: string): string {
    return [
      'v=0',
      `o=${this.name} 1 ${this.version++} IN IP4 127.0.0.1`,
      's=-',
      'c=IN IP4 127.0.0.1',
      't=0 0',
      `m=audio ${this.port} RTP/AVP 0`,
      'a=rtpmap:0 PCMU/8000',
      `a=${direction}`,
      '',
    ].join('\r\n');
  }

  createOffer(): string {
    const offer = this.sdp(this.direction);
    this.offersMade.push(offer);
    return offer;
  }

  receiveOffer(sdp: string): { answer: string } | { reject: 488 } {
    this.offersReceived.push(sdp);
    if (this.rejectOffers) return { reject: 488 };
    const m = /a=(sendonly|recvonly|inactive|sendrecv)/.exec(sdp);
    const theirs = m?.[1] ?? 'sendrecv';
    const mine = theirs === 'sendonly' ? 'recvonly' : theirs === 'recvonly' ? 'sendonly' : theirs;
    return { answer: this.sdp(mine) };
  }

  receiveAnswer(sdp: string): void {
    this.answersReceived.push(sdp);
  }
}

/** One Portier user agent on loopback: stack + session manager + its SDP handlers. */
export interface Party {
  stack: SipStack;
  manager: SessionManager;
  /** Every handler the manager created, in order. */
  handlers: FixedSdp[];
  /** Our URI for the peer to call. */
  uri: string;
  /** Every SIP message sent and received, for assertions. */
  sent: Array<SipRequest | SipResponse>;
  received: Array<SipRequest | SipResponse>;
}

export interface PartyOptions {
  user: string;
  protocol: TransportProtocol;
  session?: SessionOptions;
  timers?: Partial<TimerSettings>;
  credentials?: DigestCredentials;
  /** Makes the party's handlers (default: FixedSdp). */
  handler?: (user: string, port: number) => FixedSdp;
}

/** Starts one party on 127.0.0.1, port 0. */
export async function startParty(options: PartyOptions): Promise<Party> {
  const stack = await SipStack.start({ listen: [{ protocol: options.protocol, address: '127.0.0.1', port: 0 }], ...(options.timers ? { timers: options.timers } : {}) });
  const point = stack.transport.listeningPoints[0]!;
  const handlers: FixedSdp[] = [];
  const manager = new SessionManager(stack.core, {
    aor: parseSipUri(`sip:${options.user}@127.0.0.1`),
    createHandler: () => {
      const port = 40000 + handlers.length * 2;
      const h = options.handler ? options.handler(options.user, port) : new FixedSdp(options.user, port);
      handlers.push(h);
      return h;
    },
    ...(options.session ? { session: options.session } : {}),
    ...(options.credentials ? { credentials: options.credentials } : {}),
  });
  const sent: Array<SipRequest | SipResponse> = [];
  const received: Array<SipRequest | SipResponse> = [];
  const sendRequest = stack.transport.sendRequest.bind(stack.transport);
  stack.transport.sendRequest = async (request, target) => {
    sent.push(request.clone());
    return sendRequest(request, target);
  };
  const sendResponse = stack.transport.sendResponse.bind(stack.transport);
  stack.transport.sendResponse = async (response, to) => {
    sent.push(response.clone());
    return sendResponse(response, to);
  };
  stack.transport.on('request', (r) => received.push(r));
  stack.transport.on('response', (r) => received.push(r));
  const transport = options.protocol === 'udp' ? '' : `;transport=${options.protocol}`;
  return { stack, manager, handlers, uri: `sip:${options.user}@127.0.0.1:${point.port}${transport}`, sent, received };
}

/** Closes parties (sessions first, then stacks). */
export async function stopParties(...parties: Array<Party | undefined>): Promise<void> {
  for (const p of parties) p?.manager.close();
  await Promise.all(parties.map((p) => p?.stack.close()));
}

/** Resolves with the next `event`'s arguments, or rejects after `ms`. */
type EventsOf<T> = T extends SessionManager ? SessionManagerEvents : T extends InviteSession ? InviteSessionEvents : never;

export function next<T extends SessionManager | InviteSession, K extends keyof EventsOf<T> & string>(emitter: T, event: K, ms = 4000): Promise<EventsOf<T>[K]> {
  const e = emitter as unknown as TypedEmitter<EventMap>;
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => {
      e.off(event, on);
      reject(new Error(`no '${event}' within ${ms} ms`));
    }, ms);
    const on = (...args: unknown[]) => {
      clearTimeout(timer);
      resolve(args as EventsOf<T>[K]);
    };
    e.once(event, on);
  });
}

/** Polls `predicate` until true or `ms` elapsed. */
export async function until(predicate: () => boolean, ms = 4000, what = 'condition'): Promise<void> {
  const deadline = Date.now() + ms;
  while (!predicate()) {
    if (Date.now() > deadline) throw new Error(`${what} not reached within ${ms} ms`);
    await new Promise((r) => setTimeout(r, 10));
  }
}

/** Methods (requests) or statuses (responses) of a message list, in order. */
export function requestsOf(list: Array<SipRequest | SipResponse>, method?: string): SipRequest[] {
  return list.filter((m): m is SipRequest => 'method' in m && (method === undefined || m.method === method));
}

export function responsesOf(list: Array<SipRequest | SipResponse>, cseqMethod?: string): SipResponse[] {
  return list.filter((m): m is SipResponse => 'status' in m && (cseqMethod === undefined || m.cseq.method === cseqMethod));
}

/** An established call between two parties. */
export interface Call {
  alice: Party;
  bob: Party;
  call: OutgoingInviteSession;
  answered: IncomingInviteSession;
}

/** Starts alice and bob and lets alice call bob, who answers at once. */
export async function connect(protocol: TransportProtocol, options: { alice?: Partial<PartyOptions>; bob?: Partial<PartyOptions> } = {}): Promise<Call> {
  const alice = await startParty({ user: 'alice', protocol, ...options.alice });
  const bob = await startParty({ user: 'bob', protocol, ...options.bob });
  const incoming = next(bob.manager, 'invitation');
  const call = alice.manager.invite(bob.uri);
  const [answered] = await incoming;
  const up = Promise.all([next(call, 'accepted'), next(answered, 'accepted')]);
  await answered.accept();
  await up;
  return { alice, bob, call, answered };
}
