import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import {
  TelephoneEventReceiver,
  type DtmfKeyPress,
  type ReceivedTelephoneEvent,
} from '../../../src/media/dtmf/telephone-event-receiver.js';
import { TelephoneEventSender } from '../../../src/media/dtmf/telephone-event-sender.js';
import { TelephoneEventPayload } from '../../../src/media/dtmf/telephone-event-payload.js';

/** What the far end would put on the wire for `digits`, with RTP sequence numbers. */
function wire(digits: string, start = 8000, durationMs = 100): ReceivedTelephoneEvent[] {
  const sender = new TelephoneEventSender();
  for (const d of digits) sender.start(d, start, { durationMs });
  const out: ReceivedTelephoneEvent[] = [];
  let seq = 0;
  while (!sender.idle) for (const p of sender.tick()) out.push({ ...p, seq: seq++ });
  return out;
}

function feed(receiver: TelephoneEventReceiver, packets: ReceivedTelephoneEvent[]): DtmfKeyPress[] {
  return packets.flatMap((p) => receiver.process(p));
}

const pkt = (timestamp: number, event: number, end: boolean, duration: number, marker = false): ReceivedTelephoneEvent => ({
  timestamp,
  marker,
  payload: new TelephoneEventPayload(event, end, 10, duration),
});

describe('TelephoneEventReceiver', () => {
  it('reports a sent key once, on its first end packet, with its duration', () => {
    const packets = wire('5');
    const receiver = new TelephoneEventReceiver();
    const firstEnd = packets.findIndex((p) => (p.payload as TelephoneEventPayload).end);
    expect(feed(receiver, packets.slice(0, firstEnd))).toEqual([]);
    expect(receiver.process(packets[firstEnd]!)).toEqual([{ digit: '5', durationMs: 100 }]);
    expect(feed(receiver, packets.slice(firstEnd + 1))).toEqual([]);
    expect(receiver.flush(1_000_000)).toEqual([]);
  });

  it('needs neither the marker nor the start packet', () => {
    const noMarker = wire('7').map((p) => ({ ...p, marker: false }));
    expect(feed(new TelephoneEventReceiver(), noMarker)).toEqual([{ digit: '7', durationMs: 100 }]);
    expect(feed(new TelephoneEventReceiver(), wire('7').slice(1))).toEqual([{ digit: '7', durationMs: 100 }]);
  });

  it('accepts end-only events', () => {
    const endsOnly = wire('#').filter((p) => (p.payload as TelephoneEventPayload).end);
    expect(endsOnly).toHaveLength(3);
    expect(feed(new TelephoneEventReceiver(), endsOnly)).toEqual([{ digit: '#', durationMs: 100 }]);
  });

  it('ignores duplicated and late retransmitted end packets', () => {
    const packets = wire('12');
    const endOf1 = packets.find((p) => (p.payload as TelephoneEventPayload).end)!;
    const messy = [...packets.slice(0, 12), endOf1, endOf1, ...packets.slice(12), endOf1];
    expect(feed(new TelephoneEventReceiver(), messy).map((k) => k.digit)).toEqual(['1', '2']);
  });

  it('survives reordering within an event, keeping the longest duration', () => {
    const packets = wire('3');
    const reversed = [...packets].reverse();
    expect(feed(new TelephoneEventReceiver(), reversed)).toEqual([{ digit: '3', durationMs: 100 }]);
    const receiver = new TelephoneEventReceiver();
    expect(feed(receiver, [pkt(0, 3, false, 480), pkt(0, 3, false, 160, true), pkt(0, 3, false, 320)])).toEqual([]);
    expect(receiver.flush(480 + 4000)).toEqual([{ digit: '3', durationMs: 60 }]);
  });

  it('tells presses of the same key apart by timestamp', () => {
    expect(feed(new TelephoneEventReceiver(), wire('999')).map((k) => k.digit).join('')).toBe('999');
    // Even with markers lost and ends lost, a new timestamp is a new press.
    const receiver = new TelephoneEventReceiver();
    expect(feed(receiver, [pkt(0, 9, false, 160), pkt(0, 9, false, 320), pkt(1000, 9, false, 160)])).toEqual([
      { digit: '9', durationMs: 40 },
    ]);
    expect(receiver.process(pkt(1000, 9, true, 640))).toEqual([{ digit: '9', durationMs: 80 }]);
  });

  it('reports an event whose ends were lost after the timeout, once', () => {
    const receiver = new TelephoneEventReceiver({ endTimeoutMs: 500 });
    const noEnds = wire('4', 1000).filter((p) => !(p.payload as TelephoneEventPayload).end);
    expect(feed(receiver, noEnds)).toEqual([]);
    const lastSample = 1000 + 640;
    expect(receiver.flush(lastSample + 3999)).toEqual([]);
    expect(receiver.flush(lastSample + 4000)).toEqual([{ digit: '4', durationMs: 80 }]);
    expect(receiver.flush(lastSample + 9000)).toEqual([]);
    expect(feed(receiver, wire('4', 1000))).toEqual([]); // its late ends change nothing
  });

  it('flush() copes with timestamp wrap-around', () => {
    const receiver = new TelephoneEventReceiver();
    receiver.process(pkt(0xffffff00, 1, false, 160, true));
    expect(receiver.flush(0x100)).toEqual([]);
    expect(receiver.flush(0xffffffa0 + 4000 - 2 ** 32)).toEqual([{ digit: '1', durationMs: 20 }]);
  });

  it('drops packets of events older than the current one', () => {
    const receiver = new TelephoneEventReceiver();
    expect(receiver.process(pkt(5000, 2, true, 800))).toHaveLength(1);
    expect(receiver.process(pkt(3000, 1, true, 800))).toEqual([]);
  });

  it('reads raw payload bytes; ignores non-key events and garbage', () => {
    const receiver = new TelephoneEventReceiver();
    expect(receiver.process({ timestamp: 0, marker: true, payload: Uint8Array.of(16, 0x8a, 0x03, 0x20) })).toEqual([]);
    expect(receiver.process({ timestamp: 0, marker: true, payload: Uint8Array.of(1, 2) })).toEqual([]);
    expect(receiver.process({ timestamp: 160, marker: true, payload: Uint8Array.of(10, 0x8a, 0x03, 0x20) })).toEqual([
      { digit: '*', durationMs: 100 },
    ]);
  });

  it('reports a long, segmented event as one press of its total duration', () => {
    const packets = wire('0', 0, 10_000);
    expect(feed(new TelephoneEventReceiver(), packets)).toEqual([{ digit: '0', durationMs: 10_000 }]);
    // Even when the last packets of the first segment were lost.
    const segmentMax = 409 * 160;
    const lossy = packets.filter((p) => !(p.timestamp === 0 && (p.payload as TelephoneEventPayload).duration > segmentMax - 800));
    expect(feed(new TelephoneEventReceiver(), lossy).map((k) => k.digit)).toEqual(['0']);
  });

  it('reports exactly the sent keys, in order, under loss, duplication and local reordering', () => {
    fc.assert(
      fc.property(
        fc.string({ unit: fc.constantFrom(...'0123456789*#ABCD'), minLength: 1, maxLength: 6 }),
        fc.integer({ min: 0, max: 2 ** 32 - 1 }),
        fc.integer({ min: 20, max: 300 }),
        fc.infiniteStream(fc.integer({ min: 0, max: 99 })),
        (digits, start, durationMs, dice) => {
          const packets = wire(digits, start, durationMs);
          // Group per event, mangle each group on its own: events never interleave on the wire.
          const groups = new Map<number, ReceivedTelephoneEvent[]>();
          for (const p of packets) groups.set(p.timestamp, [...(groups.get(p.timestamp) ?? []), p]);
          const mangled: ReceivedTelephoneEvent[] = [];
          for (const group of groups.values()) {
            const kept = group.flatMap((p) => {
              const roll = dice.next().value;
              return roll < 25 ? [] : roll < 40 ? [p, p] : [p];
            });
            if (kept.length === 0) kept.push(group[group.length - 1]!);
            for (let i = kept.length - 1; i > 0; i--) {
              if (dice.next().value < 30) [kept[i], kept[i - 1]] = [kept[i - 1]!, kept[i]!];
            }
            mangled.push(...kept.map((p) => (dice.next().value < 30 ? { ...p, marker: false } : p)));
          }
          const receiver = new TelephoneEventReceiver();
          const keys = feed(receiver, mangled);
          keys.push(...receiver.flush((start + 10_000_000) >>> 0));
          expect(keys.map((k) => k.digit).join('')).toBe(digits);
        },
      ),
      { numRuns: 200 },
    );
  });
});
