import type { StationStatusSnapshot } from '../../intercom/station-status.js';
import { type ApiCommand, EXIT_USAGE } from './command-io.js';

/** `portier status [--json]`: shows the running service's status; exits 1 when no account is registered. */
export const statusCommand: ApiCommand = async (client, args, io, flags) => {
  if (args.length > 0) {
    io.err('usage: portier status [--json]');
    return EXIT_USAGE;
  }
  const status = await client.status();
  if (flags.json) io.out(JSON.stringify(status, null, 2));
  else for (const line of formatStatus(status)) io.out(line);
  return status.health === 'down' ? 1 : 0;
};

/** The status as lines for a person. */
export function formatStatus(s: StationStatusSnapshot): string[] {
  const lines = [`Portier ${s.version}: ${s.health}, running since ${s.startedAt}`];
  const regs = Object.entries(s.registrations);
  if (regs.length === 0) lines.push('registration: none (no account registers)');
  for (const [account, r] of regs) lines.push(`registration ${account}: ${r.state}${r.detail ? ` (${r.detail})` : ''} since ${r.since}`);
  const c = s.call;
  const peer = c.peer ? ` ${c.direction === 'incoming' ? 'from' : 'to'} ${c.peer}` : '';
  lines.push(`call: ${c.state}${peer}${c.state === 'idle' ? '' : ` since ${c.since}`}`);
  const relays = Object.entries(s.relays).map(([n, r]) => `${n} ${r.energized ? 'ON' : 'off'}`);
  if (relays.length > 0) lines.push(`relays: ${relays.join(', ')}`);
  const inputs = Object.entries(s.inputs).map(([n, i]) => `${n} ${i.active ? 'active' : 'idle'}`);
  if (inputs.length > 0) lines.push(`inputs: ${inputs.join(', ')}`);
  if (s.codeLockoutUntil) lines.push(`door codes locked out until ${s.codeLockoutUntil}`);
  if (s.lastErrors.length > 0) {
    lines.push('recent errors:');
    for (const e of s.lastErrors) lines.push(`  ${e.time} [${e.component}] ${e.code}: ${e.message}`);
  }
  return lines;
}
