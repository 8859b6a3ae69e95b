import { silentLogger, type Logger } from '../log/logger.js';
import type { AudioSink } from '../media/audio/audio-sink.js';
import type { AudioSource } from '../media/audio/audio-source.js';
import type { TimeSource } from '../media/clock/time-source.js';
import { GoertzelDtmfDetector } from '../media/dtmf/goertzel-dtmf-detector.js';
import { RtpSession } from '../media/rtp-session/rtp-session.js';
import type { PortRange } from '../media/rtp-session/udp-port-pair.js';
import type { AudioCodecName, NegotiatedMedia } from '../media/sdp/negotiated-media.js';
import { applyAnswer } from '../media/sdp/sdp-apply-answer.js';
import { SdpOfferAnswer } from '../media/sdp/sdp-offer-answer.js';
import { DtmfToneGenerator } from '../media/tones/dtmf-tone-generator.js';
import type { AnswerOptions, OfferRejection, SessionDescriptionHandler } from '../sip/sessions/session-description-handler.js';
import { PortierError } from '../util/portier-error.js';
import { TypedEmitter } from '../util/typed-emitter.js';
import type { DtmfMode, DtmfPress } from './dtmf-press.js';

/** How a call's media is set up. */
export interface CallMediaOptions {
  /** Address to bind RTP on and to write into SDP. */
  address: string;
  portRange?: PortRange;
  codecs: AudioCodecName[];
  ptime?: number;
  dtmfMode: DtmfMode;
  inactivityTimeoutMs?: number;
  rtcpIntervalMs?: number;
  timeSource?: TimeSource;
  logger?: Logger;
}

/** Events of a call's media. */
export type CallMediaEvents = {
  /** Offer/answer completed (again): what is negotiated now. */
  negotiated: [media: NegotiatedMedia];
  dtmf: [press: DtmfPress];
  /** No RTP for the inactivity timeout: the media died. */
  inactive: [silentMs: number];
};

/**
 * The media half of a call: implements the SIP session's offer/answer delegate with
 * SDP (SdpOfferAnswer), runs the RtpSession that SDP describes, and moves audio
 * between the devices and RTP. The capture device clocks both directions: each
 * 20 ms frame captured sends one packet and plays one received frame.
 */
export class CallMedia extends TypedEmitter<CallMediaEvents> implements SessionDescriptionHandler {
  private rtpSession: RtpSession | undefined;
  private readonly sdp: SdpOfferAnswer;
  private source: AudioSource | undefined;
  private sink: AudioSink | undefined;
  private readonly inband: GoertzelDtmfDetector | undefined;
  private readonly dtmfTones = new DtmfToneGenerator();
  private readonly logger: Logger;
  private closed = false;
  /** Our last offer: a provisional answer, or a late final one from another fork, is read against it. */
  private lastOffer: string | undefined;
  private readonly onFrame = (frame: Int16Array) => this.tick(frame);
  private readonly onSkip = (periods: number) => {
    for (let i = 0; i < periods; i++) this.rtpSession?.skipFrame();
  };

  constructor(private readonly options: CallMediaOptions) {
    super();
    this.logger = (options.logger ?? silentLogger).child({ component: 'media' });
    this.sdp = new SdpOfferAnswer({
      address: options.address,
      rtpPort: 0,
      codecs: options.codecs,
      telephoneEvent: true,
      ...(options.ptime !== undefined ? { ptime: options.ptime } : {}),
      direction: 'sendrecv',
    });
    if (options.dtmfMode === 'inband') this.inband = new GoertzelDtmfDetector();
  }

  /** Binds the RTP/RTCP ports; must resolve before the first offer or answer. */
  async open(): Promise<void> {
    if (this.rtpSession || this.closed) return;
    const rtp = await RtpSession.open({
      address: this.options.address,
      ...(this.options.portRange ? { portRange: this.options.portRange } : {}),
      ...(this.options.inactivityTimeoutMs !== undefined ? { inactivityTimeoutMs: this.options.inactivityTimeoutMs } : {}),
      ...(this.options.rtcpIntervalMs !== undefined ? { rtcpIntervalMs: this.options.rtcpIntervalMs } : {}),
      ...(this.options.timeSource ? { timeSource: this.options.timeSource } : {}),
      logger: this.logger,
    });
    if (this.closed) {
      rtp.close();
      return;
    }
    this.rtpSession = rtp;
    this.sdp.update({ rtpPort: rtp.localRtpPort });
    rtp.on('dtmf', (digit, durationMs) => this.emit('dtmf', { digit, source: 'rfc4733', durationMs }));
    rtp.on('inactive', (ms) => this.emit('inactive', ms));
  }

  /** The RTP session (after open()). */
  get rtp(): RtpSession {
    if (!this.rtpSession) throw new PortierError('PORTIER_ERR_MEDIA_NOT_OPEN', 'call media used before open()');
    return this.rtpSession;
  }

  /** What is negotiated now, if anything. */
  get negotiated(): NegotiatedMedia | undefined {
    return this.sdp.current;
  }

  createOffer(): string {
    this.rtp;
    this.lastOffer = this.sdp.createOffer();
    return this.lastOffer;
  }

  receiveOffer(offer: string): { answer: string } | OfferRejection {
    this.rtp;
    const result = this.sdp.answerOffer(offer);
    if (!result.ok) {
      this.logger.warn('offer refused', { error: result.error });
      return { reject: 488 };
    }
    this.apply(result.session);
    return { answer: result.answerText };
  }

  /**
   * A provisional answer (early media) is applied without closing the offer, so that the 2xx's
   * answer can follow; a final answer to an offer already closed (a forked INVITE whose early
   * dialog with a reliable answer lost) still moves the media to the winner. Throws SdpError.
   */
  receiveAnswer(answer: string, options: AnswerOptions = {}): void {
    if (options.provisional || !this.sdp.offerPending) {
      const offer = this.lastOffer;
      if (offer === undefined) throw new PortierError('PORTIER_ERR_MEDIA_NO_OFFER', 'an SDP answer arrived before any offer of ours');
      this.apply(applyAnswer(offer, answer));
      return;
    }
    this.apply(this.sdp.applyAnswer(answer));
  }

  rollbackOffer(): void {
    this.sdp.rollback();
  }

  /** Puts the call on hold (sendonly) or resumes it; the caller sends the re-INVITE/UPDATE. */
  setHold(hold: boolean): void {
    this.sdp.update({ direction: hold ? 'sendonly' : 'sendrecv' });
  }

  /**
   * Connects the audio devices: `source` frames are sent and clock playout into `sink`.
   * Without a source, nothing is sent and nothing played (e.g. a parallel fork that lost).
   */
  attachAudio(source: AudioSource | undefined, sink: AudioSink | undefined): void {
    this.detachAudio();
    this.source = source;
    this.sink = sink;
    source?.on('frame', this.onFrame);
    source?.on('skip', this.onSkip);
  }

  detachAudio(): void {
    this.source?.off('frame', this.onFrame);
    this.source?.off('skip', this.onSkip);
    this.source = undefined;
    this.sink = undefined;
  }

  /**
   * Sends one key as RFC 4733 events or in-band tones, per the DTMF mode. Returns false
   * when the call must use SIP INFO instead (mode `info`, or `auto`/`rfc4733` without a
   * negotiated telephone-event).
   */
  sendDtmf(digit: string): boolean {
    const mode = this.options.dtmfMode;
    if (mode === 'info') return false;
    if (mode === 'inband') {
      this.dtmfTones.send(digit);
      return true;
    }
    if (this.rtpSession?.canSendDtmf) {
      this.rtpSession.sendDtmf(digit);
      return true;
    }
    return false;
  }

  /** Releases the RTP ports (RTCP BYE) and the devices. Idempotent. */
  close(): void {
    if (this.closed) return;
    this.closed = true;
    this.detachAudio();
    this.rtpSession?.close();
    this.removeAllListeners();
  }

  private apply(media: NegotiatedMedia): void {
    const rtp = this.rtp;
    if (rtp.negotiated === undefined) rtp.start(media);
    else rtp.updateRemote(media);
    this.emit('negotiated', media);
  }

  /** One capture period: one packet out, one frame played. */
  private tick(frame: Int16Array): void {
    const rtp = this.rtpSession;
    if (!rtp || rtp.negotiated === undefined) return;
    const tone = this.dtmfTones.nextFrame();
    rtp.sendAudioFrame(tone ?? frame);
    const received = rtp.readFrame();
    if (this.inband) {
      for (const digit of this.inband.process(received)) this.emit('dtmf', { digit, source: 'inband' });
    }
    this.sink?.write(received);
  }
}
