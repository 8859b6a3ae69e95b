import { describe, expect, it } from 'vitest';
import { RtcpParseError } from '../../../src/media/rtp/rtcp-parse-error.js';
import { RtcpReceiverReport } from '../../../src/media/rtp/rtcp-receiver-report.js';
import type { ReportBlock } from '../../../src/media/rtp/rtcp-report-block.js';
import { RtcpSenderReport } from '../../../src/media/rtp/rtcp-sender-report.js';
import { hex } from './hex.js';

const SR = hex(`
  81 c8 000c 11223344
  e54b1c80 80000000 00001f40 00000064 00003e80
  55667788 40 fffffe 00010005 00000028 1c808000 00010000`);

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
