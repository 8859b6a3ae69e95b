import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { RtpPacket } from '../../../src/media/rtp/rtp-packet.js';
import { RtpParseError } from '../../../src/media/rtp/rtp-parse-error.js';
import { hex } from './hex.js';

function expectReject(buf: Buffer, reason: string): void {
  let caught: unknown;
  try {
    RtpPacket.deserialize(buf);
  } catch (error) {
    caught = error;
  }
  expect(caught).toBeInstanceOf(RtpParseError);
  expect((caught as RtpParseError).code).toBe('RTP_ERR_MALFORMED');
  expect((caught as RtpParseError).reason).toBe(reason);
}

describe('RtpPacket', () => {
  it('parses and re-serialises a minimal PCMU packet byte for byte', () => {
    const wire = hex('80 00 1234 000000a0 deadbeef ff ff 7f 00');
    const packet = RtpPacket.deserialize(wire);
    expect(packet.marker).toBe(false);
    expect(packet.payloadType).toBe(0);
    expect(packet.sequenceNumber).toBe(0x1234);
    expect(packet.timestamp).toBe(160);
    expect(packet.ssrc).toBe(0xdeadbeef);
    expect(packet.csrcs).toEqual([]);
    expect(packet.extension).toBeUndefined();
    expect(packet.paddingSize).toBe(0);
    expect(packet.payload).toEqual(hex('ff ff 7f 00'));
    expect(packet.serialize()).toEqual(wire);
  });

  it('handles marker, CSRC list and a large timestamp', () => {
    const wire = hex('82 88 ffff fffffff0 01020304 0a0b0c0d 11121314 d5d5');
    const packet = RtpPacket.deserialize(wire);
    expect(packet.marker).toBe(true);
    expect(packet.payloadType).toBe(8);
    expect(packet.sequenceNumber).toBe(65535);
    expect(packet.timestamp).toBe(0xfffffff0);
    expect(packet.csrcs).toEqual([0x0a0b0c0d, 0x11121314]);
    expect(packet.payload).toEqual(hex('d5d5'));
    expect(packet.serialize()).toEqual(wire);
  });

  it('keeps the header extension opaque and exact', () => {
    const wire = hex('90 00 0001 00000000 00000001 bede 0002 10ff0000 22aabbcc 0102');
    const packet = RtpPacket.deserialize(wire);
    expect(packet.extension?.profile).toBe(0xbede);
    expect(packet.extension?.data).toEqual(hex('10ff0000 22aabbcc'));
    expect(packet.payload).toEqual(hex('0102'));
    expect(packet.headerSize).toBe(24);
    expect(packet.serialize()).toEqual(wire);
  });

  it('accepts an empty extension and an empty payload', () => {
    const wire = hex('90 60 0001 00000000 00000001 0000 0000');
    const packet = RtpPacket.deserialize(wire);
    expect(packet.extension?.data.length).toBe(0);
    expect(packet.payload.length).toBe(0);
    expect(packet.serialize()).toEqual(wire);
  });

  it('removes padding from the payload and writes it back', () => {
    const wire = hex('a0 00 0002 00000140 00000001 aabbcc 00000004');
    const packet = RtpPacket.deserialize(wire);
    expect(packet.payload).toEqual(hex('aabbcc'));
    expect(packet.paddingSize).toBe(4);
    expect(packet.serialize()).toEqual(wire);
  });

  it('round-trips a packet with CSRCs, extension and padding together', () => {
    const wire = hex('b1 e5 0102 01020304 05060708 090a0b0c 1000 0001 cafebabe 6162 0002');
    const packet = RtpPacket.deserialize(wire);
    expect(packet.csrcs).toEqual([0x090a0b0c]);
    expect(packet.payloadType).toBe(0x65);
    expect(packet.marker).toBe(true);
    expect(packet.extension).toEqual({ profile: 0x1000, data: hex('cafebabe') });
    expect(packet.payload).toEqual(hex('6162'));
    expect(packet.paddingSize).toBe(2);
    expect(packet.serialize()).toEqual(wire);
  });

  it('does not copy the payload on parse', () => {
    const wire = hex('80 00 0001 00000000 00000001 0102');
    const packet = RtpPacket.deserialize(wire);
    wire[12] = 0x99;
    expect(packet.payload[0]).toBe(0x99);
  });

  it('rejects malformed packets with a typed error', () => {
    expectReject(hex(''), 'truncated');
    expectReject(hex('80 00 0001 00000000 000000'), 'truncated');
    expectReject(hex('40 00 0001 00000000 00000001'), 'version');
    expectReject(hex('c0 00 0001 00000000 00000001'), 'version');
    expectReject(hex('82 00 0001 00000000 00000001 00000002'), 'truncated'); // CC=2, one CSRC present
    expectReject(hex('90 00 0001 00000000 00000001 bede'), 'truncated'); // extension header cut
    expectReject(hex('90 00 0001 00000000 00000001 bede 0002 00000000'), 'truncated'); // extension data cut
    expectReject(hex('a0 00 0001 00000000 00000001 aabb 00'), 'padding'); // count 0
    expectReject(hex('a0 00 0001 00000000 00000001 aa 05'), 'padding'); // count beyond payload
    expectReject(hex('b0 00 0001 00000000 00000001 bede 0000 02'), 'padding'); // padding eats into the extension
  });

  it('refuses to serialise out-of-range fields', () => {
    const base = { payloadType: 0, sequenceNumber: 1, timestamp: 0, ssrc: 1, payload: Buffer.alloc(0) };
    expect(() => new RtpPacket({ ...base, payloadType: 128 }).serialize()).toThrow(RangeError);
    expect(() => new RtpPacket({ ...base, sequenceNumber: 65536 }).serialize()).toThrow(RangeError);
    expect(() => new RtpPacket({ ...base, csrcs: new Array(16).fill(1) }).serialize()).toThrow(RangeError);
    expect(() => new RtpPacket({ ...base, extension: { profile: 1, data: Buffer.alloc(3) } }).serialize()).toThrow(RangeError);
    expect(() => new RtpPacket({ ...base, paddingSize: 256 }).serialize()).toThrow(RangeError);
  });

  it('round-trips arbitrary valid packets (property)', () => {
    const packetArb = fc.record({
      marker: fc.boolean(),
      payloadType: fc.integer({ min: 0, max: 127 }),
      sequenceNumber: fc.integer({ min: 0, max: 0xffff }),
      timestamp: fc.nat({ max: 0xffffffff }),
      ssrc: fc.nat({ max: 0xffffffff }),
      csrcs: fc.array(fc.nat({ max: 0xffffffff }), { maxLength: 15 }),
      extension: fc.option(
        fc.record({
          profile: fc.integer({ min: 0, max: 0xffff }),
          data: fc.integer({ min: 0, max: 8 }).chain((words) =>
            fc.uint8Array({ minLength: words * 4, maxLength: words * 4 }).map((a) => Buffer.from(a)),
          ),
        }),
        { nil: undefined },
      ),
      paddingSize: fc.integer({ min: 0, max: 255 }),
      payload: fc.uint8Array({ maxLength: 200 }).map((a) => Buffer.from(a)),
    });
    fc.assert(
      fc.property(packetArb, (init) => {
        const wire = new RtpPacket(init).serialize();
        const parsed = RtpPacket.deserialize(wire);
        expect(parsed.marker).toBe(init.marker);
        expect(parsed.payloadType).toBe(init.payloadType);
        expect(parsed.sequenceNumber).toBe(init.sequenceNumber);
        expect(parsed.timestamp).toBe(init.timestamp);
        expect(parsed.ssrc).toBe(init.ssrc);
        expect(parsed.csrcs).toEqual(init.csrcs);
        expect(parsed.extension).toEqual(init.extension);
        expect(parsed.paddingSize).toBe(init.paddingSize);
        expect(parsed.payload).toEqual(init.payload);
        expect(parsed.serialize()).toEqual(wire);
      }),
      { numRuns: 300 },
    );
  });

  it('either parses or throws RtpParseError on arbitrary bytes (property)', () => {
    fc.assert(
      fc.property(fc.uint8Array({ maxLength: 80 }), (bytes) => {
        const buf = Buffer.from(bytes);
        if (buf.length > 0) buf[0] = (buf[0]! & 0x3f) | 0x80; // mostly version 2, to reach the deeper checks
        try {
          const packet = RtpPacket.deserialize(buf);
          expect(packet.serializedSize).toBe(buf.length);
        } catch (error) {
          expect(error).toBeInstanceOf(RtpParseError);
        }
      }),
      { numRuns: 500 },
    );
  });
});
