import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { FrameChunker } from '../../../src/media/audio/frame-chunker.js';

describe('FrameChunker', () => {
  it('cuts periods of any size into exact 160-sample frames, carrying the rest', () => {
    const chunker = new FrameChunker(160);
    const ramp = Int16Array.from({ length: 1000 }, (_, i) => i);
    const frames = [
      ...chunker.process(ramp.subarray(0, 100)),
      ...chunker.process(ramp.subarray(100, 441)),
      ...chunker.process(ramp.subarray(441, 1000)),
    ];
    expect(frames).toHaveLength(6);
    expect(chunker.buffered).toBe(40);
    frames.forEach((frame, k) => {
      expect(frame.length).toBe(160);
      expect(frame[0]).toBe(k * 160);
      expect(frame[159]).toBe(k * 160 + 159);
    });
  });

  it('returns fresh arrays that later input does not overwrite', () => {
    const chunker = new FrameChunker(4);
    const [first] = chunker.process(Int16Array.of(1, 2, 3, 4));
    chunker.process(Int16Array.of(9, 9, 9, 9));
    expect([...first!]).toEqual([1, 2, 3, 4]);
  });

  it('drops the partial frame on reset', () => {
    const chunker = new FrameChunker(4);
    chunker.process(Int16Array.of(1, 2));
    chunker.reset();
    expect(chunker.process(Int16Array.of(5, 6, 7, 8)).map((f) => [...f])).toEqual([[5, 6, 7, 8]]);
  });

  it('keeps every sample in order whatever the split (property)', () => {
    fc.assert(
      fc.property(fc.array(fc.integer({ min: 0, max: 700 }), { maxLength: 12 }), (sizes) => {
        const chunker = new FrameChunker(160);
        let next = 0;
        const out: number[] = [];
        for (const size of sizes) {
          const chunk = Int16Array.from({ length: size }, () => next++ % 30000);
          for (const frame of chunker.process(chunk)) out.push(...frame);
        }
        const total = sizes.reduce((a, b) => a + b, 0);
        expect(out.length).toBe(total - (total % 160));
        expect(chunker.buffered).toBe(total % 160);
        expect(out.every((v, i) => v === i % 30000)).toBe(true);
      }),
      { numRuns: 50 },
    );
  });
});
