import type { LocalMediaOptions, MediaLineSlot, NegotiatedMedia } from './negotiated-media.js';
import { negotiateAnswer, type SdpAnswerResult } from './sdp-answer.js';
import { applyAnswer } from './sdp-apply-answer.js';
import { SdpError } from './sdp-error.js';
import { createOffer } from './sdp-offer.js';
import { SdpOrigin } from './sdp-origin.js';

/** Our media settings for a dialog; the o= line is kept by the SdpOfferAnswer itself. */
export type LocalMediaSettings = Omit<LocalMediaOptions, 'sessionId' | 'sessionVersion'>;

/**
 * The offer/answer state of one dialog (RFC 3264 §4): at most one offer of ours
 * outstanding, the o= version raised with each description we send (§8), and
 * the m-line layout of the last exchange repeated in every later offer (§8).
 * The INVITE/UPDATE layer owns one per dialog.
 */
export class SdpOfferAnswer {
  private local: LocalMediaSettings;
  private readonly origin: SdpOrigin;
  private slots: MediaLineSlot[] | undefined;
  private pendingOffer: string | undefined;
  private negotiated: NegotiatedMedia | undefined;

  constructor(local: LocalMediaSettings, origin: SdpOrigin = new SdpOrigin()) {
    this.local = { ...local };
    this.origin = origin;
  }

  /** The media both sides agreed on last, if any exchange completed. */
  get current(): NegotiatedMedia | undefined {
    return this.negotiated;
  }

  /** True while an offer of ours waits for its answer. */
  get offerPending(): boolean {
    return this.pendingOffer !== undefined;
  }

  /** Changes our settings for the next description (e.g. `{ direction: 'sendonly' }` to hold, §8.4). */
  update(changes: Partial<LocalMediaSettings>): void {
    this.local = { ...this.local, ...changes };
  }

  /** Writes a new offer (initial INVITE, re-INVITE, UPDATE) and remembers it until its answer. */
  createOffer(): string {
    if (this.pendingOffer !== undefined) {
      throw new SdpError('bad-answer', 'an offer is already outstanding (RFC 3264 §4: one offer at a time)');
    }
    const text = createOffer(this.options(this.origin.nextVersion()), this.slots);
    this.pendingOffer = text;
    return text;
  }

  /** Applies the answer to our outstanding offer; throws SdpError when it is unusable. */
  applyAnswer(answerText: string): NegotiatedMedia {
    const offer = this.pendingOffer;
    if (offer === undefined) throw new SdpError('bad-answer', 'an answer arrived with no offer outstanding');
    this.pendingOffer = undefined;
    const media = applyAnswer(offer, answerText);
    if (this.slots === undefined) {
      this.slots = [{ type: 'audio', protocol: 'RTP/AVP', formats: '', audio: true }];
    }
    this.negotiated = media;
    return media;
  }

  /** Forgets our outstanding offer (its transaction failed: 488, 491, timeout); the old media stays. */
  rollback(): void {
    this.pendingOffer = undefined;
  }

  /** Answers a peer's offer; on success the new media is current. A refused offer changes nothing. */
  answerOffer(offerText: string): SdpAnswerResult {
    const result = negotiateAnswer(offerText, this.options(this.origin.peekVersion()));
    if (!result.ok) return result;
    this.origin.nextVersion();
    this.slots = result.slots;
    this.negotiated = result.session;
    return result;
  }

  private options(sessionVersion: number): LocalMediaOptions {
    return { ...this.local, sessionId: this.origin.sessionId, sessionVersion };
  }
}
