import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { RtcpBye } from '../../../src/media/rtp/rtcp-bye.js';
import { RtcpCompoundPacket } from '../../../src/media/rtp/rtcp-compound-packet.js';
import { isRtcpPacket } from '../../../src/media/rtp/rtcp-header.js';
import { RtcpParseError } from '../../../src/media/rtp/rtcp-parse-error.js';
import { RtcpReceiverReport } from '../../../src/media/rtp/rtcp-receiver-report.js';
import { RtcpSenderReport } from '../../../src/media/rtp/rtcp-sender-report.js';
import { RtcpSourceDescription } from '../../../src/media/rtp/rtcp-source-description.js';
import { hex } from './hex.js';

const SR = hex(`
  81 c8 000c 11223344
  e54b1c80 80000000 00001f40 00000064 00003e80
  55667788 40 fffffe 00010005 00000028 1c808000 00010000`);
const RR_EMPTY = hex('80 c9 0001 11223344');
const SDES = hex('81 ca 0004 11223344 01 09 7573657240686f7374 00');
const BYE = hex('81 cb 0003 11223344 06 68616e67757000');
const APP = hex('80 cc 0002 11223344 50525452');

function rejection(fn: () => unknown): RtcpParseError {
  try {
    fn();
  } catch (error) {
    expect(error).toBeInstanceOf(RtcpParseError);
    expect((error as RtcpParseError).code).toBe('RTCP_ERR_MALFORMED');
    return error as RtcpParseError;
  }
  throw new Error('expected a parse error');
}

describe('RtcpCompoundPacket', () => {
  const compound = Buffer.concat([SR, SDES, BYE, APP]);

  it('parses SR + SDES + BYE + APP and re-serialises byte for byte', () => {
    const packet = RtcpCompoundPacket.deserialize(compound);
    expect(packet.packets.map((p) => p.packetType)).toEqual([200, 202, 203, 204]);
    expect(packet.ofType(RtcpSenderReport)[0]?.packetCount).toBe(100);
    expect(packet.ofType(RtcpSourceDescription)[0]?.canonicalName(0x11223344)).toBe('user@host');
    expect(packet.ofType(RtcpBye)[0]?.reason).toBe('hangup');
    expect(packet.serialize()).toEqual(compound);
  });

  it('builds a compound packet from objects', () => {
    const built = new RtcpCompoundPacket([
      new RtcpReceiverReport({ ssrc: 0x11223344 }),
      RtcpSourceDescription.withCanonicalName(0x11223344, 'user@host'),
    ]).serialize();
    expect(built).toEqual(Buffer.concat([RR_EMPTY, SDES]));
  });

  it('applies the A.2 validity checks', () => {
    expect(rejection(() => RtcpCompoundPacket.deserialize(Buffer.alloc(0))).reason).toBe('truncated');
    expect(rejection(() => RtcpCompoundPacket.deserialize(Buffer.concat([SDES, SR]))).reason).toBe('compound');
    expect(RtcpCompoundPacket.deserialize(SDES, { allowReducedSize: true }).packets).toHaveLength(1);
    const badVersion = Buffer.from(compound);
    badVersion[SR.length] = 0x41;
    expect(rejection(() => RtcpCompoundPacket.deserialize(badVersion)).reason).toBe('version');
    expect(rejection(() => RtcpCompoundPacket.deserialize(compound.subarray(0, compound.length - 2))).reason).toBe('length');
    const paddedFirst = Buffer.concat([hex('a0 c9 0002 11223344 00000004'), SDES]);
    expect(rejection(() => RtcpCompoundPacket.deserialize(paddedFirst)).reason).toBe('padding');
    expect(RtcpCompoundPacket.deserialize(Buffer.concat([RR_EMPTY, hex('a0 c9 0002 11223344 00000004')])).packets).toHaveLength(2);
  });

  it('tells RTCP from RTP on a muxed port', () => {
    expect(isRtcpPacket(SR)).toBe(true);
    expect(isRtcpPacket(APP)).toBe(true);
    expect(isRtcpPacket(hex('80 00 0001 00000000 00000001'))).toBe(false);
    expect(isRtcpPacket(hex('80 e0 0001 00000000 00000001'))).toBe(false); // M=1, PT=96
  });

  it('round-trips arbitrary report packets (property)', () => {
    const u32 = fc.nat({ max: 0xffffffff });
    const block = fc.record({
      ssrc: u32,
      fractionLost: fc.integer({ min: 0, max: 255 }),
      cumulativeLost: fc.integer({ min: -0x800000, max: 0x7fffff }),
      extendedHighestSequence: u32,
      jitter: u32,
      lastSenderReport: u32,
      delaySinceLastSenderReport: u32,
    });
    const reports = fc.array(block, { maxLength: 31 });
    const sr = fc
      .record({ ssrc: u32, seconds: u32, fraction: u32, rtpTimestamp: u32, packetCount: u32, octetCount: u32, reports })
      .map((f) => new RtcpSenderReport({ ...f, ntp: { seconds: f.seconds, fraction: f.fraction } }));
    const rr = fc.record({ ssrc: u32, reports }).map((f) => new RtcpReceiverReport(f));
    const text = fc.string({ maxLength: 60 });
    const sdes = fc
      .array(fc.record({ ssrc: u32, items: fc.array(fc.record({ type: fc.integer({ min: 1, max: 8 }), value: text }), { maxLength: 3 }) }), { maxLength: 4 })
      .map((chunks) => new RtcpSourceDescription(chunks));
    const bye = fc.record({ ssrcs: fc.array(u32, { maxLength: 31 }), reason: fc.option(text, { nil: undefined }) })
      .map((f) => new RtcpBye(f.ssrcs, f.reason));
    fc.assert(
      fc.property(fc.oneof(sr, rr), fc.array(fc.oneof(sdes, bye), { maxLength: 3 }), (first, rest) => {
        const wire = new RtcpCompoundPacket([first, ...rest]).serialize();
        const parsed = RtcpCompoundPacket.deserialize(wire);
        expect(parsed.packets.map((p) => p.packetType)).toEqual([first, ...rest].map((p) => p.packetType));
        expect(parsed.serialize()).toEqual(wire);
        expect(parsed.packets[0]).toMatchObject({ ssrc: first.ssrc, reports: first.reports });
      }),
      { numRuns: 200 },
    );
  });
});
