import type { SipMessage } from '../messages/index.js';

/** Who refreshes, relative to the transaction that carried the header (RFC 4028 §4). */
export type Refresher = 'uac' | 'uas';

/** A parsed Session-Expires value (RFC 4028 §4): `delta-seconds [;refresher=uac|uas]`. */
export interface SessionExpires {
  interval: number;
  refresher?: Refresher;
}

/** RFC 4028 §4: "the Min-SE header field MUST NOT be less than 90 seconds" — the absolute floor. */
export const RFC4028_MIN_SE = 90;

/** Reads Session-Expires (compact form `x`); undefined when absent or malformed. */
export function readSessionExpires(message: SipMessage): SessionExpires | undefined {
  const value = message.getHeader('Session-Expires') ?? message.getHeader('x');
  if (value === undefined) return undefined;
  const [delta, ...params] = value.split(';').map((p) => p.trim());
  if (!delta || !/^\d+$/.test(delta)) return undefined;
  const result: SessionExpires = { interval: Number(delta) };
  for (const p of params) {
    const [name, v] = p.split('=').map((s) => s.trim().toLowerCase());
    if (name === 'refresher' && (v === 'uac' || v === 'uas')) result.refresher = v;
  }
  return result;
}

/** Reads Min-SE; undefined when absent or malformed. */
export function readMinSE(message: SipMessage): number | undefined {
  const value = message.getHeader('Min-SE')?.split(';')[0]?.trim();
  return value !== undefined && /^\d+$/.test(value) ? Number(value) : undefined;
}

/** Writes a Session-Expires value. */
export function formatSessionExpires(se: SessionExpires): string {
  return se.refresher ? `${se.interval};refresher=${se.refresher}` : String(se.interval);
}

/**
 * When a refreshee gives up (RFC 4028 §10): "If the side not performing refreshes does not
 * receive a session refresh request before the session expiration, it SHOULD send a BYE [...]
 * at the last one-third of the session interval, or 32 seconds, whichever is less, before
 * the session expiration" — i.e. after interval − min(32, interval/3). Milliseconds.
 */
export function expiryDelayMs(intervalSeconds: number): number {
  return (intervalSeconds - Math.min(32, intervalSeconds / 3)) * 1000;
}

/** When the refresher refreshes: "half the session interval" is RECOMMENDED (RFC 4028 §10). Milliseconds. */
export function refreshDelayMs(intervalSeconds: number): number {
  return (intervalSeconds * 1000) / 2;
}
