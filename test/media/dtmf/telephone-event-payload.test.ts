import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { TelephoneEventPayload } from '../../../src/media/dtmf/telephone-event-payload.js';
import { TelephoneEventPayloadError } from '../../../src/media/dtmf/dtmf-errors.js';
import { dtmfDigitToEvent, dtmfEventToDigit, toDtmfDigit } from '../../../src/media/dtmf/dtmf-digit.js';

describe('TelephoneEventPayload', () => {
  it('serializes the RFC 4733 §2.3 layout byte for byte', () => {
    // Event 11 ('#'), E bit, volume 10, duration 800 = 0x0320.
    expect([...new TelephoneEventPayload(11, true, 10, 800).serialize()]).toEqual([0x0b, 0x8a, 0x03, 0x20]);
    expect([...new TelephoneEventPayload(5, false, 63, 0xffff).serialize()]).toEqual([0x05, 0x3f, 0xff, 0xff]);
  });

  it('deserializes fields, including the reserved bit, ignoring trailing bytes', () => {
    const p = TelephoneEventPayload.deserialize(Uint8Array.of(0x0a, 0xc7, 0x01, 0x40, 0xde, 0xad));
    expect(p).toMatchObject({ event: 10, end: true, reserved: true, volume: 7, duration: 320 });
  });

  it('round-trips every valid payload byte-exactly', () => {
    fc.assert(
      fc.property(fc.uint8Array({ minLength: 4, maxLength: 4 }), (bytes) => {
        expect([...TelephoneEventPayload.deserialize(bytes).serialize()]).toEqual([...bytes]);
      }),
      { numRuns: 300 },
    );
    fc.assert(
      fc.property(
        fc.integer({ min: 0, max: 255 }),
        fc.boolean(),
        fc.integer({ min: 0, max: 63 }),
        fc.integer({ min: 0, max: 0xffff }),
        (event, end, volume, duration) => {
          const back = TelephoneEventPayload.deserialize(new TelephoneEventPayload(event, end, volume, duration).serialize());
          expect(back).toMatchObject({ event, end, volume, duration, reserved: false });
        },
      ),
      { numRuns: 300 },
    );
  });

  it('throws a typed error for short payloads and out-of-range fields', () => {
    expect(() => TelephoneEventPayload.deserialize(Uint8Array.of(1, 2, 3))).toThrow(TelephoneEventPayloadError);
    for (const make of [
      () => new TelephoneEventPayload(256, false, 0, 0),
      () => new TelephoneEventPayload(1, false, 64, 0),
      () => new TelephoneEventPayload(1, false, 0, 0x10000),
      () => new TelephoneEventPayload(1, false, 0, -1),
      () => new TelephoneEventPayload(1.5, false, 0, 0),
    ]) {
      expect(make).toThrowError(expect.objectContaining({ code: 'PORTIER_ERR_TELEPHONE_EVENT_PAYLOAD' }));
    }
  });

  it('maps events 0–15 to the keypad and back', () => {
    expect([...Array(16).keys()].map((e) => dtmfEventToDigit(e)).join('')).toBe('0123456789*#ABCD');
    expect(dtmfEventToDigit(16)).toBeUndefined();
    for (const d of '0123456789*#ABCD') expect(dtmfEventToDigit(dtmfDigitToEvent(toDtmfDigit(d)!))).toBe(d);
    expect(toDtmfDigit('c')).toBe('C');
    expect(toDtmfDigit('E')).toBeUndefined();
  });
});
