import { silentLogger, type Logger } from '../log/logger.js';
import type { AudioSink } from '../media/audio/audio-sink.js';
import type { AudioSource } from '../media/audio/audio-source.js';
import type { DigestCredentials } from '../sip/auth/digest-authenticator.js';
import type { SipUri } from '../sip/messages/index.js';
import type { IncomingInviteSession } from '../sip/sessions/incoming-invite-session.js';
import { SessionManager } from '../sip/sessions/session-manager.js';
import type { SessionOptions } from '../sip/sessions/session-options.js';
import type { SipStack } from '../sip/sip-stack.js';
import { TypedEmitter } from '../util/typed-emitter.js';
import { Call } from './call.js';
import { CallMedia, type CallMediaOptions } from './call-media.js';

/** What a phone is built from. */
export interface PhoneOptions {
  stack: SipStack;
  /** Our address of record (From of our calls). */
  aor: SipUri;
  displayName?: string;
  credentials?: DigestCredentials;
  contactUser?: string;
  media: Omit<CallMediaOptions, 'logger'>;
  session?: SessionOptions;
  /** The door's microphone and loudspeaker; attached to the call that is connected. */
  audio?: { source?: AudioSource; sink?: AudioSink };
  logger?: Logger;
}

/** Events of a phone. */
export type PhoneEvents = {
  /** A call is coming in: ring, answer or reject it through `call.session`. */
  incoming: [call: Call, session: IncomingInviteSession];
};

/**
 * A SIP phone on one SipStack: places calls, announces incoming ones, and keeps
 * the door's audio devices attached to the call that is connected (or playing
 * early media). Busy logic and policy belong to the app above.
 */
export class Phone extends TypedEmitter<PhoneEvents> {
  readonly sessions: SessionManager;
  private readonly calls = new Set<Call>();
  private readonly logger: Logger;
  private audioCall: Call | undefined;

  constructor(private readonly options: PhoneOptions) {
    super();
    this.logger = (options.logger ?? silentLogger).child({ component: 'phone' });
    this.sessions = new SessionManager(options.stack.core, {
      aor: options.aor,
      ...(options.displayName !== undefined ? { displayName: options.displayName } : {}),
      ...(options.contactUser !== undefined ? { contactUser: options.contactUser } : {}),
      ...(options.credentials ? { credentials: options.credentials } : {}),
      createHandler: () => this.newMedia(),
      ...(options.session ? { session: options.session } : {}),
      logger: options.logger ?? silentLogger,
    });
    this.sessions.on('invitation', (session) => void this.receive(session));
  }

  /** Calls that have not ended. */
  get activeCalls(): Call[] {
    return [...this.calls];
  }

  /** Places a call; resolves once the INVITE is on its way. */
  async call(target: string, options: { headers?: Array<[string, string]> } = {}): Promise<Call> {
    const media = this.newMedia();
    let session;
    try {
      await media.open();
      session = this.sessions.invite(target, { handler: media, ...(options.headers ? { headers: options.headers } : {}) });
    } catch (error) {
      // A bad target or a closed phone: the ports just bound would otherwise stay open.
      media.close();
      throw error;
    }
    return this.track(new Call(session, media, target, this.logger));
  }

  /** Stops every call (no signalling), releases media. The stack belongs to the caller. */
  close(): void {
    for (const call of this.calls) call.media.close();
    this.calls.clear();
    this.sessions.close();
    this.removeAllListeners();
  }

  private newMedia(): CallMedia {
    return new CallMedia({ ...this.options.media, logger: this.options.logger ?? silentLogger });
  }

  private async receive(session: IncomingInviteSession): Promise<void> {
    const media = session.handler as CallMedia;
    try {
      await media.open();
    } catch (error) {
      this.logger.error('no RTP port for an incoming call', { error });
      media.close();
      session.reject(503);
      return;
    }
    if (session.isEnded) {
      // CANCELled (or closed) while the ports were being bound: its 'ended' has been and gone.
      media.close();
      return;
    }
    const call = this.track(new Call(session, media, session.remoteIdentity.uri.toString(), this.logger));
    if (this.listenerCount('incoming') === 0) {
      session.reject(480);
      return;
    }
    this.emit('incoming', call, session);
  }

  private track(call: Call): Call {
    this.calls.add(call);
    call.on('state', (state) => {
      // Audio follows the call that talks: connected, or playing early media.
      if ((state === 'connected' || state === 'early') && this.audioCall !== call) {
        this.audioCall?.media.detachAudio();
        this.audioCall = call;
        call.media.attachAudio(this.options.audio?.source, this.options.audio?.sink);
      }
    });
    call.on('ended', () => {
      this.calls.delete(call);
      if (this.audioCall === call) this.audioCall = undefined;
    });
    return call;
  }
}
