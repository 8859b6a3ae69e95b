import { randomBytes } from 'node:crypto';

/** RFC 3261 §8.1.1.7: branches of RFC 3261 transactions start with this. */
export const MAGIC_COOKIE = 'z9hG4bK';

/** A fresh Via branch, unique in space and time. */
export function generateBranch(): string {
  return MAGIC_COOKIE + randomBytes(10).toString('hex');
}

/** A From/To tag (≥ 32 random bits, RFC 3261 §19.3). */
export function generateTag(): string {
  return randomBytes(6).toString('hex');
}

/** A globally unique Call-ID. */
export function generateCallId(host?: string): string {
  const id = randomBytes(12).toString('hex');
  return host ? `${id}@${host}` : id;
}
