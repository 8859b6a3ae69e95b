import { silentLogger, type Logger } from '../log/logger.js';
import { toDtmfDigit } from '../media/dtmf/dtmf-digit.js';
import { DTMF_RELAY_CONTENT_TYPE, isDtmfInfoContentType, parseDtmfInfoBody, serializeDtmfRelayBody } from '../media/dtmf/dtmf-info-body.js';
import type { RtpSessionStats } from '../media/rtp-session/rtp-session-options.js';
import type { InviteSession } from '../sip/sessions/invite-session.js';
import { IncomingInviteSession } from '../sip/sessions/incoming-invite-session.js';
import { OutgoingInviteSession } from '../sip/sessions/outgoing-invite-session.js';
import type { SessionEndedInfo, SessionProgressInfo } from '../sip/sessions/session-events.js';
import { PortierError } from '../util/portier-error.js';
import { TypedEmitter } from '../util/typed-emitter.js';
import type { CallMedia } from './call-media.js';
import type { DtmfPress } from './dtmf-press.js';

/** Where a call stands, as the door station shows it. */
export type CallState = 'calling' | 'ringing' | 'early' | 'incoming' | 'connected' | 'ended';

/** Events of a call. */
export type CallEvents = {
  state: [state: CallState];
  progress: [info: SessionProgressInfo];
  dtmf: [press: DtmfPress];
  ended: [info: SessionEndedInfo];
};

/**
 * One phone call: the SIP INVITE session and its media joined. Key presses from
 * RFC 4733, SIP INFO and (opt-in) in-band detection all arrive as `dtmf`; the media's
 * death (RTP inactivity) ends the call.
 */
export class Call extends TypedEmitter<CallEvents> {
  private current: CallState;
  readonly startedAt = Date.now();
  connectedAt: number | undefined;
  private readonly logger: Logger;

  constructor(
    readonly session: InviteSession,
    readonly media: CallMedia,
    /** The peer: callee for outgoing calls, caller for incoming ones. */
    readonly remote: string,
    logger: Logger = silentLogger,
  ) {
    super();
    this.logger = logger.child({ component: 'call', callId: session.id });
    this.current = session instanceof IncomingInviteSession ? 'incoming' : 'calling';
    session.on('progress', (info) => {
      this.emit('progress', info);
      if (this.current === 'calling' || this.current === 'ringing') this.setState(info.earlyMedia ? 'early' : info.status === 100 ? 'calling' : 'ringing');
    });
    session.on('accepted', () => {
      this.connectedAt = Date.now();
      this.setState('connected');
    });
    session.on('ended', (info) => {
      media.close();
      this.setState('ended');
      this.emit('ended', info);
      this.removeAllListeners();
    });
    session.on('info', (message) => {
      const type = message.contentType ?? '';
      if (!isDtmfInfoContentType(type)) return;
      try {
        const signal = parseDtmfInfoBody(type, message.body);
        this.emit('dtmf', { digit: signal.digit, source: 'info', ...(signal.durationMs !== undefined ? { durationMs: signal.durationMs } : {}) });
      } catch (error) {
        this.logger.warn('INFO with an unreadable DTMF body', { error });
      }
    });
    media.on('dtmf', (press) => this.emit('dtmf', press));
    media.on('inactive', (ms) => {
      this.logger.warn('no RTP; ending the call', { silentMs: ms });
      void this.hangUp();
    });
  }

  get state(): CallState {
    return this.current;
  }

  get direction(): 'outgoing' | 'incoming' {
    return this.session instanceof IncomingInviteSession ? 'incoming' : 'outgoing';
  }

  /** Media counters (packets, loss, jitter, RTT). */
  get stats(): RtpSessionStats | undefined {
    try {
      return this.media.rtp.stats;
    } catch {
      return undefined;
    }
  }

  /** Ends the call whatever its state: CANCEL before an answer, BYE after, 486/603 for an unanswered incoming call. */
  async hangUp(): Promise<void> {
    if (this.current === 'ended') return;
    const s = this.session;
    if (s instanceof OutgoingInviteSession || s instanceof IncomingInviteSession) await s.terminate();
    else await s.bye();
  }

  /** Sends keys to the far end: RFC 4733 or in-band per the DTMF mode, SIP INFO otherwise. */
  async sendDtmf(digits: string): Promise<void> {
    for (const ch of digits) {
      const digit = toDtmfDigit(ch);
      if (digit === undefined) throw new PortierError('PORTIER_ERR_DTMF_DIGIT', `"${ch}" is not a DTMF key (0-9, *, #, A-D)`);
      if (this.media.sendDtmf(digit)) continue;
      await this.session.info(DTMF_RELAY_CONTENT_TYPE, serializeDtmfRelayBody({ digit, durationMs: 160 }));
    }
  }

  private setState(state: CallState): void {
    if (state === this.current) return;
    this.current = state;
    this.emit('state', state);
  }
}
