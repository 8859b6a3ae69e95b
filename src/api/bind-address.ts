import { isIP } from 'node:net';

/** Whether `address` (an IP literal or `localhost`) only reaches this machine. */
export function isLoopbackAddress(address: string): boolean {
  const a = address.trim().toLowerCase().replace(/^\[|\]$/g, '');
  if (a === 'localhost' || a === '::1' || a === '0:0:0:0:0:0:0:1') return true;
  const v4 = a.startsWith('::ffff:') ? a.slice(7) : a;
  return isIP(v4) === 4 && v4.startsWith('127.');
}

/**
 * Whether a Host header names this machine. A server on loopback without a token
 * checks it so that a web page cannot reach it through DNS rebinding (a name of the
 * attacker's that resolves to 127.0.0.1).
 */
export function isLoopbackHostHeader(host: string | undefined): boolean {
  if (!host) return false;
  const m = /^(\[[^\]]+\]|[^:]+)(?::\d+)?$/.exec(host.trim());
  return m !== null && isLoopbackAddress(m[1]!);
}
