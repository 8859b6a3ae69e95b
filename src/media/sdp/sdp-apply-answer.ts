import { directionFlags, directionFromFlags } from './media-direction.js';
import type { NegotiatedMedia } from './negotiated-media.js';
import { remoteEndpoint } from './sdp-answer.js';
import {
  audioCodecOf,
  isUsableTelephoneEvent,
  mediaDirection,
  parseSessionDescription,
  resolveFormats,
  sendPacketTime,
} from './sdp-description.js';
import { SdpError } from './sdp-error.js';

/**
 * Reads the answer to one of our offers (RFC 3264 §6, §7). The answer must
 * have as many m-lines as the offer and must not reject our audio stream; the
 * codec is the first format of the answer that we offered (the answerer's
 * preference), and our direction is what we offered narrowed by what the
 * answerer accepts (its recvonly answer to our sendrecv lets us only send).
 */
export function applyAnswer(offerText: string, answerText: string): NegotiatedMedia {
  const offer = parseSessionDescription(offerText);
  const answer = parseSessionDescription(answerText);
  if (answer.media.length !== offer.media.length) {
    throw new SdpError('bad-answer', `answer has ${answer.media.length} m-lines, the offer had ${offer.media.length} (RFC 3264 §6)`);
  }
  const audioIndex = offer.media.findIndex((m) => m.type === 'audio' && m.port !== 0);
  if (audioIndex < 0) throw new SdpError('no-audio', 'our offer has no audio stream');
  const offered = offer.media[audioIndex]!;
  const media = answer.media[audioIndex]!;
  if (media.type !== 'audio') throw new SdpError('bad-answer', `answer m-line ${audioIndex + 1} is ${media.type}, not audio`);
  if (media.port === 0) throw new SdpError('no-common-codec', 'the answer rejects our audio stream (port 0)');

  const offeredFormats = resolveFormats(offered);
  const answered = resolveFormats(media);
  const codecFormat = answered.find((f) => {
    const name = audioCodecOf(f);
    return name !== undefined && offeredFormats.some((o) => audioCodecOf(o) === name);
  });
  if (codecFormat === undefined) throw new SdpError('no-common-codec', 'the answer has no codec that we offered');
  const offeredDtmf = offeredFormats.some(isUsableTelephoneEvent);
  const dtmf = offeredDtmf ? answered.find(isUsableTelephoneEvent) : undefined;

  const remote = remoteEndpoint(answer, media);
  const local = directionFlags(mediaDirection(offer, offered));
  const theirs = directionFlags(mediaDirection(answer, media));
  if (remote.nullAddress) theirs.recv = false;
  const flags = { send: local.send && theirs.recv, recv: local.recv && theirs.send };
  return {
    remoteAddress: remote.address,
    remoteRtpPort: media.port,
    remoteRtcpAddress: remote.rtcp.address,
    remoteRtcpPort: remote.rtcp.port,
    codec: { name: audioCodecOf(codecFormat)!, pt: codecFormat.pt, clockRate: 8000 },
    dtmfPt: dtmf?.pt,
    ptime: sendPacketTime(media),
    direction: directionFromFlags(flags),
    send: flags.send,
    recv: flags.recv,
    // Their recvonly answer to our sendonly is our hold; theirs is refusing what we would send.
    remoteHold: remote.nullAddress || (local.send && !theirs.recv),
  };
}
