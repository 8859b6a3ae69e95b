import { describe, expect, it } from 'vitest';
import { Parameters, SipParseError } from '../../../src/sip/messages/index.js';

describe('Parameters.parse (checked at once)', () => {
  it.each([';;a', ';a;', ';=x', ';a b=1', ';'])('rejects %j', (t) => {
    expect(() => Parameters.parse(t)).toThrow(SipParseError);
  });

  it('trims white space around names, = and values, and then writes the canonical form', () => {
    const p = Parameters.parse('; tag = 12 ;  lr ;x="a b"');
    expect(p.entries()).toEqual([['tag', '12'], ['lr', null], ['x', '"a b"']]);
    expect(p.toString()).toBe(';tag=12;lr;x="a b"');
  });

  it('does not split inside quotes or <…>, and counts an escaped = inside quotes only as part of the value', () => {
    const p = Parameters.parse(';a="x;y\\";z";b=<sip:c;d>;e');
    expect(p.entries()).toEqual([['a', '"x;y\\";z"'], ['b', '<sip:c;d>'], ['e', null]]);
  });

  it('reads URI headers with & and no leading separator', () => {
    const h = Parameters.parse('subject=x&priority=urgent', '&', 'URI header');
    expect(h.get('priority')).toBe('urgent');
    expect(h.toString('&')).toBe('subject=x&priority=urgent');
  });
});

describe('Parameters.lazy (checked when first read)', () => {
  it('gives back its own text while unchanged, and rebuilds once changed', () => {
    const raw = ';rport;branch=z9hG4bK776;received=192.0.2.1';
    const p = Parameters.lazy(raw);
    expect(p.toString()).toBe(raw);
    expect(p.get('BRANCH')).toBe('z9hG4bK776');
    expect(p.toString()).toBe(raw);
    p.set('rport', '5060');
    expect(p.toString()).toBe(';rport=5060;branch=z9hG4bK776;received=192.0.2.1');
    p.delete('received');
    expect(p.toString()).toBe(';rport=5060;branch=z9hG4bK776');
  });

  it('rebuilds rather than echoes text that is not canonical', () => {
    const p = Parameters.lazy(';a = 1; b');
    expect(p.toString()).toBe(';a=1;b');
    expect(p.size).toBe(2);
  });

  it('accepts malformed text until read, then throws SipParseError from every read', () => {
    const p = Parameters.lazy(';a;;b', ';', 'Via parameter');
    expect(() => p.get('a')).toThrow(/empty Via parameter/);
    expect(() => p.size).toThrow(SipParseError);
    expect(() => p.toString()).toThrow(SipParseError);
    expect(() => Parameters.lazy(';ok;b@d').check()).toThrow(/bad parameter name/);
  });

  it('clones independently, before and after the text is cut', () => {
    const p = Parameters.lazy(';tag=1');
    const before = p.clone();
    before.set('tag', '2');
    expect(p.get('tag')).toBe('1');
    expect(before.toString()).toBe(';tag=2');
    const after = p.clone();
    after.set('x', null);
    expect(p.toString()).toBe(';tag=1');
    expect(after.toString()).toBe(';tag=1;x');
  });

  it('treats the empty text as an empty list', () => {
    const p = Parameters.lazy('');
    expect(p.size).toBe(0);
    expect(p.toString()).toBe('');
    expect(p.set('lr').toString()).toBe(';lr');
  });
});
