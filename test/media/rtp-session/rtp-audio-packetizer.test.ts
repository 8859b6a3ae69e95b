import { describe, expect, it } from 'vitest';
import { PcmaCodec } from '../../../src/media/codec/pcma-codec.js';
import { PcmuCodec } from '../../../src/media/codec/pcmu-codec.js';
import { TelephoneEventReceiver } from '../../../src/media/dtmf/telephone-event-receiver.js';
import { TelephoneEventPayload } from '../../../src/media/dtmf/telephone-event-payload.js';
import { RtpAudioPacketizer, type OutgoingRtp } from '../../../src/media/rtp-session/rtp-audio-packetizer.js';
import { RtpSessionError } from '../../../src/media/rtp-session/rtp-session-error.js';

const pcmu = new PcmuCodec();
const FORMAT = { codec: pcmu, pt: 0, dtmfPt: 101, ptime: 20 };

function frame(value: number, samples = 160): Int16Array {
  return new Int16Array(samples).fill(value);
}

function make(overrides: Partial<typeof FORMAT> = {}, init = { ssrc: 0x1234, initialSequence: 100, initialTimestamp: 5000 }) {
  return new RtpAudioPacketizer({ ...FORMAT, ...overrides }, init);
}

const header = (o: OutgoingRtp) => [o.packet.payloadType, o.packet.sequenceNumber, o.packet.timestamp, o.packet.marker];

describe('RtpAudioPacketizer', () => {
  it('makes one packet per 20 ms frame: seq +1, timestamp +160, marker on the first only, G.711 payload', () => {
    const p = make();
    const out = [frame(1000), frame(-2000), frame(3000)].flatMap((f) => p.pushAudio(f));
    expect(out.map(header)).toEqual([
      [0, 100, 5000, true],
      [0, 101, 5160, false],
      [0, 102, 5320, false],
    ]);
    expect(out[1]!.packet.ssrc).toBe(0x1234);
    expect(out[1]!.packet.payload).toEqual(pcmu.encode(frame(-2000)));
    expect(out[2]!.periodTimestamp).toBe(5320);
  });

  it('makes the same packets from whole 20 ms frames as from the same audio in uneven pieces', () => {
    const audio = Int16Array.from({ length: 160 * 6 }, (_, i) => Math.round(9000 * Math.sin(i / 7)));
    const whole = make();
    const pieces = make();
    const fromWhole = [0, 1, 2, 3, 4, 5].flatMap((k) => whole.pushAudio(audio.subarray(k * 160, (k + 1) * 160)));
    const fromPieces = [0, 70, 230, 231, 500, 960].slice(1).flatMap((end, k, ends) => pieces.pushAudio(audio.subarray(k === 0 ? 0 : ends[k - 1]!, end)));
    pieces.pushAudio(audio.subarray(0, 0));
    expect(fromWhole.map((o) => o.packet.serialize())).toEqual(fromPieces.map((o) => o.packet.serialize()));
    expect(fromWhole).toHaveLength(6);
    expect(pcmu.decode(fromWhole[3]!.packet.payload)).toEqual(pcmu.decode(pcmu.encode(audio.subarray(480, 640))));
  });

  it('cuts packets at the negotiated ptime whatever the frame size (30 ms from 20 ms frames)', () => {
    const p = make({ ptime: 30 });
    const out = [frame(1), frame(2), frame(3)].flatMap((f) => p.pushAudio(f));
    expect(out.map((o) => [o.packet.timestamp, o.packet.payload.length])).toEqual([
      [5000, 240],
      [5240, 240],
    ]);
    expect(Array.from(pcmu.decode(out[0]!.packet.payload).subarray(150, 170))).toEqual([
      ...Array<number>(10).fill(pcmu.decode(pcmu.encode(frame(1, 1)))[0]!),
      ...Array<number>(10).fill(pcmu.decode(pcmu.encode(frame(2, 1)))[0]!),
    ]);
  });

  it('keeps the timestamp advancing over skipped frames, and marks the next talkspurt', () => {
    const p = make();
    p.pushAudio(frame(1));
    expect(p.skip(160)).toEqual([]);
    expect(p.skip(160)).toEqual([]);
    expect(p.pushAudio(frame(1)).map(header)).toEqual([[0, 101, 5480, true]]);
    expect(p.pushSilence(160).map(header)).toEqual([[0, 102, 5640, false]]);
  });

  it('sends nothing while not sending (hold), but time goes on', () => {
    const p = make();
    p.pushAudio(frame(1));
    p.sending = false;
    expect(p.pushAudio(frame(1))).toEqual([]);
    p.sending = true;
    expect(p.pushAudio(frame(1)).map(header)).toEqual([[0, 101, 5320, true]]);
  });

  it('wraps sequence number and timestamp', () => {
    const p = make({}, { ssrc: 1, initialSequence: 0xffff, initialTimestamp: 0xffffffff - 100 });
    const out = [frame(1), frame(1)].flatMap((f) => p.pushAudio(f));
    expect(out.map((o) => [o.packet.sequenceNumber, o.packet.timestamp])).toEqual([
      [0xffff, 0xffffffff - 100],
      [0, 59],
    ]);
    expect(() => out[1]!.packet.serialize()).not.toThrow();
  });

  it('replaces audio by RFC 4733 events while a key is sent, on the same clock, and the far end hears it once', () => {
    const p = make();
    p.pushAudio(frame(500));
    p.sendDtmf('7', { durationMs: 100 });
    expect(p.dtmfIdle).toBe(false);
    const out: OutgoingRtp[] = [];
    for (let i = 0; i < 12; i++) out.push(...p.pushAudio(frame(500)));
    const kinds = out.map((o) => (o.packet.payloadType === 101 ? 'E' : 'A'));
    // 5 periods of event (100 ms), end packet sent three times in all, then audio again.
    expect(kinds.join('')).toBe('EEEEEEEAAAAA');
    const events = out.filter((o) => o.packet.payloadType === 101);
    expect(events.every((o) => o.packet.timestamp === 5160)).toBe(true);
    expect(events.map((o) => o.packet.marker)).toEqual([true, false, false, false, false, false, false]);
    expect(TelephoneEventPayload.deserialize(events[4]!.packet.payload)).toMatchObject({ event: 7, end: true, duration: 800 });
    // Sequence numbers run on without a gap; the first audio packet after the event starts a talkspurt.
    expect(out.map((o) => o.packet.sequenceNumber)).toEqual(Array.from({ length: 12 }, (_, i) => 101 + i));
    const firstAudio = out[7]!;
    expect([firstAudio.packet.timestamp, firstAudio.packet.marker]).toEqual([5160 + 7 * 160, true]);
    expect(out.map((o) => o.periodTimestamp)).toEqual(Array.from({ length: 12 }, (_, i) => 5160 + i * 160));

    const receiver = new TelephoneEventReceiver();
    const keys = events.flatMap((o) => receiver.process({ timestamp: o.packet.timestamp, marker: o.packet.marker, payload: o.packet.payload }));
    expect(keys).toEqual([{ digit: '7', durationMs: 100 }]);
  });

  it('sends DTMF even while capture underruns (skipped frames)', () => {
    const p = make();
    p.sendDtmf('1', { durationMs: 40 });
    const out = [p.skip(160), p.skip(160)].flat();
    expect(out.map((o) => o.packet.payloadType)).toEqual([101, 101]);
  });

  it('refuses DTMF when the peer has no telephone-event', () => {
    const p = make({ dtmfPt: undefined });
    expect(p.canSendDtmf).toBe(false);
    expect(() => p.sendDtmf('1')).toThrow(RtpSessionError);
    try {
      p.sendDtmf('1');
    } catch (error) {
      expect((error as RtpSessionError).reason).toBe('no-telephone-event');
    }
  });

  it('switches codec and packet time on setFormat, counting a partial packet\'s time and marking the next', () => {
    const p = make();
    p.pushAudio(frame(1));
    p.pushAudio(frame(1, 80));
    const pcma = new PcmaCodec();
    p.setFormat({ codec: pcma, pt: 8, dtmfPt: 101, ptime: 40 });
    const out = [frame(9), frame(9)].flatMap((f) => p.pushAudio(f));
    expect(out.map(header)).toEqual([[8, 101, 5240, true]]);
    expect(out[0]!.packet.payload).toEqual(pcma.encode(frame(9, 320)));
  });
});
