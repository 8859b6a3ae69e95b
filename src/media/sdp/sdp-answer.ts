import type { MediaDescription, SessionDescription } from 'sdp-transform';
import { answerDirection, directionFlags, directionFromFlags } from './media-direction.js';
import type { AudioCodecName, LocalMediaOptions, MediaLineSlot, NegotiatedMedia } from './negotiated-media.js';
import {
  audioCodecOf,
  connectionAddress,
  formatList,
  isNullAddress,
  isUsableTelephoneEvent,
  mediaDirection,
  parseSessionDescription,
  resolveFormats,
  rtcpDestination,
  sendPacketTime,
  type ResolvedFormat,
} from './sdp-description.js';
import { SdpError } from './sdp-error.js';
import { TELEPHONE_EVENT_FMTP } from './sdp-offer.js';
import { writeLocalDescription, type WrittenFormat } from './sdp-writer.js';

/** The outcome of answering an offer. */
export type SdpAnswerResult =
  | {
      ok: true;
      answerText: string;
      session: NegotiatedMedia;
      /** The m-line layout, for the next offer in this dialog. */
      slots: MediaLineSlot[];
    }
  | {
      ok: false;
      /** 488 Not Acceptable Here (RFC 3261 §21.4.26), with the reason in `error`. */
      status: 488;
      error: SdpError;
    };

/** The transport profile we speak; SRTP (RTP/SAVP) and AVPF offers are declined. */
const RTP_AVP = 'RTP/AVP';

interface AudioChoice {
  codec: ResolvedFormat & { codecName: AudioCodecName };
  dtmf: ResolvedFormat | undefined;
}

/**
 * Answers an offer (RFC 3264 §6): accepts the first audio stream over RTP/AVP
 * that has a codec in common, rejects every other stream with port 0 keeping
 * the m-lines in order (video, T.38 image, a second audio stream). The codec
 * is the first of `local.codecs` the offer contains (our preference; §6.1
 * lets the answerer choose), and only that one is answered so both directions
 * use the same codec. telephone-event keeps the offer's payload type (§6.1).
 */
export function negotiateAnswer(offerText: string, local: LocalMediaOptions): SdpAnswerResult {
  try {
    return answer(offerText, local);
  } catch (error) {
    if (error instanceof SdpError) return { ok: false, status: 488, error };
    throw error;
  }
}

function answer(offerText: string, local: LocalMediaOptions): SdpAnswerResult & { ok: true } {
  const offer = parseSessionDescription(offerText);
  let audioIndex = -1;
  let choice: AudioChoice | undefined;
  let sawAudio = false;
  for (const [index, media] of offer.media.entries()) {
    if (media.type !== 'audio' || media.port === 0) continue;
    sawAudio = true;
    if (choice !== undefined || media.protocol.toUpperCase() !== RTP_AVP) continue;
    const found = chooseFormats(resolveFormats(media), local);
    if (found !== undefined) {
      choice = found;
      audioIndex = index;
    }
  }
  if (!sawAudio) throw new SdpError('no-audio', 'the offer has no audio stream');
  if (choice === undefined) throw new SdpError('no-common-codec', `no RTP/AVP audio stream offers ${local.codecs.join(' or ')}`);

  const media = offer.media[audioIndex]!;
  const offered = mediaDirection(offer, media);
  const remote = remoteEndpoint(offer, media);
  // RFC 2543 hold: c=0.0.0.0 means "do not send to me", whatever the attribute says.
  const remoteFlags = directionFlags(offered);
  if (remote.nullAddress) remoteFlags.recv = false;
  const direction = answerDirection(directionFromFlags(remoteFlags), local.direction);
  const ours = directionFlags(direction);

  const formats: WrittenFormat[] = [{ pt: choice.codec.pt, name: choice.codec.codecName, rate: 8000 }];
  if (choice.dtmf !== undefined) {
    formats.push({ pt: choice.dtmf.pt, name: 'telephone-event', rate: 8000, fmtp: TELEPHONE_EVENT_FMTP });
  }
  const slots: MediaLineSlot[] = offer.media.map((m, index) => ({
    type: m.type,
    protocol: m.protocol,
    formats: formatList(m),
    audio: index === audioIndex,
  }));
  const answerText = writeLocalDescription(local, { formats, direction }, slots);
  const session: NegotiatedMedia = {
    remoteAddress: remote.address,
    remoteRtpPort: media.port,
    remoteRtcpAddress: remote.rtcp.address,
    remoteRtcpPort: remote.rtcp.port,
    codec: { name: choice.codec.codecName, pt: choice.codec.pt, clockRate: 8000 },
    dtmfPt: choice.dtmf?.pt,
    ptime: sendPacketTime(media),
    direction,
    send: ours.send,
    recv: ours.recv,
    // The peer holds us when it stops receiving: sendonly/inactive (RFC 3264 §8.4) or c=0.0.0.0.
    remoteHold: remote.nullAddress || !directionFlags(offered).recv,
  };
  return { ok: true, answerText, session, slots };
}

function chooseFormats(formats: ResolvedFormat[], local: LocalMediaOptions): AudioChoice | undefined {
  let codec: AudioChoice['codec'] | undefined;
  for (const wanted of local.codecs) {
    const format = formats.find((f) => audioCodecOf(f) === wanted);
    if (format !== undefined) {
      codec = { ...format, codecName: wanted };
      break;
    }
  }
  if (codec === undefined) return undefined;
  const dtmf = local.telephoneEvent ? formats.find(isUsableTelephoneEvent) : undefined;
  return { codec, dtmf };
}

/** The peer's RTP and RTCP addresses for a stream; throws when the stream has no c= at either level. */
export function remoteEndpoint(
  session: SessionDescription,
  media: MediaDescription,
): { address: string; nullAddress: boolean; rtcp: { address: string; port: number } } {
  const address = connectionAddress(session, media);
  if (address === undefined || address === '') throw new SdpError('malformed', 'the audio stream has no c= address');
  return { address, nullAddress: isNullAddress(address), rtcp: rtcpDestination(media, address) };
}
