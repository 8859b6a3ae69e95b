import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { AuthChallengeError, AuthUnsupportedError } from '../../../src/sip/auth/auth-errors.js';
import { quoteString } from '../../../src/sip/auth/auth-params.js';
import { type DigestChallenge, parseAuthChallenges, parseDigestChallenge } from '../../../src/sip/auth/digest-challenge.js';

function digestError(value: string): AuthChallengeError {
  try {
    parseDigestChallenge(value);
  } catch (error) {
    expect(error).toBeInstanceOf(AuthChallengeError);
    expect((error as AuthChallengeError).code).toBe('SIP_ERR_AUTH_CHALLENGE');
    return error as AuthChallengeError;
  }
  throw new Error(`parsed without error: ${value}`);
}

describe('parseDigestChallenge', () => {
  it('reads the RFC 7616 §3.9.1 challenge', () => {
    const c = parseDigestChallenge(
      'Digest realm="http-auth@example.org", qop="auth, auth-int", algorithm=SHA-256, ' +
        'nonce="7ypf/xlj9XXwfDPEoM4URrv/xwf94BcCAzFZH4GiTo0v", opaque="FQhe/qaU925kfnzjCev0ciny7QMkPqMAFRtzCUYo5tdS"',
    );
    expect(c).toMatchObject({
      scheme: 'Digest',
      realm: 'http-auth@example.org',
      nonce: '7ypf/xlj9XXwfDPEoM4URrv/xwf94BcCAzFZH4GiTo0v',
      opaque: 'FQhe/qaU925kfnzjCev0ciny7QMkPqMAFRtzCUYo5tdS',
      algorithmName: 'SHA-256',
      algorithm: 'SHA-256',
      qop: ['auth', 'auth-int'],
      stale: false,
      userhash: false,
    });
  });

  it('defaults the algorithm to MD5 and qop to none (RFC 2069 challenge)', () => {
    const c = parseDigestChallenge('Digest realm="biloxi.com", nonce="abc"');
    expect(c.algorithm).toBe('MD5');
    expect(c.algorithmName).toBe('MD5');
    expect(c.qop).toEqual([]);
    expect(c.opaque).toBeUndefined();
  });

  it('treats scheme, parameter names and stale/algorithm values case-insensitively', () => {
    const c = parseDigestChallenge('dIgEsT REALM="Asterisk", Nonce="n1", ALGORITHM=sha-512-256-SESS, Stale=TRUE, QOP="AUTH"');
    expect(c.realm).toBe('Asterisk');
    expect(c.nonce).toBe('n1');
    expect(c.algorithm).toBe('SHA-512-256-sess');
    expect(c.algorithmName).toBe('sha-512-256-SESS');
    expect(c.stale).toBe(true);
    expect(c.qop).toEqual(['auth']);
  });

  it('unescapes quoted-pairs and keeps commas and spaces inside quotes', () => {
    const c = parseDigestChallenge(String.raw`Digest realm="a \"quoted\", realm \\ x", nonce="n,o n=ce", domain="sip:a.example.com  sip:b.example.com"`);
    expect(c.realm).toBe('a "quoted", realm \\ x');
    expect(c.nonce).toBe('n,o n=ce');
    expect(c.domain).toEqual(['sip:a.example.com', 'sip:b.example.com']);
  });

  it('accepts token values, a quoted algorithm, odd whitespace and empty list elements', () => {
    const c = parseDigestChallenge('Digest\trealm = kamailio ,, nonce=Wb3x/9QZ+1==,algorithm="MD5",\r\n opaque=""');
    expect(c.realm).toBe('kamailio');
    expect(c.nonce).toBe('Wb3x/9QZ+1==');
    expect(c.algorithm).toBe('MD5');
    expect(c.opaque).toBe('');
  });

  it('reads stale, userhash and charset, and keeps unknown parameters', () => {
    const c = parseDigestChallenge('Digest realm="r", nonce="n", stale=true, userhash=TRUE, charset=UTF-8, x-vendor="a, b", foo=bar');
    expect(c.stale).toBe(true);
    expect(c.userhash).toBe(true);
    expect(c.charset).toBe('UTF-8');
    expect(c.params.get('x-vendor')).toBe('a, b');
    expect(c.params.get('foo')).toBe('bar');
    expect(parseDigestChallenge('Digest realm="r", nonce="n", stale=false').stale).toBe(false);
    expect(parseDigestChallenge('Digest realm="r", nonce="n", stale="TRUE"').stale).toBe(true);
  });

  it('reports an algorithm it does not implement without failing the parse', () => {
    const c = parseDigestChallenge('Digest realm="ims", nonce="n", algorithm=AKAv1-MD5');
    expect(c.algorithm).toBeUndefined();
    expect(c.algorithmName).toBe('AKAv1-MD5');
  });

  it('names what is wrong in malformed challenges', () => {
    expect(digestError('Digest nonce="n"').message).toMatch(/no realm/);
    expect(digestError('Digest realm="office"').message).toMatch(/realm "office" has no nonce/);
    expect(digestError('Digest realm="r", nonce="unterminated').message).toMatch(/unterminated quoted string in parameter "nonce"/);
    expect(digestError('Digest realm="open, nonce="n"').message).toMatch(/expected "," after parameter "realm"/);
    expect(digestError('Digest realm="a", realm="b", nonce="n"').message).toMatch(/"realm" occurs twice/);
    expect(digestError('Digest realm="a" nonce="n"').message).toMatch(/expected "," after parameter "realm"/);
    expect(digestError('Digest realm=, nonce="n"').message).toMatch(/"realm" has no value/);
    expect(digestError('').message).toMatch(/empty/);
    expect(digestError('Digest realm="a", nonce=ab"c"').message).toMatch(/stray quote/);
  });
});

describe('parseAuthChallenges', () => {
  it('recognizes other schemes as unsupported, with their params or token68', () => {
    const [basic] = parseAuthChallenges('Basic realm="WallyWorld"');
    expect(basic).toMatchObject({ scheme: 'Basic', supported: false });
    expect(basic!.params.get('realm')).toBe('WallyWorld');
    const [bearer] = parseAuthChallenges('Bearer mF_9.B5f-4.1JqM==');
    expect(bearer).toMatchObject({ scheme: 'Bearer', supported: false, token68: 'mF_9.B5f-4.1JqM==' });
  });

  it('parseDigestChallenge reports a non-Digest scheme with a typed error', () => {
    try {
      parseDigestChallenge('Basic realm="WallyWorld"');
      expect.unreachable();
    } catch (error) {
      expect(error).toBeInstanceOf(AuthUnsupportedError);
      expect((error as AuthUnsupportedError).code).toBe('SIP_ERR_AUTH_UNSUPPORTED');
      expect((error as Error).message).toMatch(/"Basic"/);
    }
  });

  it('splits several challenges sent in one comma-joined value', () => {
    const list = parseAuthChallenges(
      'Digest realm="r", nonce="1", algorithm=SHA-256, Basic realm="r", Digest realm="r", nonce="2", algorithm=MD5',
    );
    expect(list.map((c) => c.scheme)).toEqual(['Digest', 'Basic', 'Digest']);
    expect((list[0] as DigestChallenge).algorithm).toBe('SHA-256');
    expect((list[2] as DigestChallenge).nonce).toBe('2');
  });

  it('round-trips any realm/nonce/opaque through quoting', () => {
    const text = fc.string({ unit: 'grapheme', maxLength: 40 }).filter((s) => !/[\r\n]/.test(s));
    fc.assert(
      fc.property(text, text, text, (realm, nonce, opaque) => {
        const c = parseDigestChallenge(`Digest realm=${quoteString(realm)}, nonce=${quoteString(nonce)}, opaque=${quoteString(opaque)}`);
        expect([c.realm, c.nonce, c.opaque]).toEqual([realm, nonce, opaque]);
      }),
      { numRuns: 300 },
    );
  });
});
