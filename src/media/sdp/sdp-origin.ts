import { randomInt } from 'node:crypto';

/**
 * The o= line state of one dialog (RFC 3264 §8): the session id stays, and
 * the version goes up by one with every description we send after the first,
 * offer or answer. (§8 allows keeping the version only for an identical
 * description; always incrementing is the simpler rule that is never wrong.)
 */
export class SdpOrigin {
  readonly sessionId: string;
  private version: number;
  private issued = false;

  constructor(sessionId?: string, initialVersion?: number) {
    // Below 2^48 so that every peer, including ones that parse into a double, keeps it exact.
    this.sessionId = sessionId ?? String(randomInt(1, 2 ** 47));
    this.version = initialVersion ?? randomInt(1, 2 ** 31);
  }

  /** The version the next description will carry, without using it up. */
  peekVersion(): number {
    return this.issued ? this.version + 1 : this.version;
  }

  /** The version to write into the next description we send; each call uses one up. */
  nextVersion(): number {
    if (this.issued) this.version += 1;
    this.issued = true;
    return this.version;
  }

  /** The version of the last description sent (or the one the first will carry). */
  get currentVersion(): number {
    return this.version;
  }
}
