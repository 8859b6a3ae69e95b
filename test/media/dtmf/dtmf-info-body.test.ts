import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import {
  isDtmfInfoContentType,
  parseDtmfBody,
  parseDtmfInfoBody,
  parseDtmfRelayBody,
  serializeDtmfRelayBody,
} from '../../../src/media/dtmf/dtmf-info-body.js';
import { DtmfInfoBodyError } from '../../../src/media/dtmf/dtmf-errors.js';
import type { DtmfDigit } from '../../../src/media/dtmf/dtmf-digit.js';

describe('application/dtmf-relay', () => {
  it.each([
    ['Signal=5\r\nDuration=160\r\n', { digit: '5', durationMs: 160 }],
    ['Signal=5\nDuration=250', { digit: '5', durationMs: 250 }],
    ['  signal = #  \r\n  DURATION=  100 \r\n', { digit: '#', durationMs: 100 }],
    ['Signal= *\r\n', { digit: '*' }],
    ['Signal=10\r\nDuration=160', { digit: '*', durationMs: 160 }],
    ['Signal=11\r\nDuration=160', { digit: '#', durationMs: 160 }],
    ['Signal=b\r\nDuration=x', { digit: 'B' }],
    ['\r\nFoo=bar\r\nSignal=0\r\n', { digit: '0' }],
    ['Signal=1\rDuration=90\r', { digit: '1', durationMs: 90 }],
  ])('parses %j', (body, expected) => {
    expect(parseDtmfRelayBody(body)).toEqual(expected);
  });

  it.each(['', 'Duration=160', 'Signal=\r\n', 'Signal=E', 'Signal=16', 'Signal=55', 'Signal=**'])(
    'rejects %j with a typed error',
    (body) => {
      expect(() => parseDtmfRelayBody(body)).toThrow(DtmfInfoBodyError);
      expect(() => parseDtmfRelayBody(body)).toThrow(expect.objectContaining({ code: 'PORTIER_ERR_DTMF_INFO_BODY' }));
    },
  );

  it('serializes with CRLF and round-trips', () => {
    expect(serializeDtmfRelayBody({ digit: '#', durationMs: 160 })).toBe('Signal=#\r\nDuration=160\r\n');
    fc.assert(
      fc.property(fc.constantFrom(...('0123456789*#ABCD' as string)), fc.integer({ min: 1, max: 10_000 }), (d, ms) => {
        const signal = { digit: d as DtmfDigit, durationMs: ms };
        expect(parseDtmfRelayBody(serializeDtmfRelayBody(signal))).toEqual(signal);
      }),
      { numRuns: 100 },
    );
  });
});

describe('application/dtmf and dispatch by Content-Type', () => {
  it('parses the bare key', () => {
    expect(parseDtmfBody('7')).toEqual({ digit: '7' });
    expect(parseDtmfBody(' #\r\n')).toEqual({ digit: '#' });
    expect(parseDtmfBody('11')).toEqual({ digit: '#' });
    expect(() => parseDtmfBody('')).toThrow(DtmfInfoBodyError);
    expect(() => parseDtmfBody('12 3')).toThrow(DtmfInfoBodyError);
  });

  it('dispatches on the media type, ignoring case and parameters, bytes or text', () => {
    expect(parseDtmfInfoBody('Application/DTMF-Relay; charset=ascii', Buffer.from('Signal=3\r\n'))).toEqual({ digit: '3' });
    expect(parseDtmfInfoBody('application/dtmf', '4')).toEqual({ digit: '4' });
    expect(() => parseDtmfInfoBody('text/plain', 'Signal=3')).toThrow(DtmfInfoBodyError);
    expect(isDtmfInfoContentType('application/dtmf-relay')).toBe(true);
    expect(isDtmfInfoContentType(' application/DTMF ')).toBe(true);
    expect(isDtmfInfoContentType('application/sdp')).toBe(false);
  });
});
