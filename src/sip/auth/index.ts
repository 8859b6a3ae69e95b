/** SIP Digest authentication (RFC 3261 §22, RFC 7616, RFC 8760). */
export * from './auth-errors.js';
export * from './auth-params.js';
export * from './digest-algorithm.js';
export * from './digest-challenge.js';
export * from './digest-response.js';
export * from './digest-authenticator.js';
