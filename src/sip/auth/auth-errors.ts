import { PortierError } from '../../util/portier-error.js';

/** A WWW-Authenticate / Proxy-Authenticate (or Authorization) value that cannot be parsed or used. */
export class AuthChallengeError extends PortierError {
  constructor(message: string, options?: { cause?: unknown }) {
    super('SIP_ERR_AUTH_CHALLENGE', message, options);
  }
}

/** A challenge in a scheme or with an algorithm/qop that Portier does not implement (e.g. Basic, AKAv1-MD5). */
export class AuthUnsupportedError extends PortierError {
  /** The scheme (and algorithm, for Digest) that was offered, e.g. "Basic" or "Digest algorithm=AKAv1-MD5". */
  readonly offered: string[];

  constructor(message: string, offered: string[]) {
    super('SIP_ERR_AUTH_UNSUPPORTED', message);
    this.offered = offered;
  }
}

/** The server challenged again right after we answered: the username or password is wrong. */
export class AuthRejectedError extends PortierError {
  readonly realm: string;

  constructor(realm: string, message?: string) {
    super('SIP_ERR_AUTH_REJECTED', message ?? `authentication rejected: wrong username or password for realm "${realm}"`);
    this.realm = realm;
  }
}

/** A challenge names a realm for which no credentials (and no default) are configured. */
export class AuthCredentialsMissingError extends PortierError {
  readonly realm: string;

  constructor(realm: string) {
    super('SIP_ERR_AUTH_NO_CREDENTIALS', `no credentials configured for realm "${realm}"`);
    this.realm = realm;
  }
}
