import { createHash } from 'node:crypto';

/** The Digest algorithms Portier implements (RFC 2617, RFC 7616 §3.3, RFC 8760 for SIP). */
export type DigestAlgorithm = 'MD5' | 'MD5-sess' | 'SHA-256' | 'SHA-256-sess' | 'SHA-512-256' | 'SHA-512-256-sess';

/** Every supported algorithm, strongest first. */
export const DIGEST_ALGORITHMS: readonly DigestAlgorithm[] = [
  'SHA-512-256',
  'SHA-512-256-sess',
  'SHA-256',
  'SHA-256-sess',
  'MD5',
  'MD5-sess',
];

const NODE_HASH: Record<string, string> = { MD5: 'md5', 'SHA-256': 'sha256', 'SHA-512-256': 'sha512-256' };

/** The canonical algorithm for a name as written in a challenge (case-insensitive), or undefined if unsupported. */
export function digestAlgorithmOf(name: string): DigestAlgorithm | undefined {
  const upper = name.trim().toUpperCase();
  return DIGEST_ALGORITHMS.find((a) => a.toUpperCase() === upper);
}

/** Whether the algorithm is a session variant, whose A1 folds in the nonce and cnonce (RFC 7616 §3.4.2). */
export function isSessionAlgorithm(algorithm: DigestAlgorithm): boolean {
  return algorithm.endsWith('-sess');
}

/** Strength rank for choosing among challenges: higher is stronger (SHA-512-256 > SHA-256 > MD5). */
export function digestAlgorithmStrength(algorithm: DigestAlgorithm): number {
  const base = algorithm.replace(/-sess$/, '');
  return base === 'SHA-512-256' ? 3 : base === 'SHA-256' ? 2 : 1;
}

/** The lower-case hex digest H(data) of the algorithm's hash function; strings are hashed as UTF-8. */
export function digestHash(algorithm: DigestAlgorithm, data: string | Buffer): string {
  const nodeName = NODE_HASH[algorithm.replace(/-sess$/, '')]!;
  return createHash(nodeName).update(data).digest('hex');
}
