import { describe, expect, it } from 'vitest';
import { abortWire, beginWire, encodeWire, endWire, putBytes, putString } from '../../../src/sip/messages/wire-encoder.js';

describe('encodeWire', () => {
  it('writes the head as UTF-8 followed by the body bytes', () => {
    const out = encodeWire('MESSAGE sip:a@b SIP/2.0\r\nSubject: Grüße\r\n\r\n', Buffer.from([1, 2, 0xff]));
    expect(out.toString('latin1', 0, 4)).toBe('MESS');
    expect(out.subarray(out.length - 3)).toEqual(Buffer.from([1, 2, 0xff]));
    expect(out.length).toBe(Buffer.byteLength('MESSAGE sip:a@b SIP/2.0\r\nSubject: Grüße\r\n\r\n') + 3);
  });

  it('never lets a later message overwrite an earlier one, across slab changes', () => {
    const kept: Array<[Buffer, string]> = [];
    for (let i = 0; i < 400; i++) {
      const head = `OPTIONS sip:${i}@example.com SIP/2.0\r\nX-Pad: ${'x'.repeat(i % 997)}\r\n\r\n`;
      const body = Buffer.alloc(i % 300, i & 0xff);
      kept.push([encodeWire(head, body), head]);
    }
    for (const [i, [out, head]] of kept.entries()) {
      expect(out.toString('utf8', 0, head.length)).toBe(head);
      expect(out.length).toBe(head.length + (i % 300));
      expect(out.subarray(head.length).every((b) => b === (i & 0xff))).toBe(true);
    }
  });

  it('gives a message too large for a slab its own buffer', () => {
    const head = `MESSAGE sip:a@b SIP/2.0\r\nX-Big: ${'é'.repeat(20_000)}\r\n\r\n`;
    const body = Buffer.alloc(30_000, 7);
    const out = encodeWire(head, body);
    expect(out.length).toBe(Buffer.byteLength(head) + body.length);
    expect(out.toString('utf8', 0, Buffer.byteLength(head))).toBe(head);
    expect(out[out.length - 1]).toBe(7);
  });
});

describe('piecewise writer', () => {
  it('joins strings and byte ranges in order, and refuses a nested message until the first ends or is given up', () => {
    const src = Buffer.from('0123456789');
    beginWire(64);
    putString('ab');
    putBytes(src, 2, 5);
    expect(() => beginWire(8)).toThrow(/already being written/);
    putString('é');
    const out = endWire();
    expect(out.toString()).toBe('ab234é');
    beginWire(8);
    putString('lost');
    abortWire();
    beginWire(8);
    putString('kept');
    const next = endWire();
    expect(next.toString()).toBe('kept');
    expect(out.toString()).toBe('ab234é');
  });

  it('refuses to write past its reservation', () => {
    beginWire(3);
    expect(() => putBytes(Buffer.from('abcd'), 0, 4)).toThrow(/too small/);
    abortWire();
  });
});
