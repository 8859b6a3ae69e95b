import type { ConfigDiff } from '../config/diff-config.js';
import type { PortierConfig } from '../config/portier-config.js';
import { pinRequest } from './station-hardware.js';

/** Sections whose change needs new sockets, devices or GPIO lines. */
const RESTART_SECTIONS = ['sip', 'timers', 'audio', 'hardware'] as const;

/**
 * Whether a reload needs the runtime rebuilt (SIP stack, audio devices, GPIO lines),
 * rather than swapping codes, plans, policy and LED roles in place: a changed
 * restart section, or a different set of pins or relays to open.
 */
export function needsRestart(previous: PortierConfig, next: PortierConfig, diff: ConfigDiff): boolean {
  if (RESTART_SECTIONS.some((s) => diff.changed(s))) return true;
  const pins = (c: PortierConfig) => JSON.stringify(pinRequest(c));
  if (pins(previous) !== pins(next)) return true;
  const relays = (c: PortierConfig) => JSON.stringify(c.doors.relays.map((r) => [r.name, r.output]));
  return relays(previous) !== relays(next);
}
