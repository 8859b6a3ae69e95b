import { AuthChallengeError, AuthCredentialsMissingError, AuthRejectedError, AuthUnsupportedError } from './auth-errors.js';
import { digestAlgorithmStrength } from './digest-algorithm.js';
import { type AuthChallenge, type DigestChallenge, parseAuthChallenges } from './digest-challenge.js';
import { answerDigestChallenge, chooseQop, generateCnonce, serializeDigestAuthorization } from './digest-response.js';

/** A username and password for one realm (or the default). */
export interface DigestCredentials {
  username: string;
  password: string;
}

/** The parts of the request being authorized that the digest covers. */
export interface DigestRequest {
  method: string;
  /** The Request-URI exactly as it will be sent. */
  uri: string;
  body?: Buffer | string;
}

/** A header field to add to the re-sent request. */
export interface AuthorizationField {
  name: 'Authorization' | 'Proxy-Authorization';
  value: string;
  realm: string;
}

/** Options of a DigestAuthenticator. */
export interface DigestAuthenticatorOptions {
  /** Credentials by realm. */
  credentials?: Record<string, DigestCredentials> | Iterable<[string, DigestCredentials]>;
  /** Credentials for any realm not listed. */
  defaultCredentials?: DigestCredentials;
  /** Client-nonce source (tests inject a fixed one). */
  generateCnonce?: () => string;
}

type Kind = 'www' | 'proxy';

/**
 * Where we stand with one realm. `answered`: our last credentials answered a challenge, so another
 * challenge means they were refused; `stale-retried`: likewise after the one retry that stale=true allows;
 * `preemptive`: the last credentials re-used a cached nonce, which the server may simply have expired.
 */
type Phase = 'idle' | 'answered' | 'stale-retried' | 'preemptive';

interface RealmState {
  kind: Kind;
  challenge: DigestChallenge;
  credentials: DigestCredentials;
  nc: number;
  cnonce: string;
  phase: Phase;
}

/**
 * Answers 401/407 challenges for one request chain or registration (RFC 3261 §22.2–§22.3), re-uses
 * nonces pre-emptively with an incrementing nonce-count, and refuses to loop on rejected credentials.
 *
 * Use: on a 401/407 call `respond()` and add the returned fields to the re-sent request; before a later
 * request in the same chain (e.g. a REGISTER refresh) call `authorize()`; on any other final response call
 * `accepted()`, so that the next challenge is treated as fresh rather than as a refusal.
 */
export class DigestAuthenticator {
  private readonly byRealm = new Map<string, DigestCredentials>();
  private defaultCredentials: DigestCredentials | undefined;
  private readonly makeCnonce: () => string;
  private readonly states = new Map<string, RealmState>();

  constructor(options: DigestAuthenticatorOptions = {}) {
    const entries = options.credentials
      ? Symbol.iterator in options.credentials
        ? options.credentials
        : Object.entries(options.credentials)
      : [];
    for (const [realm, c] of entries as Iterable<[string, DigestCredentials]>) this.byRealm.set(realm, c);
    this.defaultCredentials = options.defaultCredentials;
    this.makeCnonce = options.generateCnonce ?? generateCnonce;
  }

  /** Sets the credentials for a realm, or the default ones when `realm` is undefined; drops cached nonces they covered. */
  setCredentials(realm: string | undefined, credentials: DigestCredentials): void {
    if (realm === undefined) this.defaultCredentials = credentials;
    else this.byRealm.set(realm, credentials);
    for (const [key, st] of this.states) if (realm === undefined || st.challenge.realm === realm) this.states.delete(key);
  }

  /**
   * Answers the challenges of a 401 (WWW-Authenticate values) or 407 (Proxy-Authenticate values):
   * one field per challenged realm, using the strongest supported algorithm offered for it.
   * Throws AuthRejectedError when a realm challenges again right after we answered it (and not with
   * a first stale=true), AuthCredentialsMissingError for an unknown realm, AuthUnsupportedError when nothing
   * offered can be answered.
   */
  respond(status: 401 | 407, challengeValues: readonly string[], request: DigestRequest): AuthorizationField[] {
    const kind: Kind = status === 407 ? 'proxy' : 'www';
    const chosen = this.chooseChallenges(challengeValues);
    const fields: AuthorizationField[] = [];
    for (const challenge of chosen) {
      const key = stateKey(kind, challenge.realm);
      const previous = this.states.get(key);
      let phase: Phase = 'answered';
      if (previous?.phase === 'answered' || previous?.phase === 'stale-retried') {
        if (!challenge.stale) throw new AuthRejectedError(challenge.realm);
        if (previous.phase === 'stale-retried') {
          throw new AuthRejectedError(
            challenge.realm,
            `authentication rejected: realm "${challenge.realm}" answered stale=true twice in a row; wrong username or password for realm "${challenge.realm}"?`,
          );
        }
        // RFC 7616 §3.3 stale: the credentials were right, only the nonce expired; retry once with the new one.
        phase = 'stale-retried';
      }
      const credentials = this.credentialsFor(challenge.realm);
      const sameNonce = previous !== undefined && previous.challenge.nonce === challenge.nonce && previous.challenge.algorithm === challenge.algorithm;
      const state: RealmState = {
        kind,
        challenge,
        credentials,
        nc: sameNonce ? previous.nc + 1 : 1,
        cnonce: sameNonce ? previous.cnonce : this.makeCnonce(),
        phase,
      };
      fields.push(this.field(state, request));
      this.states.set(key, state);
    }
    return fields;
  }

  /**
   * Pre-emptive credentials for a new request in the same chain (RFC 3261 §22.3), one per realm we hold a
   * nonce for, each with the nonce-count incremented. Empty before the first challenge.
   */
  authorize(request: DigestRequest): AuthorizationField[] {
    const fields: AuthorizationField[] = [];
    for (const [key, state] of this.states) {
      if (state.nc >= 0xffffffff) {
        this.states.delete(key); // nc would overflow: let the server issue a fresh nonce
        continue;
      }
      state.nc += 1;
      state.phase = 'preemptive';
      fields.push(this.field(state, request));
    }
    return fields;
  }

  /** Records that the last request got a final response other than 401/407: the next challenge is a fresh one. */
  accepted(): void {
    for (const state of this.states.values()) state.phase = 'idle';
  }

  /** Forgets cached nonces (of one realm, or all). */
  forget(realm?: string): void {
    for (const [key, st] of this.states) if (realm === undefined || st.challenge.realm === realm) this.states.delete(key);
  }

  /** The nonce-count last used for a realm (diagnostics and tests); undefined when none is cached. */
  nonceCount(realm: string, status: 401 | 407 = 401): number | undefined {
    return this.states.get(stateKey(status === 407 ? 'proxy' : 'www', realm))?.nc;
  }

  private field(state: RealmState, request: DigestRequest): AuthorizationField {
    const answer = answerDigestChallenge(state.challenge, {
      username: state.credentials.username,
      password: state.credentials.password,
      method: request.method,
      uri: request.uri,
      nc: state.nc,
      cnonce: state.cnonce,
      ...(request.body !== undefined ? { body: request.body } : {}),
    });
    return {
      name: state.kind === 'proxy' ? 'Proxy-Authorization' : 'Authorization',
      value: serializeDigestAuthorization(answer),
      realm: state.challenge.realm,
    };
  }

  private credentialsFor(realm: string): DigestCredentials {
    const exact = this.byRealm.get(realm);
    if (exact) return exact;
    const lower = realm.toLowerCase();
    for (const [r, c] of this.byRealm) if (r.toLowerCase() === lower) return c;
    if (this.defaultCredentials) return this.defaultCredentials;
    throw new AuthCredentialsMissingError(realm);
  }

  /** The strongest answerable Digest challenge per realm, realms in order of first appearance. */
  private chooseChallenges(values: readonly string[]): DigestChallenge[] {
    const all: AuthChallenge[] = [];
    let parseError: AuthChallengeError | undefined;
    for (const value of values) {
      try {
        all.push(...parseAuthChallenges(value));
      } catch (error) {
        // One malformed header must not hide a good challenge in another.
        if (!(error instanceof AuthChallengeError)) throw error;
        parseError ??= error;
      }
    }
    const best = new Map<string, DigestChallenge>();
    const offered: string[] = [];
    for (const c of all) {
      if (!c.supported) {
        offered.push(c.scheme);
        continue;
      }
      offered.push(`Digest algorithm=${c.algorithmName}`);
      if (!answerable(c)) continue;
      const current = best.get(c.realm);
      if (!current || digestAlgorithmStrength(c.algorithm!) > digestAlgorithmStrength(current.algorithm!)) best.set(c.realm, c);
    }
    if (best.size === 0) {
      if (all.length === 0 && parseError) throw parseError;
      if (all.length === 0) throw new AuthChallengeError('response carries no authentication challenge');
      throw new AuthUnsupportedError(`no supported authentication challenge offered (${offered.join('; ')})`, offered);
    }
    return [...best.values()];
  }
}

function answerable(c: DigestChallenge): boolean {
  if (c.algorithm === undefined) return false;
  try {
    chooseQop(c);
    return true;
  } catch {
    return false;
  }
}

function stateKey(kind: Kind, realm: string): string {
  return `${kind}\n${realm}`;
}
