import type { Call, CallState } from '../../../src/calls/call.js';
import { Phone } from '../../../src/calls/phone.js';
import type { AudioSink } from '../../../src/media/audio/audio-sink.js';
import type { AudioSource } from '../../../src/media/audio/audio-source.js';
import type { PortRange } from '../../../src/media/rtp-session/udp-port-pair.js';
import { parseSipUri, type SipRequest } from '../../../src/sip/messages/index.js';
import type { Registration } from '../../../src/sip/registration/registration.js';
import { SipStack } from '../../../src/sip/sip-stack.js';
import type { DtmfMode } from '../../../src/calls/dtmf-press.js';
import type { KamailioInstance } from './kamailio.js';

/** A Portier Phone registered at the test Kamailio, with the audio devices the test chose. */
export interface RegisteredPhone {
  stack: SipStack;
  phone: Phone;
  registration: Registration;
  /** Every SIP request this stack sent (clones) and the status of every response it received. */
  sent: SipRequest[];
  statuses: number[];
  /** Stops the phone, un-registers and closes the stack (the audio devices belong to the test). */
  close(): Promise<void>;
}

/** Starts a SipStack using Kamailio as outbound proxy, registers `user` and builds a Phone on it. */
export async function registeredPhone(options: {
  kamailio: KamailioInstance;
  username: string;
  password: string;
  rtpPorts: PortRange;
  audio: { source?: AudioSource; sink?: AudioSink };
  dtmfMode?: DtmfMode;
}): Promise<RegisteredPhone> {
  const { kamailio, username: user, password } = options;
  const proxy = parseSipUri(kamailio.proxyUri('udp'));
  const stack = await SipStack.start({ listen: [{ protocol: 'udp', address: '127.0.0.1', port: 0 }], outboundProxy: proxy });
  const aor = parseSipUri(kamailio.aor(user));
  const credentials = { username: user, password };
  const phone = new Phone({
    stack,
    aor,
    credentials,
    media: { address: '127.0.0.1', portRange: options.rtpPorts, codecs: ['PCMU', 'PCMA'], dtmfMode: options.dtmfMode ?? 'auto' },
    audio: options.audio,
  });
  const sent: SipRequest[] = [];
  const statuses: number[] = [];
  const send = stack.transport.sendRequest.bind(stack.transport);
  stack.transport.sendRequest = async (request, target) => {
    sent.push(request.clone());
    return send(request, target);
  };
  stack.transport.on('response', (r) => statuses.push(r.status));
  const registration = stack.register({ aor, registrar: proxy, credentials, expires: 300 });
  const close = async (): Promise<void> => {
    phone.close();
    await stack.close();
  };
  try {
    await new Promise<void>((resolve, reject) => {
      const timer = setTimeout(() => reject(new Error(`${user} did not register at ${kamailio.proxyUri('udp')}`)), 10_000);
      registration.on('state', (s) => {
        if (s.state === 'registered') {
          clearTimeout(timer);
          resolve();
        }
      });
      registration.start();
    });
  } catch (error) {
    await close();
    throw error;
  }
  return { stack, phone, registration, sent, statuses, close };
}

/** Resolves when the call reaches `state` (at once if it is there). */
export function callReaches(call: Call, state: CallState, timeoutMs = 10_000): Promise<void> {
  if (call.state === state) return Promise.resolve();
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`call stayed ${call.state}, never ${state}, within ${timeoutMs} ms`)), timeoutMs);
    const onState = (s: CallState): void => {
      if (s !== state) return;
      clearTimeout(timer);
      call.off('state', onState);
      resolve();
    };
    call.on('state', onState);
  });
}

/** Resolves with the call's end info. */
export function callEnds(call: Call, timeoutMs = 10_000): Promise<{ reason: string; status?: number }> {
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`call did not end within ${timeoutMs} ms (state ${call.state})`)), timeoutMs);
    call.once('ended', (info) => {
      clearTimeout(timer);
      resolve(info);
    });
  });
}
