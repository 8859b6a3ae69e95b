import { randomBytes } from 'node:crypto';
import { AuthChallengeError, AuthUnsupportedError } from './auth-errors.js';
import { parseAuthItems, quoteString } from './auth-params.js';
import { type DigestAlgorithm, digestHash, isSessionAlgorithm } from './digest-algorithm.js';
import type { DigestChallenge } from './digest-challenge.js';

/** The quality of protection Portier can answer with (RFC 7616 §3.3). */
export type DigestQop = 'auth' | 'auth-int';

/** Everything the response hash depends on (RFC 7616 §3.4.1–§3.4.3; RFC 2617 §3.2.2; RFC 2069 when `qop` is absent). */
export interface DigestResponseInput {
  algorithm: DigestAlgorithm;
  username: string;
  password: string;
  realm: string;
  nonce: string;
  method: string;
  /** The digest-uri: in SIP the Request-URI exactly as sent (RFC 3261 §22.4). */
  uri: string;
  qop?: DigestQop;
  /** Nonce count, 1 for the first use of a nonce; required with qop. */
  nc?: number;
  /** Client nonce; required with qop and for the -sess algorithms. */
  cnonce?: string;
  /** Message body, hashed into A2 for auth-int. */
  body?: Buffer | string;
}

/** The fields of an Authorization / Proxy-Authorization Digest value (RFC 3261 §25.1 digest-response). */
export interface DigestAuthorization {
  username: string;
  realm: string;
  nonce: string;
  uri: string;
  response: string;
  algorithm?: string;
  cnonce?: string;
  opaque?: string;
  qop?: string;
  nc?: number;
  userhash?: boolean;
}

/** Per-request inputs for answering a challenge. */
export interface DigestAnswerInput {
  username: string;
  password: string;
  method: string;
  uri: string;
  body?: Buffer | string;
  /** Nonce count for this use of the challenge's nonce; default 1. */
  nc?: number;
  /** Client nonce; a fresh random one when omitted. */
  cnonce?: string;
}

/** A fresh client nonce: 128 random bits as hex, safe as a quoted-string. */
export function generateCnonce(): string {
  return randomBytes(16).toString('hex');
}

/** The nonce-count as the 8 lower-case hex digits the grammar requires (RFC 7616 §3.4: nc-value = 8LHEX). */
export function formatNonceCount(nc: number): string {
  if (!Number.isInteger(nc) || nc < 1 || nc > 0xffffffff) throw new RangeError(`nonce count out of range: ${nc}`);
  return nc.toString(16).padStart(8, '0');
}

/** Computes the `response` value (request-digest) for the given inputs. */
export function computeDigestResponse(input: DigestResponseInput): string {
  const { algorithm } = input;
  const H = (data: string | Buffer): string => digestHash(algorithm, data);
  let ha1 = H(`${input.username}:${input.realm}:${input.password}`);
  if (isSessionAlgorithm(algorithm)) {
    // RFC 7616 §3.4.2: A1 = H(user:realm:pass) ":" nonce ":" cnonce for the -sess variants.
    if (input.cnonce === undefined) throw new AuthChallengeError(`algorithm ${algorithm} needs a cnonce`);
    ha1 = H(`${ha1}:${input.nonce}:${input.cnonce}`);
  }
  // RFC 7616 §3.4.3: auth-int appends H(entity-body) to A2.
  const a2 =
    input.qop === 'auth-int'
      ? `${input.method}:${input.uri}:${H(input.body ?? '')}`
      : `${input.method}:${input.uri}`;
  const ha2 = H(a2);
  if (input.qop === undefined) {
    // RFC 2069 form, kept by RFC 2617 §3.2.2.1 for servers that send no qop.
    return H(`${ha1}:${input.nonce}:${ha2}`);
  }
  if (input.cnonce === undefined || input.nc === undefined) {
    throw new AuthChallengeError(`qop=${input.qop} needs cnonce and nc`);
  }
  return H(`${ha1}:${input.nonce}:${formatNonceCount(input.nc)}:${input.cnonce}:${input.qop}:${ha2}`);
}

/**
 * Answers a Digest challenge: picks the qop (auth preferred over auth-int, none for RFC 2069
 * challenges), hashes the username when the server asks for userhash, and returns the fields to serialize.
 * Throws AuthUnsupportedError if the challenge's algorithm or qop options are not implemented.
 */
export function answerDigestChallenge(challenge: DigestChallenge, input: DigestAnswerInput): DigestAuthorization {
  const algorithm = challenge.algorithm;
  if (algorithm === undefined) {
    throw new AuthUnsupportedError(`unsupported Digest algorithm "${challenge.algorithmName}" for realm "${challenge.realm}"`, [
      `Digest algorithm=${challenge.algorithmName}`,
    ]);
  }
  const qop = chooseQop(challenge);
  const nc = input.nc ?? 1;
  const withCnonce = qop !== undefined || isSessionAlgorithm(algorithm);
  const cnonce = withCnonce ? (input.cnonce ?? generateCnonce()) : undefined;
  const response = computeDigestResponse({
    algorithm,
    username: input.username,
    password: input.password,
    realm: challenge.realm,
    nonce: challenge.nonce,
    method: input.method,
    uri: input.uri,
    ...(qop !== undefined ? { qop, nc } : {}),
    ...(cnonce !== undefined ? { cnonce } : {}),
    ...(input.body !== undefined ? { body: input.body } : {}),
  });
  const result: DigestAuthorization = {
    // RFC 7616 §3.4.4: username = H(unq(username) ":" unq(realm)) when userhash is requested.
    username: challenge.userhash ? digestHash(algorithm, `${input.username}:${challenge.realm}`) : input.username,
    realm: challenge.realm,
    nonce: challenge.nonce,
    uri: input.uri,
    response,
    algorithm,
  };
  if (cnonce !== undefined) result.cnonce = cnonce;
  if (challenge.opaque !== undefined) result.opaque = challenge.opaque;
  if (qop !== undefined) {
    result.qop = qop;
    result.nc = nc;
  }
  if (challenge.userhash) result.userhash = true;
  return result;
}

/** The qop we answer a challenge with, or undefined for the RFC 2069 form; throws if only unknown options are offered. */
export function chooseQop(challenge: DigestChallenge): DigestQop | undefined {
  if (challenge.qop.length === 0) {
    if (challenge.algorithm !== undefined && isSessionAlgorithm(challenge.algorithm)) {
      // -sess needs a cnonce, and RFC 2617 §3.2.2 forbids a cnonce without qop: no defined answer exists.
      throw new AuthUnsupportedError(`algorithm ${challenge.algorithm} without qop cannot be answered (realm "${challenge.realm}")`, [
        `Digest algorithm=${challenge.algorithmName}`,
      ]);
    }
    return undefined;
  }
  if (challenge.qop.includes('auth')) return 'auth';
  if (challenge.qop.includes('auth-int')) return 'auth-int';
  throw new AuthUnsupportedError(`unsupported qop "${challenge.qop.join(',')}" for realm "${challenge.realm}"`, [
    `Digest qop=${challenge.qop.join(',')}`,
  ]);
}

/**
 * Writes an Authorization / Proxy-Authorization value. Strings are quoted and escaped;
 * algorithm, qop and nc are written bare, as RFC 7616 §3.4 requires ("MUST NOT generate the quoted string
 * syntax for algorithm, qop, and nc") and RFC 3261 §25.1 (qop-value, nc-value) permits.
 */
export function serializeDigestAuthorization(a: DigestAuthorization): string {
  const parts = [
    `username=${quoteString(a.username)}`,
    `realm=${quoteString(a.realm)}`,
    `nonce=${quoteString(a.nonce)}`,
    `uri=${quoteString(a.uri)}`,
    `response=${quoteString(a.response)}`,
  ];
  if (a.algorithm !== undefined) parts.push(`algorithm=${a.algorithm}`);
  if (a.cnonce !== undefined) parts.push(`cnonce=${quoteString(a.cnonce)}`);
  if (a.opaque !== undefined) parts.push(`opaque=${quoteString(a.opaque)}`);
  if (a.qop !== undefined) parts.push(`qop=${a.qop}`);
  if (a.nc !== undefined) parts.push(`nc=${formatNonceCount(a.nc)}`);
  if (a.userhash) parts.push('userhash=true');
  return `Digest ${parts.join(', ')}`;
}

/** Parses an Authorization / Proxy-Authorization Digest value (the inverse of serializeDigestAuthorization). */
export function parseDigestAuthorization(value: string): DigestAuthorization {
  const items = parseAuthItems(value);
  const item = items[0]!;
  if (items.length !== 1 || item.scheme.toLowerCase() !== 'digest') {
    throw new AuthChallengeError(`expected one Digest credentials item in ${JSON.stringify(value)}`);
  }
  const p = new Map(item.params.map((x) => [x.name, x.value] as const));
  const need = (name: string): string => {
    const v = p.get(name);
    if (v === undefined) throw new AuthChallengeError(`Digest credentials have no ${name} parameter`);
    return v;
  };
  const result: DigestAuthorization = {
    username: need('username'),
    realm: need('realm'),
    nonce: need('nonce'),
    uri: need('uri'),
    response: need('response'),
  };
  const optional = ['algorithm', 'cnonce', 'opaque', 'qop'] as const;
  for (const name of optional) {
    const v = p.get(name);
    if (v !== undefined) result[name] = v;
  }
  const nc = p.get('nc');
  if (nc !== undefined) {
    if (!/^[0-9a-fA-F]{8}$/.test(nc)) throw new AuthChallengeError(`nc must be 8 hex digits, got "${nc}"`);
    result.nc = parseInt(nc, 16);
  }
  if ((p.get('userhash') ?? '').toLowerCase() === 'true') result.userhash = true;
  return result;
}
