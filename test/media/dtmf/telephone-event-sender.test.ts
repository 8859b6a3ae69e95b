import { describe, expect, it } from 'vitest';
import { TelephoneEventSender, type TelephoneEventPacket } from '../../../src/media/dtmf/telephone-event-sender.js';
import { DtmfDigitError } from '../../../src/media/dtmf/dtmf-errors.js';

type Row = [marker: boolean, timestamp: number, event: number, end: boolean, duration: number];

function rows(packets: TelephoneEventPacket[]): Row[] {
  return packets.map((p) => [p.marker, p.timestamp, p.payload.event, p.payload.end, p.payload.duration]);
}

/** Ticks until idle; returns the packets of each period. */
function drain(sender: TelephoneEventSender, limit = 10_000): TelephoneEventPacket[][] {
  const periods: TelephoneEventPacket[][] = [];
  while (!sender.idle && periods.length < limit) periods.push(sender.tick());
  return periods;
}

describe('TelephoneEventSender', () => {
  it('sends a 100 ms key as 5 growing updates, the last with E, then the end twice more', () => {
    const sender = new TelephoneEventSender();
    sender.start('5', 1000, { durationMs: 100, volume: 10 });
    const periods = drain(sender);
    expect(periods.map(rows)).toEqual([
      [[true, 1000, 5, false, 160]],
      [[false, 1000, 5, false, 320]],
      [[false, 1000, 5, false, 480]],
      [[false, 1000, 5, false, 640]],
      [[false, 1000, 5, true, 800]],
      [[false, 1000, 5, true, 800]],
      [[false, 1000, 5, true, 800]],
      [], // rest of the 60 ms inter-digit gap
    ]);
    expect(periods.flat().every((p) => p.payload.volume === 10 && !p.payload.reserved)).toBe(true);
    expect(sender.tick()).toEqual([]);
  });

  it('rounds the duration up to whole packet periods', () => {
    const sender = new TelephoneEventSender();
    sender.start('#', 0, { durationMs: 50 });
    const last = drain(sender).flat().at(-1)!;
    expect(last.payload).toMatchObject({ event: 11, end: true, duration: 480 });
  });

  it('queues keys with the gap between them, on its own clock', () => {
    const sender = new TelephoneEventSender({ interDigitGapMs: 60 });
    sender.start('1', 4_294_967_000, { durationMs: 40 });
    sender.start('2', 12345 /* ignored: busy */, { durationMs: 40 });
    const periods = drain(sender);
    const starts = periods.flatMap((p, i) => p.filter((x) => x.marker).map((x) => ({ i, ts: x.timestamp, ev: x.payload.event })));
    // Key 1: periods 0–1; its end repeats in 2–3; gap of 3 periods (2–4); key 2 starts in period 5.
    expect(starts).toEqual([
      { i: 0, ts: 4_294_967_000, ev: 1 },
      { i: 5, ts: (4_294_967_000 + 5 * 160) >>> 0, ev: 2 },
    ]);
    expect(periods.flat().filter((p) => p.payload.end).map((p) => p.payload.event)).toEqual([1, 1, 1, 2, 2, 2]);
  });

  it('never overlaps a queued key with the end repeats, even with no gap', () => {
    const sender = new TelephoneEventSender({ interDigitGapMs: 0 });
    sender.start('1', 0, { durationMs: 20 });
    sender.start('2', 0, { durationMs: 20 });
    expect(drain(sender).map(rows)).toEqual([
      [[true, 0, 1, true, 160]],
      [[false, 0, 1, true, 160]],
      [[false, 0, 1, true, 160]],
      [[true, 480, 2, true, 160]],
      [[false, 480, 2, true, 160]],
      [[false, 480, 2, true, 160]],
    ]);
  });

  it('splits an event longer than the 16-bit duration into segments (§2.5.1.3)', () => {
    const sender = new TelephoneEventSender();
    sender.start('9', 100, { durationMs: 10_000 }); // 80 000 samples
    const packets = drain(sender).flat();
    const segmentMax = 409 * 160; // 65 440, the largest whole period under 65 535
    const firstSegment = packets.filter((p) => p.timestamp === 100);
    const secondSegment = packets.filter((p) => p.timestamp === 100 + segmentMax);
    expect(firstSegment.length + secondSegment.length).toBe(packets.length);
    expect(firstSegment.filter((p) => p.payload.duration === segmentMax)).toHaveLength(3);
    expect(firstSegment.some((p) => p.payload.end)).toBe(false);
    expect(packets.filter((p) => p.marker)).toHaveLength(1);
    expect(secondSegment[0]!.marker).toBe(false);
    const ends = secondSegment.filter((p) => p.payload.end);
    expect(ends.map((p) => p.payload.duration)).toEqual([80_000 - segmentMax, 80_000 - segmentMax, 80_000 - segmentMax]);
    expect(Math.max(...packets.map((p) => p.payload.duration))).toBeLessThanOrEqual(0xffff);
  });

  it('rejects non-keys and bad options without queuing', () => {
    const sender = new TelephoneEventSender();
    expect(() => sender.start('x', 0)).toThrow(DtmfDigitError);
    expect(() => sender.start('1', 0, { durationMs: 0 })).toThrow(RangeError);
    expect(() => sender.start('1', 0, { volume: 64 })).toThrow(expect.objectContaining({ code: 'PORTIER_ERR_TELEPHONE_EVENT_PAYLOAD' }));
    expect(sender.idle).toBe(true);
  });

  it('clearQueue() finishes the current key but drops the rest', () => {
    const sender = new TelephoneEventSender();
    sender.start('1', 0, { durationMs: 40 });
    sender.start('2', 0);
    sender.tick();
    sender.clearQueue();
    expect(new Set(drain(sender).flat().map((p) => p.payload.event))).toEqual(new Set([1]));
  });
});
