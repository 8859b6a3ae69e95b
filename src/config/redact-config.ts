import type { PortierConfig } from './portier-config.js';

/** What secrets are replaced with. */
export const REDACTED = '(redacted)';

/** A copy of the configuration safe to log or show over the API: passwords, token and door codes replaced. */
export function redactConfig(config: PortierConfig): PortierConfig {
  const copy = structuredClone(config);
  for (const account of copy.sip.accounts) if (account.password !== undefined) account.password = REDACTED;
  if (copy.http.token !== undefined) copy.http.token = REDACTED;
  for (const entry of copy.doors.codes) entry.code = REDACTED;
  return copy;
}
