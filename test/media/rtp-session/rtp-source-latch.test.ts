import { describe, expect, it } from 'vitest';
import { RtpSourceLatch } from '../../../src/media/rtp-session/rtp-source-latch.js';

const SDP = { address: '198.51.100.7', port: 4000 };

describe('RtpSourceLatch', () => {
  it('takes packets from the SDP address at once and latches there', () => {
    const latch = new RtpSourceLatch(3);
    latch.setExpected(SDP);
    expect(latch.check('198.51.100.7', 4000, 11, 1)).toEqual({ verdict: 'accept', latched: true, ssrcChanged: false });
    expect(latch.check('198.51.100.7', 4000, 11, 2)).toEqual({ verdict: 'accept', latched: false, ssrcChanged: false });
    expect(latch.latched).toEqual(SDP);
    expect(latch.ssrc).toBe(11);
  });

  it('latches to another source (NAT) only after 3 consecutive packets of one SSRC', () => {
    const latch = new RtpSourceLatch(3);
    latch.setExpected({ address: '10.0.0.5', port: 4000 });
    expect(latch.check('203.0.113.9', 31000, 22, 10).verdict).toBe('unexpected-source');
    expect(latch.check('203.0.113.9', 31000, 22, 11).verdict).toBe('unexpected-source');
    // A gap in the sequence starts the count again.
    expect(latch.check('203.0.113.9', 31000, 22, 13).verdict).toBe('unexpected-source');
    expect(latch.check('203.0.113.9', 31000, 22, 14).verdict).toBe('unexpected-source');
    expect(latch.check('203.0.113.9', 31000, 22, 15)).toEqual({ verdict: 'accept', latched: true, ssrcChanged: false });
    expect(latch.latched).toEqual({ address: '203.0.113.9', port: 31000 });
  });

  it('is not stolen by interleaved spoofed packets, nor by anyone once latched', () => {
    const latch = new RtpSourceLatch(3);
    latch.setExpected({ address: '10.0.0.5', port: 4000 });
    // Two sources interleaving never reach three in a row.
    for (let i = 0; i < 10; i++) {
      expect(latch.check('203.0.113.9', 31000, 22, i).verdict).toBe('unexpected-source');
      expect(latch.check('192.0.2.66', 5000, 22, i).verdict).toBe('unexpected-source');
    }
    expect(latch.check('10.0.0.5', 4000, 22, 100).verdict).toBe('accept');
    for (let i = 0; i < 10; i++) expect(latch.check('192.0.2.66', 5000, 22, 101 + i).verdict).toBe('unexpected-source');
    expect(latch.latched).toEqual({ address: '10.0.0.5', port: 4000 });
  });

  it('drops a foreign SSRC from the latched source, adopting it after 3 consecutive packets', () => {
    const latch = new RtpSourceLatch(3);
    latch.setExpected(SDP);
    latch.check(SDP.address, SDP.port, 11, 1);
    expect(latch.check(SDP.address, SDP.port, 99, 500).verdict).toBe('unexpected-ssrc');
    expect(latch.check(SDP.address, SDP.port, 11, 2).verdict).toBe('accept');
    expect(latch.check(SDP.address, SDP.port, 99, 501).verdict).toBe('unexpected-ssrc');
    expect(latch.check(SDP.address, SDP.port, 99, 502).verdict).toBe('unexpected-ssrc');
    expect(latch.check(SDP.address, SDP.port, 99, 503)).toEqual({ verdict: 'accept', latched: false, ssrcChanged: true });
    expect(latch.check(SDP.address, SDP.port, 11, 3).verdict).toBe('unexpected-ssrc');
  });

  it('forgets the latch when the SDP address changes, not when it is repeated', () => {
    const latch = new RtpSourceLatch(1);
    latch.setExpected(SDP);
    latch.check(SDP.address, SDP.port, 11, 1);
    latch.setExpected({ ...SDP });
    expect(latch.latched).toEqual(SDP);
    latch.setExpected({ address: '198.51.100.8', port: 4002 });
    expect(latch.latched).toBeUndefined();
    expect(latch.ssrc).toBeUndefined();
    expect(latch.check(SDP.address, SDP.port, 11, 2)).toMatchObject({ verdict: 'accept', latched: true });
  });

  it('with no SDP address (hold with c=0.0.0.0) only latches by confirmation', () => {
    const latch = new RtpSourceLatch(2);
    latch.setExpected(undefined);
    expect(latch.check('198.51.100.7', 4000, 5, 1).verdict).toBe('unexpected-source');
    expect(latch.check('198.51.100.7', 4000, 5, 2).verdict).toBe('accept');
  });
});
