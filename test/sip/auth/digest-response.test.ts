import { createHash } from 'node:crypto';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { AuthUnsupportedError } from '../../../src/sip/auth/auth-errors.js';
import { digestHash } from '../../../src/sip/auth/digest-algorithm.js';
import { parseDigestChallenge } from '../../../src/sip/auth/digest-challenge.js';
import {
  answerDigestChallenge,
  chooseQop,
  computeDigestResponse,
  type DigestAuthorization,
  formatNonceCount,
  generateCnonce,
  parseDigestAuthorization,
  serializeDigestAuthorization,
} from '../../../src/sip/auth/digest-response.js';

// RFC 7616 §3.9.1 worked example.
const RFC7616 = {
  realm: 'http-auth@example.org',
  nonce: '7ypf/xlj9XXwfDPEoM4URrv/xwf94BcCAzFZH4GiTo0v',
  opaque: 'FQhe/qaU925kfnzjCev0ciny7QMkPqMAFRtzCUYo5tdS',
  cnonce: 'f2/wE4q74E6zIJEtWaHKaf5wv/H5QzzpXusqGemxURZJ',
  username: 'Mufasa',
  password: 'Circle of Life',
  uri: '/dir/index.html',
};

function rfc7616Challenge(algorithm: string): string {
  return `Digest realm="${RFC7616.realm}", qop="auth, auth-int", algorithm=${algorithm}, nonce="${RFC7616.nonce}", opaque="${RFC7616.opaque}"`;
}

describe('RFC 7616 §3.9.1 and RFC 2617 §3.5 worked examples', () => {
  it('MD5 gives 8ca523f5e9506fed4657c9700eebdbec', () => {
    const a = answerDigestChallenge(parseDigestChallenge(rfc7616Challenge('MD5')), {
      username: RFC7616.username,
      password: RFC7616.password,
      method: 'GET',
      uri: RFC7616.uri,
      cnonce: RFC7616.cnonce,
    });
    expect(a.response).toBe('8ca523f5e9506fed4657c9700eebdbec');
    expect(serializeDigestAuthorization(a)).toBe(
      'Digest username="Mufasa", realm="http-auth@example.org", nonce="7ypf/xlj9XXwfDPEoM4URrv/xwf94BcCAzFZH4GiTo0v", ' +
        'uri="/dir/index.html", response="8ca523f5e9506fed4657c9700eebdbec", algorithm=MD5, ' +
        'cnonce="f2/wE4q74E6zIJEtWaHKaf5wv/H5QzzpXusqGemxURZJ", opaque="FQhe/qaU925kfnzjCev0ciny7QMkPqMAFRtzCUYo5tdS", qop=auth, nc=00000001',
    );
  });

  it('SHA-256 gives 753927fa…6cb6c1', () => {
    const a = answerDigestChallenge(parseDigestChallenge(rfc7616Challenge('SHA-256')), {
      username: RFC7616.username,
      password: RFC7616.password,
      method: 'GET',
      uri: RFC7616.uri,
      cnonce: RFC7616.cnonce,
    });
    expect(a.response).toBe('753927fa0e85d155564e2e272a28d1802ca10daf4496794697cf8db5856cb6c1');
    expect(a.algorithm).toBe('SHA-256');
  });

  it('RFC 2617 §3.5 (MD5, qop=auth) gives 6629fae49393a05397450978507c4ef1', () => {
    const c = parseDigestChallenge(
      'Digest realm="testrealm@host.com", qop="auth,auth-int", nonce="dcd98b7102dd2f0e8b11d0f600bfb0c093", opaque="5ccc069c403ebaf9f0171e9517f40e41"',
    );
    const a = answerDigestChallenge(c, { username: 'Mufasa', password: 'Circle Of Life', method: 'GET', uri: '/dir/index.html', cnonce: '0a4f113b' });
    expect(a.response).toBe('6629fae49393a05397450978507c4ef1');
    expect(a.nc).toBe(1);
  });

  // The userhash and response printed in RFC 7616 §3.9.2 are not the hashes of its inputs; erratum 4897
  // publishes the corrected ones (793263ca… and 3798d413…), which the independent SHA-512/256 below also gives.
  it('RFC 7616 §3.9.2 (SHA-512-256 with userhash), as corrected by erratum 4897', () => {
    const c = parseDigestChallenge(
      'Digest realm="api@example.org", qop="auth", algorithm=SHA-512-256, nonce="5TsQWLVdgBdmrQ0XsxbDODV+57QdFR34I9HAbC/RVvkK", ' +
        'opaque="HRPCssKJSGjCrkzDg8OhwpzCiGPChXYjwrI2QmXDnsOS", charset=UTF-8, userhash=true',
    );
    const a = answerDigestChallenge(c, {
      username: 'J\u00e4s\u00f8n Doe',
      password: 'Secret, or not?',
      method: 'GET',
      uri: '/doe.json',
      cnonce: 'NTg6RKcb9boFIAS3KrFK9BGeh+iDa/sm6jUMp2wds69v',
    });
    expect(a.username).toBe('793263caabb707a56211940d90411ea4a575adeccb7e360aeb624ed06ece9b0b');
    expect(a.response).toBe('3798d4131c277846293534c3edc11bd8a5e4cdcbff78b05db9d95eeb1cec68a5');
    expect(a.username).toBe(sha512_256('J\u00e4s\u00f8n Doe:api@example.org'));
    expect(serializeDigestAuthorization(a)).toMatch(/, userhash=true$/);
  });
});

// An independent SHA-512/256 (FIPS 180-4 §6.4 with the §5.3.6 IV), derived from first principles with
// BigInt so that it shares nothing with OpenSSL: round constants and IVs are computed from the primes.
const MASK = (1n << 64n) - 1n;
const rotr = (x: bigint, n: bigint): bigint => ((x >> n) | (x << (64n - n))) & MASK;
function iroot(n: bigint, k: bigint): bigint {
  let x = 1n << (BigInt(n.toString(2).length) / k + 1n);
  for (;;) {
    const y = ((k - 1n) * x + n / x ** (k - 1n)) / k;
    if (y >= x) return x;
    x = y;
  }
}
const PRIMES: bigint[] = [];
for (let n = 2n; PRIMES.length < 80; n++) if (PRIMES.every((p) => n % p !== 0n)) PRIMES.push(n);
const K = PRIMES.map((p) => iroot(p << 192n, 3n) & MASK);
const SHA512_IV = PRIMES.slice(0, 8).map((p) => iroot(p << 128n, 2n) & MASK);

function sha512Core(message: Uint8Array, iv: bigint[], outBytes: number): string {
  const bitLen = BigInt(message.length) * 8n;
  const padded = new Uint8Array(Math.ceil((message.length + 17) / 128) * 128);
  padded.set(message);
  padded[message.length] = 0x80;
  for (let i = 0; i < 16; i++) padded[padded.length - 1 - i] = Number((bitLen >> BigInt(8 * i)) & 0xffn);
  const h = [...iv];
  for (let off = 0; off < padded.length; off += 128) {
    const w: bigint[] = [];
    for (let t = 0; t < 16; t++) {
      let v = 0n;
      for (let b = 0; b < 8; b++) v = (v << 8n) | BigInt(padded[off + t * 8 + b]!);
      w.push(v);
    }
    for (let t = 16; t < 80; t++) {
      const s0 = rotr(w[t - 15]!, 1n) ^ rotr(w[t - 15]!, 8n) ^ (w[t - 15]! >> 7n);
      const s1 = rotr(w[t - 2]!, 19n) ^ rotr(w[t - 2]!, 61n) ^ (w[t - 2]! >> 6n);
      w.push((w[t - 16]! + s0 + w[t - 7]! + s1) & MASK);
    }
    let [a, b, c, d, e, f, g, hh] = h as [bigint, bigint, bigint, bigint, bigint, bigint, bigint, bigint];
    for (let t = 0; t < 80; t++) {
      const S1 = rotr(e, 14n) ^ rotr(e, 18n) ^ rotr(e, 41n);
      const ch = (e & f) ^ (~e & MASK & g);
      const t1 = (hh + S1 + ch + K[t]! + w[t]!) & MASK;
      const S0 = rotr(a, 28n) ^ rotr(a, 34n) ^ rotr(a, 39n);
      const maj = (a & b) ^ (a & c) ^ (b & c);
      const t2 = (S0 + maj) & MASK;
      [hh, g, f, e, d, c, b, a] = [g, f, e, (d + t1) & MASK, c, b, a, (t1 + t2) & MASK];
    }
    [a, b, c, d, e, f, g, hh].forEach((v, i) => (h[i] = (h[i]! + v) & MASK));
  }
  return h.map((v) => v.toString(16).padStart(16, '0')).join('').slice(0, outBytes * 2);
}
const SHA512_256_IV = (() => {
  const hex = sha512Core(new TextEncoder().encode('SHA-512/256'), SHA512_IV.map((v) => v ^ 0xa5a5a5a5a5a5a5a5n), 64);
  return Array.from({ length: 8 }, (_, i) => BigInt(`0x${hex.slice(i * 16, i * 16 + 16)}`));
})();
const sha512_256 = (text: string): string => sha512Core(new TextEncoder().encode(text), SHA512_256_IV, 32);

describe('SHA-512-256 (RFC 8760) against an independent implementation', () => {
  it('the reference implementation matches the FIPS 180-4 example vectors', () => {
    expect(sha512Core(new TextEncoder().encode('abc'), SHA512_IV, 64)).toBe(
      'ddaf35a193617abacc417349ae20413112e6fa4e89a97ea20a9eeee64b55d39a2192992a274fc1a836ba3c23a3feebbd454d4423643ce80e2a9ac94fa54ca49f',
    );
    expect(sha512_256('abc')).toBe('53048e2681941ef99b2e29b76b4c7dabe4c2d0c634fc6d46e0e2f13107e7af23');
  });

  it('digestHash and the full response agree with it, for plain and -sess', () => {
    expect(digestHash('SHA-512-256', 'Mufasa:biloxi.com:Circle of Life')).toBe(sha512_256('Mufasa:biloxi.com:Circle of Life'));
    const input = {
      username: 'bob',
      password: 'zanzibar',
      realm: 'biloxi.com',
      nonce: 'dcd98b7102dd2f0e8b11d0f600bfb0c093',
      method: 'REGISTER',
      uri: 'sip:biloxi.com',
      qop: 'auth' as const,
      nc: 3,
      cnonce: '0a4f113b',
    };
    const ha1 = sha512_256('bob:biloxi.com:zanzibar');
    const ha2 = sha512_256('REGISTER:sip:biloxi.com');
    expect(computeDigestResponse({ ...input, algorithm: 'SHA-512-256' })).toBe(
      sha512_256(`${ha1}:dcd98b7102dd2f0e8b11d0f600bfb0c093:00000003:0a4f113b:auth:${ha2}`),
    );
    const ha1sess = sha512_256(`${ha1}:dcd98b7102dd2f0e8b11d0f600bfb0c093:0a4f113b`);
    expect(computeDigestResponse({ ...input, algorithm: 'SHA-512-256-sess' })).toBe(
      sha512_256(`${ha1sess}:dcd98b7102dd2f0e8b11d0f600bfb0c093:00000003:0a4f113b:auth:${ha2}`),
    );
  });
});

describe('computeDigestResponse variants', () => {
  const md5 = (s: string | Buffer): string => createHash('md5').update(s).digest('hex');
  const sha256 = (s: string | Buffer): string => createHash('sha256').update(s).digest('hex');
  const base = { username: 'alice', password: 's3cret', realm: 'atlanta.com', nonce: 'N0NCE', method: 'INVITE', uri: 'sip:bob@biloxi.com' };

  it('RFC 2069 form without qop: H(HA1:nonce:HA2)', () => {
    const ha1 = md5('alice:atlanta.com:s3cret');
    const ha2 = md5('INVITE:sip:bob@biloxi.com');
    expect(computeDigestResponse({ ...base, algorithm: 'MD5' })).toBe(md5(`${ha1}:N0NCE:${ha2}`));
  });

  it('MD5-sess and SHA-256-sess fold nonce and cnonce into HA1', () => {
    const ha2 = md5('INVITE:sip:bob@biloxi.com');
    const ha1 = md5(`${md5('alice:atlanta.com:s3cret')}:N0NCE:CN`);
    expect(computeDigestResponse({ ...base, algorithm: 'MD5-sess', qop: 'auth', nc: 1, cnonce: 'CN' })).toBe(
      md5(`${ha1}:N0NCE:00000001:CN:auth:${ha2}`),
    );
    const sha1 = sha256(`${sha256('alice:atlanta.com:s3cret')}:N0NCE:CN`);
    expect(computeDigestResponse({ ...base, algorithm: 'SHA-256-sess', qop: 'auth', nc: 1, cnonce: 'CN' })).toBe(
      sha256(`${sha1}:N0NCE:00000001:CN:auth:${sha256('INVITE:sip:bob@biloxi.com')}`),
    );
  });

  it('auth-int hashes the body bytes into A2', () => {
    const body = Buffer.from('v=0\r\no=- 1 1 IN IP4 192.0.2.1\r\n');
    const ha1 = md5('alice:atlanta.com:s3cret');
    const ha2 = md5(`INVITE:sip:bob@biloxi.com:${md5(body)}`);
    const r = computeDigestResponse({ ...base, algorithm: 'MD5', qop: 'auth-int', nc: 2, cnonce: 'CN', body });
    expect(r).toBe(md5(`${ha1}:N0NCE:00000002:CN:auth-int:${ha2}`));
    expect(computeDigestResponse({ ...base, algorithm: 'MD5', qop: 'auth-int', nc: 2, cnonce: 'CN', body: 'other' })).not.toBe(r);
    // An absent body hashes as the empty string.
    const empty = computeDigestResponse({ ...base, algorithm: 'MD5', qop: 'auth-int', nc: 2, cnonce: 'CN' });
    expect(empty).toBe(md5(`${ha1}:N0NCE:00000002:CN:auth-int:${md5(`INVITE:sip:bob@biloxi.com:${md5('')}`)}`));
  });

  it('answers auth-int only when auth is not offered, and rejects unknown qop and -sess without qop', () => {
    expect(chooseQop(parseDigestChallenge('Digest realm="r", nonce="n", qop="auth-int,auth"'))).toBe('auth');
    expect(chooseQop(parseDigestChallenge('Digest realm="r", nonce="n", qop="auth-int"'))).toBe('auth-int');
    expect(chooseQop(parseDigestChallenge('Digest realm="r", nonce="n"'))).toBeUndefined();
    expect(() => chooseQop(parseDigestChallenge('Digest realm="r", nonce="n", qop="auth-conf"'))).toThrow(AuthUnsupportedError);
    expect(() => chooseQop(parseDigestChallenge('Digest realm="r", nonce="n", algorithm=MD5-sess'))).toThrow(/without qop/);
    expect(() =>
      answerDigestChallenge(parseDigestChallenge('Digest realm="r", nonce="n", algorithm=AKAv1-MD5'), {
        username: 'u',
        password: 'p',
        method: 'REGISTER',
        uri: 'sip:r',
      }),
    ).toThrow(/unsupported Digest algorithm "AKAv1-MD5"/);
  });

  it('an RFC 2069 answer has no cnonce, qop or nc', () => {
    const a = answerDigestChallenge(parseDigestChallenge('Digest realm="r", nonce="n"'), { username: 'u', password: 'p', method: 'REGISTER', uri: 'sip:r' });
    expect(serializeDigestAuthorization(a)).toMatch(/^Digest username="u", realm="r", nonce="n", uri="sip:r", response="[0-9a-f]{32}", algorithm=MD5$/);
  });
});

describe('nonce count, cnonce and serialization', () => {
  it('formats nc as 8 lower-case hex digits and rejects out-of-range counts', () => {
    expect(formatNonceCount(1)).toBe('00000001');
    expect(formatNonceCount(255)).toBe('000000ff');
    expect(formatNonceCount(0xffffffff)).toBe('ffffffff');
    expect(() => formatNonceCount(0)).toThrow(RangeError);
    expect(() => formatNonceCount(2 ** 32)).toThrow(RangeError);
    expect(() => formatNonceCount(1.5)).toThrow(RangeError);
  });

  it('generates distinct 128-bit hex cnonces', () => {
    const seen = new Set(Array.from({ length: 50 }, generateCnonce));
    expect(seen.size).toBe(50);
    for (const c of seen) expect(c).toMatch(/^[0-9a-f]{32}$/);
  });

  it('writes qop, nc and algorithm bare and escapes quotes and backslashes', () => {
    const text = serializeDigestAuthorization({
      username: 'a"b\\c',
      realm: 'r',
      nonce: 'n',
      uri: 'sip:r',
      response: 'x',
      algorithm: 'SHA-256',
      cnonce: 'c',
      qop: 'auth',
      nc: 10,
    });
    expect(text).toContain(String.raw`username="a\"b\\c"`);
    expect(text).toContain('algorithm=SHA-256,');
    expect(text).toContain('qop=auth,');
    expect(text).toMatch(/nc=0000000a$/);
    expect(parseDigestAuthorization(text).username).toBe('a"b\\c');
  });

  it('round-trips arbitrary credentials through serialize/parse', () => {
    const str = fc.string({ unit: 'grapheme', maxLength: 30 }).filter((s) => !/[\r\n]/.test(s));
    const auth: fc.Arbitrary<DigestAuthorization> = fc.record(
      {
        username: str,
        realm: str,
        nonce: str,
        uri: str,
        response: fc.stringMatching(/^[0-9a-f]{32}$/),
        algorithm: fc.constantFrom('MD5', 'SHA-256', 'SHA-512-256-sess'),
        cnonce: str,
        opaque: str,
        qop: fc.constantFrom('auth', 'auth-int'),
        nc: fc.integer({ min: 1, max: 0xffffffff }),
        userhash: fc.constant(true),
      },
      { requiredKeys: ['username', 'realm', 'nonce', 'uri', 'response'] },
    );
    fc.assert(
      fc.property(auth, (a) => {
        expect(parseDigestAuthorization(serializeDigestAuthorization(a))).toEqual(a);
      }),
      { numRuns: 300 },
    );
  });
});
