import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { RtcpBye } from '../../../src/media/rtp/rtcp-bye.js';
import { RtcpCompoundPacket } from '../../../src/media/rtp/rtcp-compound-packet.js';
import { isRtcpPacket } from '../../../src/media/rtp/rtcp-header.js';
import { RtcpParseError } from '../../../src/media/rtp/rtcp-parse-error.js';
import { RtcpReceiverReport } from '../../../src/media/rtp/rtcp-receiver-report.js';
import type { ReportBlock } from '../../../src/media/rtp/rtcp-report-block.js';
import { RtcpSenderReport } from '../../../src/media/rtp/rtcp-sender-report.js';
import { RtcpSourceDescription, SdesItemType } from '../../../src/media/rtp/rtcp-source-description.js';
import { RtcpUnknownPacket } from '../../../src/media/rtp/rtcp-unknown-packet.js';
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

describe('RTCP sender report', () => {
  it('parses the sender info and a report block with negative cumulative loss', () => {
    const sr = RtcpSenderReport.deserialize(SR);
    expect(sr.ssrc).toBe(0x11223344);
    expect(sr.ntp).toEqual({ seconds: 0xe54b1c80, fraction: 0x80000000 });
    expect(sr.rtpTimestamp).toBe(8000);
    expect(sr.packetCount).toBe(100);
    expect(sr.octetCount).toBe(16000);
    expect(sr.reports).toEqual<ReportBlock[]>([
      {
        ssrc: 0x55667788,
        fractionLost: 0x40,
        cumulativeLost: -2,
        extendedHighestSequence: 0x10005,
        jitter: 40,
        lastSenderReport: 0x1c808000,
        delaySinceLastSenderReport: 0x10000,
      },
    ]);
    expect(sr.serialize()).toEqual(SR);
  });

  it('keeps profile-specific extensions', () => {
    const wire = hex('80 c8 0007 11223344 00000001 00000002 00000003 00000004 00000005 a1a2a3a4');
    const sr = RtcpSenderReport.deserialize(wire);
    expect(sr.reports).toEqual([]);
    expect(sr.profileExtension).toEqual(hex('a1a2a3a4'));
    expect(sr.serialize()).toEqual(wire);
  });

  it('rejects an SR whose count promises more blocks than it has', () => {
    const wire = Buffer.from(SR);
    wire[0] = 0x82;
    expect(rejection(() => RtcpSenderReport.deserialize(wire)).reason).toBe('truncated');
  });

  it('clamps cumulative loss to 24 bits when writing', () => {
    const block: ReportBlock = {
      ssrc: 1, fractionLost: 0, cumulativeLost: 10_000_000, extendedHighestSequence: 0,
      jitter: 0, lastSenderReport: 0, delaySinceLastSenderReport: 0,
    };
    const rr = RtcpReceiverReport.deserialize(new RtcpReceiverReport({ ssrc: 2, reports: [block] }).serialize());
    expect(rr.reports[0]?.cumulativeLost).toBe(0x7fffff);
    const neg = RtcpReceiverReport.deserialize(
      new RtcpReceiverReport({ ssrc: 2, reports: [{ ...block, cumulativeLost: -10_000_000 }] }).serialize(),
    );
    expect(neg.reports[0]?.cumulativeLost).toBe(-0x800000);
  });
});

describe('RTCP receiver report, SDES, BYE, unknown', () => {
  it('round-trips the empty RR', () => {
    const rr = RtcpReceiverReport.deserialize(RR_EMPTY);
    expect(rr.ssrc).toBe(0x11223344);
    expect(rr.reports).toEqual([]);
    expect(rr.serialize()).toEqual(RR_EMPTY);
  });

  it('round-trips an SDES CNAME and builds the same bytes from scratch', () => {
    const sdes = RtcpSourceDescription.deserialize(SDES);
    expect(sdes.canonicalName(0x11223344)).toBe('user@host');
    expect(sdes.serialize()).toEqual(SDES);
    expect(RtcpSourceDescription.withCanonicalName(0x11223344, 'user@host').serialize()).toEqual(SDES);
  });

  it('pads an SDES chunk with a whole null word when the items end on a boundary', () => {
    // 2 + 2 octets of item → one null plus three of padding, ending the chunk on 32 bits.
    const wire = RtcpSourceDescription.withCanonicalName(7, 'ab').serialize();
    expect(wire).toEqual(hex('81 ca 0003 00000007 01 02 6162 00000000'));
    const two = new RtcpSourceDescription([
      { ssrc: 1, items: [{ type: SdesItemType.CanonicalName, value: 'ab' }, { type: SdesItemType.Tool, value: 'portier' }] },
      { ssrc: 2, items: [] },
    ]);
    const parsed = RtcpSourceDescription.deserialize(two.serialize());
    expect(parsed.chunks).toEqual(two.chunks);
    expect(parsed.serialize()).toEqual(two.serialize());
  });

  it('rejects an SDES item that overruns its packet', () => {
    const wire = hex('81 ca 0002 11223344 01 09 7573');
    expect(rejection(() => RtcpSourceDescription.deserialize(wire)).reason).toBe('truncated');
  });

  it('round-trips BYE with and without a reason', () => {
    const bye = RtcpBye.deserialize(BYE);
    expect(bye.ssrcs).toEqual([0x11223344]);
    expect(bye.reason).toBe('hangup');
    expect(bye.serialize()).toEqual(BYE);
    const bare = new RtcpBye([1, 2]).serialize();
    expect(bare).toEqual(hex('82 cb 0002 00000001 00000002'));
    expect(RtcpBye.deserialize(bare).reason).toBeUndefined();
  });

  it('strips padding from a padded packet', () => {
    const wire = hex('a0 c9 0002 11223344 00000004');
    const rr = RtcpReceiverReport.deserialize(wire);
    expect(rr.ssrc).toBe(0x11223344);
    expect(rr.profileExtension.length).toBe(0);
    expect(rejection(() => RtcpReceiverReport.deserialize(hex('a0 c9 0002 11223344 00000000'))).reason).toBe('padding');
  });

  it('keeps unknown packet types raw', () => {
    const app = RtcpUnknownPacket.deserialize(APP);
    expect(app.packetType).toBe(204);
    expect(app.serialize()).toEqual(APP);
  });
});

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
