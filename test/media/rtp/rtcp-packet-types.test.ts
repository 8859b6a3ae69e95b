import { describe, expect, it } from 'vitest';
import { RtcpBye } from '../../../src/media/rtp/rtcp-bye.js';
import { RtcpParseError } from '../../../src/media/rtp/rtcp-parse-error.js';
import { RtcpReceiverReport } from '../../../src/media/rtp/rtcp-receiver-report.js';
import { RtcpSourceDescription, SdesItemType } from '../../../src/media/rtp/rtcp-source-description.js';
import { RtcpUnknownPacket } from '../../../src/media/rtp/rtcp-unknown-packet.js';
import { hex } from './hex.js';

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
