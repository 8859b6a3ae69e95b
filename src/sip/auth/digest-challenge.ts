import { AuthChallengeError, AuthUnsupportedError } from './auth-errors.js';
import { type AuthItem, parseAuthItems } from './auth-params.js';
import { type DigestAlgorithm, digestAlgorithmOf } from './digest-algorithm.js';

/** A parsed Digest challenge from a WWW-Authenticate or Proxy-Authenticate value (RFC 3261 §22.4, RFC 7616 §3.3). */
export interface DigestChallenge {
  scheme: 'Digest';
  supported: true;
  realm: string;
  nonce: string;
  opaque?: string;
  /** The algorithm as written (default "MD5", RFC 2617 §3.2.1). */
  algorithmName: string;
  /** The canonical algorithm, or undefined when Portier does not implement it (e.g. AKAv1-MD5). */
  algorithm: DigestAlgorithm | undefined;
  /** The qop options, lower-cased; empty for an RFC 2069 challenge without qop. */
  qop: string[];
  stale: boolean;
  /** The protection-space URIs of `domain`, space-separated in the challenge. */
  domain: string[];
  /** RFC 7616 §3.4.4: the server asks for H(username ":" realm) instead of the username. */
  userhash: boolean;
  charset?: string;
  /** Every parameter by lower-cased name, unknown ones included, values unquoted. */
  params: ReadonlyMap<string, string>;
}

/** A challenge in a scheme other than Digest (Basic, Bearer, Negotiate…), kept so callers can report it. */
export interface UnsupportedChallenge {
  scheme: string;
  supported: false;
  params: ReadonlyMap<string, string>;
  token68?: string;
}

/** Any challenge found in an authenticate header value. */
export type AuthChallenge = DigestChallenge | UnsupportedChallenge;

/**
 * Parses every challenge in one WWW-Authenticate / Proxy-Authenticate value (SIP normally sends
 * one per header field; HTTP-style comma-joined lists are accepted too). Non-Digest schemes come back
 * with `supported: false`. Throws AuthChallengeError when the syntax is broken or a Digest challenge lacks realm/nonce.
 */
export function parseAuthChallenges(value: string): AuthChallenge[] {
  return parseAuthItems(value).map(toChallenge);
}

/** Parses a value that must hold exactly one Digest challenge; a different scheme throws AuthUnsupportedError. */
export function parseDigestChallenge(value: string): DigestChallenge {
  const challenges = parseAuthChallenges(value);
  if (challenges.length !== 1) {
    throw new AuthChallengeError(`expected one challenge, found ${challenges.length} in ${JSON.stringify(value)}`);
  }
  const challenge = challenges[0]!;
  if (!challenge.supported) {
    throw new AuthUnsupportedError(`unsupported authentication scheme "${challenge.scheme}"`, [challenge.scheme]);
  }
  return challenge;
}

function toChallenge(item: AuthItem): AuthChallenge {
  const params = new Map(item.params.map((p) => [p.name, p.value] as const));
  if (item.scheme.toLowerCase() !== 'digest') {
    const other: UnsupportedChallenge = { scheme: item.scheme, supported: false, params };
    if (item.token68 !== undefined) other.token68 = item.token68;
    return other;
  }
  if (item.token68 !== undefined) throw new AuthChallengeError('Digest challenge has a token68 instead of parameters');
  const realm = params.get('realm');
  if (realm === undefined) throw new AuthChallengeError('Digest challenge has no realm parameter');
  const nonce = params.get('nonce');
  if (nonce === undefined) throw new AuthChallengeError(`Digest challenge for realm "${realm}" has no nonce parameter`);
  const algorithmName = params.get('algorithm') ?? 'MD5';
  const qopText = params.get('qop');
  const challenge: DigestChallenge = {
    scheme: 'Digest',
    supported: true,
    realm,
    nonce,
    algorithmName,
    algorithm: digestAlgorithmOf(algorithmName),
    qop: qopText === undefined ? [] : splitList(qopText, ',').map((q) => q.toLowerCase()),
    stale: (params.get('stale') ?? '').toLowerCase() === 'true',
    domain: splitList(params.get('domain') ?? '', ' '),
    userhash: (params.get('userhash') ?? '').toLowerCase() === 'true',
    params,
  };
  const opaque = params.get('opaque');
  if (opaque !== undefined) challenge.opaque = opaque;
  const charset = params.get('charset');
  if (charset !== undefined) challenge.charset = charset;
  return challenge;
}

function splitList(text: string, separator: string): string[] {
  return text
    .split(separator === ' ' ? /\s+/ : separator)
    .map((s) => s.trim())
    .filter((s) => s !== '');
}
