import type { DigestCredentials } from '../auth/digest-authenticator.js';
import type { SipUri } from '../messages/index.js';

/** Configuration of one registration (RFC 3261 §10). */
export interface RegistrationOptions {
  /** Address of record, e.g. sip:door@pbx.example.com. */
  aor: SipUri;
  /** Registrar, e.g. sip:pbx.example.com;transport=tcp. */
  registrar: SipUri;
  /** Tried in turn when the registrar cannot be reached. */
  backupRegistrars?: SipUri[];
  displayName?: string;
  credentials?: DigestCredentials;
  /** Requested expiry in seconds (default 600). */
  expires?: number;
  /** User part of our Contact (default: the AoR's user). */
  contactUser?: string;
  /** Keep-alive interval on UDP in ms (default 25 000; at most 30 000 keeps NAT bindings). */
  keepAliveIntervalMs?: number;
  /** RFC 5626 §4.4.1: a missing pong within this time means the flow failed (default 10 000). */
  pongTimeoutMs?: number;
  /** First retry delay after a failure (default 1 000). */
  retryBaseMs?: number;
  /** Cap of the exponential retry delay (default 16 000), so a returning PBX is found within seconds. */
  retryMaxMs?: number;
  /** Retry delay after a rejection of our credentials (default 300 000): no hammering with a wrong password. */
  authFailureRetryMs?: number;
  /** Rewrite the Contact when the registrar sees us at another address (default true, UDP only). */
  rewriteContact?: boolean;
  /** Wait at most this long for the un-REGISTER on shutdown (default 3 000). */
  unregisterTimeoutMs?: number;
}
