import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { JitterBuffer, type JitterBufferOptions } from '../../../src/media/jitter/jitter-buffer.js';
import type { JitterBufferOutput, JitterPacket } from '../../../src/media/jitter/jitter-buffer-types.js';

const FRAME = 160;

function packet(seq: number, arrivalMs: number, extra: Partial<JitterPacket> = {}): JitterPacket {
  const s = seq & 0xffff;
  return { seq: s, timestamp: (seq * FRAME) >>> 0, payload: Buffer.from([s & 0xff, s >> 8]), arrivalMs, ...extra };
}

/** Feeds packets at their arrival times and pops every 20 ms (phase 5 ms), in time order. */
function simulate(
  jb: JitterBuffer,
  packets: JitterPacket[],
  untilMs: number,
  onPop?: (out: JitterBufferOutput, nowMs: number) => void,
): JitterBufferOutput[] {
  const sorted = [...packets].sort((a, b) => a.arrivalMs - b.arrivalMs);
  const outputs: JitterBufferOutput[] = [];
  let i = 0;
  for (let now = 5; now <= untilMs; now += 20) {
    while (i < sorted.length && sorted[i]!.arrivalMs <= now) jb.push(sorted[i++]!);
    const out = jb.pop(now);
    outputs.push(out);
    onPop?.(out, now);
  }
  return outputs;
}

const playedSeqs = (outs: JitterBufferOutput[]) => outs.flatMap((o) => (o.concealed ? [] : [o.seq]));

describe('JitterBuffer', () => {
  it('plays a clean stream in order with the minimum delay', () => {
    const jb = new JitterBuffer({ initialDelayMs: 20 });
    const packets = Array.from({ length: 50 }, (_, i) => packet(1000 + i, i * 20));
    const outs = simulate(jb, packets, 50 * 20);
    const seqs = playedSeqs(outs);
    expect(seqs).toEqual(Array.from({ length: seqs.length }, (_, i) => 1000 + i));
    expect(seqs.length).toBeGreaterThanOrEqual(48);
    expect(jb.stats.targetDelayMs).toBe(20);
    expect(jb.stats.lost).toBe(0);
    expect(jb.stats.jitterMs).toBe(0);
    // After start-up, nothing is concealed.
    const firstPlayed = outs.findIndex((o) => !o.concealed);
    expect(outs.slice(firstPlayed).every((o) => !o.concealed)).toBe(true);
  });

  it('reorders, drops duplicates and returns frame contents', () => {
    const jb = new JitterBuffer({ initialDelayMs: 60 });
    expect(jb.push(packet(10, 0))).toBe('queued');
    expect(jb.push(packet(12, 1))).toBe('queued');
    expect(jb.push(packet(11, 2))).toBe('queued');
    expect(jb.push(packet(12, 3))).toBe('duplicate');
    const outs = [jb.pop(60), jb.pop(80), jb.pop(100)];
    expect(playedSeqs(outs)).toEqual([10, 11, 12]);
    const first = outs[0]!;
    expect(first.concealed === false && first.payload).toEqual(Buffer.from([10, 0]));
    expect(first.concealed === false && first.timestamp).toBe(10 * FRAME);
    expect(jb.stats.duplicate).toBe(1);
  });

  it('accepts a packet older than the first one before playout starts', () => {
    const jb = new JitterBuffer({ initialDelayMs: 60 });
    jb.push(packet(5, 0));
    expect(jb.push(packet(4, 1))).toBe('queued');
    expect(playedSeqs([jb.pop(50), jb.pop(70)])).toEqual([4, 5]);
  });

  it('conceals a lost packet in place and drops it if it comes too late', () => {
    const jb = new JitterBuffer({ initialDelayMs: 40 });
    for (const s of [0, 1, 3, 4]) jb.push(packet(s, s * 20));
    const outs = [jb.pop(90), jb.pop(110), jb.pop(130), jb.pop(150), jb.pop(170)];
    expect(outs.map((o) => (o.concealed ? o.reason : o.seq))).toEqual([0, 1, 'lost', 3, 4]);
    expect(jb.push(packet(2, 180))).toBe('late');
    expect(jb.stats).toMatchObject({ lost: 1, late: 1, played: 4 });
  });

  it('re-buffers on underrun instead of skipping the delayed packets', () => {
    const jb = new JitterBuffer({ minDelayMs: 20, initialDelayMs: 20 });
    const packets = [
      ...Array.from({ length: 10 }, (_, i) => packet(i, i * 20)),
      // A 100 ms delay spike: packets 10..14 arrive together.
      ...Array.from({ length: 5 }, (_, i) => packet(10 + i, 300)),
      ...Array.from({ length: 10 }, (_, i) => packet(15 + i, 300 + (i + 1) * 20)),
    ];
    const outs = simulate(jb, packets, 700);
    const seqs = playedSeqs(outs);
    expect(seqs.slice(0, 15)).toEqual(Array.from({ length: 15 }, (_, i) => i));
    expect(jb.stats.underruns).toBeGreaterThanOrEqual(1);
    expect(jb.stats.late).toBe(0);
    expect(jb.stats.targetDelayMs).toBeGreaterThan(100);
  });

  it('never holds more than its capacity and drops the oldest', () => {
    const jb = new JitterBuffer({ capacityFrames: 8, initialDelayMs: 200, maxDelayMs: 200 });
    for (let s = 0; s < 13; s++) jb.push(packet(s, 0));
    expect(jb.size).toBe(8);
    expect(jb.stats.overflowDropped).toBe(5);
    const out = jb.pop(1000);
    expect(out.concealed === false && out.seq).toBe(5);
  });

  it('follows the measured jitter with its target delay and stays in bounds', () => {
    const jb = new JitterBuffer({ minDelayMs: 20, maxDelayMs: 200 });
    for (let i = 0; i < 200; i++) jb.push(packet(i, i * 20 + (i % 2 === 0 ? 0 : 40)));
    expect(jb.stats.targetDelayMs).toBe(60); // 40 ms spread + one frame
    expect(jb.stats.jitterMs).toBeGreaterThan(39);

    const wild = new JitterBuffer({ minDelayMs: 20, maxDelayMs: 200 });
    for (let i = 0; i < 200; i++) wild.push(packet(i, i * 20 + (i % 3) * 150));
    expect(wild.stats.targetDelayMs).toBe(200);

    // Once the jitter is gone for a whole window the target comes back down.
    for (let i = 200; i < 400; i++) jb.push(packet(i, i * 20));
    expect(jb.stats.targetDelayMs).toBe(20);
  });

  it('shrinks an excessive delay by dropping frames, preferring silence', () => {
    const silent = new Set<number>(Array.from({ length: 30 }, (_, i) => 30 + i));
    // Starts with a 200 ms delay; the clean stream then lowers the target to 20 ms.
    const jb = new JitterBuffer({
      initialDelayMs: 200,
      shrinkIntervalFrames: 2,
      isSilence: (payload) => silent.has(payload[0]!),
    });
    const packets = Array.from({ length: 80 }, (_, i) => packet(i, i * 20));
    const dropped: number[] = [];
    let expected = 0;
    simulate(jb, packets, 1500, (out) => {
      if (out.concealed) return;
      for (; expected < out.seq; expected++) dropped.push(expected);
      expected = out.seq + 1;
    });
    expect(dropped.length).toBeGreaterThan(0);
    expect(dropped.every((s) => silent.has(s))).toBe(true);
    expect(jb.stats.shrinkDropped).toBe(dropped.length);
    expect(jb.stats.late).toBe(0);
    expect(jb.stats.bufferedMs).toBeLessThanOrEqual(jb.stats.targetDelayMs + 20);
    expect(jb.stats.lost).toBe(0);
  });

  it('builds up delay before a talkspurt that starts below target', () => {
    const jb = new JitterBuffer({ minDelayMs: 60, initialDelayMs: 60 });
    const first = Array.from({ length: 5 }, (_, i) => packet(i, i * 20, { marker: i === 0 }));
    // Silence (DTX) of 1 s, then a new talkspurt: sequence continues, timestamp jumps.
    const second = Array.from({ length: 5 }, (_, i) => packet(5 + i, 1100 + i * 20, {
      marker: i === 0,
      timestamp: (5 + 50 + i) * FRAME,
    }));
    const outs = simulate(jb, [...first, ...second], 1400, undefined);
    const startIndex = outs.findIndex((o) => !o.concealed && o.seq === 5);
    const arrivalPop = Math.ceil((1100 - 5) / 20);
    // Not played at the first pop after it arrived: the buffer waited for the target.
    expect(startIndex).toBeGreaterThan(arrivalPop);
    expect(playedSeqs(outs)).toEqual([0, 1, 2, 3, 4, 5, 6, 7, 8, 9]);
    expect(jb.stats.resyncs).toBe(0);
  });

  it('resyncs on an SSRC change', () => {
    const jb = new JitterBuffer({ initialDelayMs: 20 });
    jb.push(packet(100, 0, { ssrc: 1 }));
    jb.push(packet(101, 20, { ssrc: 1 }));
    expect(jb.push(packet(7, 40, { ssrc: 2 }))).toBe('resync');
    expect(jb.size).toBe(1);
    const out = jb.pop(45);
    expect(out.concealed === false && out.seq).toBe(7);
    expect(jb.stats.resyncs).toBe(1);
  });

  it('resyncs on a timestamp jump that arrival times do not explain', () => {
    const jb = new JitterBuffer({ initialDelayMs: 20 });
    for (let i = 0; i < 5; i++) jb.push(packet(i, i * 20));
    expect(jb.push(packet(5, 100, { timestamp: 5 * FRAME + 8000 * 30 }))).toBe('resync');
    expect(jb.push(packet(6, 120, { timestamp: 6 * FRAME + 8000 * 30 }))).toBe('queued');
  });

  it('resyncs when the sender restarts its sequence far behind', () => {
    const jb = new JitterBuffer({ initialDelayMs: 20 });
    for (let i = 0; i < 5; i++) jb.push(packet(30000 + i, i * 20));
    jb.pop(90);
    // Timestamps keep running, so only the sequence rule (A.1 bad_seq) can trigger the resync.
    expect(jb.push(packet(500, 100, { timestamp: 30005 * FRAME }))).toBe('late');
    expect(jb.push(packet(501, 120, { timestamp: 30006 * FRAME }))).toBe('resync');
    expect(jb.push(packet(502, 140, { timestamp: 30007 * FRAME }))).toBe('queued');
  });

  it('resyncs on a forward sequence jump beyond A.1 MAX_DROPOUT, but skips ahead on a shorter one', () => {
    const jb = new JitterBuffer({ initialDelayMs: 20, capacityFrames: 10 });
    for (let i = 0; i < 3; i++) jb.push(packet(i, i * 20));
    expect(jb.push(packet(50, 60, { timestamp: 3 * FRAME }))).toBe('queued'); // gap of 47: the oldest go
    expect(jb.stats.overflowDropped).toBe(3);
    const out = jb.pop(65);
    expect(out.concealed === false && out.seq).toBe(50);
    expect(jb.push(packet(50 + 3001, 80, { timestamp: 4 * FRAME }))).toBe('resync');
  });

  it('plays across the sequence number wrap', () => {
    const jb = new JitterBuffer({ initialDelayMs: 20 });
    const packets = Array.from({ length: 20 }, (_, i) => packet(65530 + i, i * 20));
    const seqs = playedSeqs(simulate(jb, packets, 420));
    expect(seqs.slice(0, 12)).toEqual([65530, 65531, 65532, 65533, 65534, 65535, 0, 1, 2, 3, 4, 5]);
  });

  it('keeps its invariants under random reordering, loss, duplication and jitter (property)', () => {
    const scenario = fc.record({
      count: fc.integer({ min: 1, max: 120 }),
      jitter: fc.array(fc.integer({ min: 0, max: 250 }), { minLength: 120, maxLength: 120 }),
      drop: fc.array(fc.boolean(), { minLength: 120, maxLength: 120 }),
      dup: fc.array(fc.integer({ min: 0, max: 9 }), { minLength: 120, maxLength: 120 }),
      startSeq: fc.integer({ min: 0, max: 0xffff }),
      capacityFrames: fc.integer({ min: 2, max: 30 }),
      shrinkIntervalFrames: fc.integer({ min: 0, max: 20 }),
    });
    fc.assert(
      fc.property(scenario, (s) => {
        const options: JitterBufferOptions = { capacityFrames: s.capacityFrames, shrinkIntervalFrames: s.shrinkIntervalFrames };
        const jb = new JitterBuffer(options);
        const packets: JitterPacket[] = [];
        for (let i = 0; i < s.count; i++) {
          if (s.drop[i] && i % 3 === 0) continue;
          const p = packet(s.startSeq + i, i * 20 + s.jitter[i]!);
          packets.push(p);
          if (s.dup[i] === 0) packets.push({ ...p, arrivalMs: p.arrivalMs + 7 });
        }
        const seen = new Set<number>();
        let lastOffset = -1;
        simulate(jb, packets, s.count * 20 + 600, (out) => {
          expect(jb.size).toBeLessThanOrEqual(s.capacityFrames);
          if (out.concealed) return;
          const offset = (out.seq - s.startSeq) & 0xffff;
          expect(offset).toBeLessThan(s.count);
          expect(offset).toBeGreaterThan(lastOffset); // strictly in order, so each seq at most once
          expect(seen.has(offset)).toBe(false);
          seen.add(offset);
          lastOffset = offset;
        });
        const st = jb.stats;
        expect(st.resyncs).toBe(0);
        expect(st.received).toBe(packets.length);
        // Every packet is accounted for exactly once.
        expect(st.played + st.late + st.duplicate + st.overflowDropped + st.shrinkDropped + jb.size).toBe(st.received);
        expect(st.targetDelayMs).toBeGreaterThanOrEqual(20);
        expect(st.targetDelayMs).toBeLessThanOrEqual(200);
      }),
      { numRuns: 300 },
    );
  });
});
