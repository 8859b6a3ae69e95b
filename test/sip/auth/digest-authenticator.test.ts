import { describe, expect, it } from 'vitest';
import {
  AuthChallengeError,
  AuthCredentialsMissingError,
  AuthRejectedError,
  AuthUnsupportedError,
} from '../../../src/sip/auth/auth-errors.js';
import { DigestAuthenticator } from '../../../src/sip/auth/digest-authenticator.js';
import { computeDigestResponse, parseDigestAuthorization } from '../../../src/sip/auth/digest-response.js';

const REGISTER = { method: 'REGISTER', uri: 'sip:pbx.example.com' };
const alice = { username: 'alice', password: 'wonderland' };

function fixedCnonces(): () => string {
  let n = 0;
  return () => `cn${++n}`;
}

function errorOf(fn: () => unknown): Error {
  try {
    fn();
  } catch (error) {
    return error as Error;
  }
  throw new Error('did not throw');
}

describe('DigestAuthenticator', () => {
  it('answers a 401 with an Authorization field whose response verifies', () => {
    const auth = new DigestAuthenticator({ credentials: { asterisk: alice }, generateCnonce: fixedCnonces() });
    const [field, ...rest] = auth.respond(401, ['Digest realm="asterisk", nonce="abc", qop="auth", algorithm=MD5, opaque="op"'], REGISTER);
    expect(rest).toEqual([]);
    expect(field!.name).toBe('Authorization');
    expect(field!.realm).toBe('asterisk');
    const sent = parseDigestAuthorization(field!.value);
    expect(sent).toMatchObject({ username: 'alice', realm: 'asterisk', nonce: 'abc', uri: 'sip:pbx.example.com', cnonce: 'cn1', qop: 'auth', nc: 1, opaque: 'op' });
    expect(sent.response).toBe(
      computeDigestResponse({ algorithm: 'MD5', ...alice, realm: 'asterisk', nonce: 'abc', ...REGISTER, qop: 'auth', nc: 1, cnonce: 'cn1' }),
    );
  });

  it('answers a 407 with Proxy-Authorization', () => {
    const auth = new DigestAuthenticator({ defaultCredentials: alice });
    const [field] = auth.respond(407, ['Digest realm="proxy.example.com", nonce="p1"'], { method: 'INVITE', uri: 'sip:bob@example.com', body: 'v=0\r\n' });
    expect(field!.name).toBe('Proxy-Authorization');
    expect(parseDigestAuthorization(field!.value).uri).toBe('sip:bob@example.com');
  });

  it('chooses the strongest algorithm offered for a realm, whatever the order', () => {
    const auth = new DigestAuthenticator({ defaultCredentials: alice });
    const offers = [
      'Digest realm="r", nonce="m", algorithm=MD5, qop="auth"',
      'Digest realm="r", nonce="s5", algorithm=SHA-512-256, qop="auth"',
      'Digest realm="r", nonce="s2", algorithm=SHA-256, qop="auth"',
    ];
    for (const order of [offers, [...offers].reverse(), [offers[2]!, offers[0]!, offers[1]!]]) {
      const [field] = new DigestAuthenticator({ defaultCredentials: alice }).respond(401, order, REGISTER);
      expect(parseDigestAuthorization(field!.value).algorithm).toBe('SHA-512-256');
    }
    const [field] = auth.respond(401, [offers[0]!, offers[2]!], REGISTER);
    expect(parseDigestAuthorization(field!.value)).toMatchObject({ algorithm: 'SHA-256', nonce: 's2' });
  });

  it('skips challenges it cannot answer and reports when none is left', () => {
    const auth = new DigestAuthenticator({ defaultCredentials: alice });
    const [field] = auth.respond(
      401,
      ['Basic realm="r"', 'Digest realm="r", nonce="a", algorithm=AKAv1-MD5', 'Digest realm="r", broken="', 'Digest realm="r", nonce="m"'],
      REGISTER,
    );
    expect(parseDigestAuthorization(field!.value)).toMatchObject({ nonce: 'm', algorithm: 'MD5' });

    const error = errorOf(() => auth.respond(401, ['Basic realm="r"', 'Digest realm="r", nonce="a", algorithm=AKAv1-MD5'], REGISTER));
    expect(error).toBeInstanceOf(AuthUnsupportedError);
    expect((error as AuthUnsupportedError).code).toBe('SIP_ERR_AUTH_UNSUPPORTED');
    expect((error as AuthUnsupportedError).offered).toEqual(['Basic', 'Digest algorithm=AKAv1-MD5']);
    expect(errorOf(() => auth.respond(401, ['Digest nonce="x"'], REGISTER))).toBeInstanceOf(AuthChallengeError);
    expect(errorOf(() => auth.respond(401, [], REGISTER)).message).toMatch(/no authentication challenge/);
  });

  it('answers every challenged realm, and names a realm it has no credentials for', () => {
    const auth = new DigestAuthenticator({ credentials: [['a.example', alice], ['b.example', { username: 'bob', password: 'x' }]] });
    const fields = auth.respond(407, ['Digest realm="a.example", nonce="1"', 'Digest realm="b.example", nonce="2"'], REGISTER);
    expect(fields.map((f) => [f.realm, parseDigestAuthorization(f.value).username])).toEqual([
      ['a.example', 'alice'],
      ['b.example', 'bob'],
    ]);
    const error = errorOf(() => auth.respond(401, ['Digest realm="c.example", nonce="3"'], REGISTER));
    expect(error).toBeInstanceOf(AuthCredentialsMissingError);
    expect((error as AuthCredentialsMissingError).code).toBe('SIP_ERR_AUTH_NO_CREDENTIALS');
    expect(error.message).toContain('"c.example"');
  });

  it('re-uses the nonce pre-emptively with nc incrementing and the same cnonce', () => {
    const auth = new DigestAuthenticator({ defaultCredentials: alice, generateCnonce: fixedCnonces() });
    expect(auth.authorize(REGISTER)).toEqual([]);
    auth.respond(401, ['Digest realm="r", nonce="n1", qop="auth"'], REGISTER);
    auth.accepted();
    const counts: string[] = [];
    for (let i = 0; i < 3; i++) {
      const [field] = auth.authorize(REGISTER);
      const sent = parseDigestAuthorization(field!.value);
      expect(sent.cnonce).toBe('cn1');
      expect(sent.response).toBe(
        computeDigestResponse({ algorithm: 'MD5', ...alice, realm: 'r', nonce: 'n1', ...REGISTER, qop: 'auth', nc: sent.nc!, cnonce: 'cn1' }),
      );
      counts.push(/nc=([0-9a-f]{8})/.exec(field!.value)![1]!);
      auth.accepted();
    }
    expect(counts).toEqual(['00000002', '00000003', '00000004']);
    expect(auth.nonceCount('r')).toBe(4);
  });

  it('starts over at nc=1 with a new cnonce when the server issues a new nonce', () => {
    const auth = new DigestAuthenticator({ defaultCredentials: alice, generateCnonce: fixedCnonces() });
    auth.respond(401, ['Digest realm="r", nonce="n1", qop="auth"'], REGISTER);
    auth.accepted();
    auth.authorize(REGISTER);
    // The pre-emptive credentials were refused because the nonce expired (no stale flag): a fresh answer, not a failure.
    const [field] = auth.respond(401, ['Digest realm="r", nonce="n2", qop="auth"'], REGISTER);
    expect(parseDigestAuthorization(field!.value)).toMatchObject({ nonce: 'n2', nc: 1, cnonce: 'cn2' });
  });

  it('fails with SIP_ERR_AUTH_REJECTED when challenged again right after answering', () => {
    const auth = new DigestAuthenticator({ defaultCredentials: { username: 'alice', password: 'wrong' } });
    auth.respond(401, ['Digest realm="office", nonce="n1", qop="auth"'], REGISTER);
    const error = errorOf(() => auth.respond(401, ['Digest realm="office", nonce="n2", qop="auth"'], REGISTER));
    expect(error).toBeInstanceOf(AuthRejectedError);
    expect((error as AuthRejectedError).code).toBe('SIP_ERR_AUTH_REJECTED');
    expect((error as AuthRejectedError).realm).toBe('office');
    expect(error.message).toBe('authentication rejected: wrong username or password for realm "office"');
  });

  it('retries once on stale=true, then treats a further challenge as a rejection', () => {
    const auth = new DigestAuthenticator({ defaultCredentials: alice });
    auth.respond(401, ['Digest realm="r", nonce="n1", qop="auth"'], REGISTER);
    const [retry] = auth.respond(401, ['Digest realm="r", nonce="n2", qop="auth", stale=TRUE'], REGISTER);
    expect(parseDigestAuthorization(retry!.value)).toMatchObject({ nonce: 'n2', nc: 1 });
    expect(errorOf(() => auth.respond(401, ['Digest realm="r", nonce="n3", qop="auth", stale=true'], REGISTER))).toBeInstanceOf(AuthRejectedError);

    const other = new DigestAuthenticator({ defaultCredentials: alice });
    other.respond(401, ['Digest realm="r", nonce="n1"'], REGISTER);
    other.respond(401, ['Digest realm="r", nonce="n2", stale=true'], REGISTER);
    expect(errorOf(() => other.respond(401, ['Digest realm="r", nonce="n3"'], REGISTER)).message).toMatch(/wrong username or password for realm "r"/);
  });

  it('treats a challenge after an accepted request as fresh, and keeps WWW and proxy realms apart', () => {
    const auth = new DigestAuthenticator({ defaultCredentials: alice });
    auth.respond(401, ['Digest realm="r", nonce="n1"'], REGISTER);
    auth.accepted();
    expect(auth.respond(401, ['Digest realm="r", nonce="n2"'], REGISTER)).toHaveLength(1);
    // A proxy challenge for a realm of the same name is a separate protection space.
    expect(auth.respond(407, ['Digest realm="r", nonce="p1"'], REGISTER)).toHaveLength(1);
    expect(auth.authorize(REGISTER).map((f) => f.name)).toEqual(['Authorization', 'Proxy-Authorization']);
  });

  it('drops cached nonces when credentials change or on forget()', () => {
    const auth = new DigestAuthenticator({ defaultCredentials: alice });
    auth.respond(401, ['Digest realm="r", nonce="n1"'], REGISTER);
    auth.setCredentials('r', { username: 'carol', password: 'new' });
    expect(auth.authorize(REGISTER)).toEqual([]);
    const [field] = auth.respond(401, ['Digest realm="r", nonce="n2"'], REGISTER);
    expect(parseDigestAuthorization(field!.value).username).toBe('carol');
    auth.forget('r');
    expect(auth.authorize(REGISTER)).toEqual([]);
  });
});
