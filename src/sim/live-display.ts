import type { StationEvent } from '../api/station-control.js';
import type { DoorStation } from '../app/door-station.js';
import type { StatusChange } from '../intercom/station-status.js';
import type { RegistrationStatus } from '../sip/registration/registration-state.js';

/** Where display lines go. */
export type DisplayWriter = (line: string) => void;

/** `13:04:05.123` local time. */
function clock(date = new Date()): string {
  const p = (n: number, w = 2) => String(n).padStart(w, '0');
  return `${p(date.getHours())}:${p(date.getMinutes())}:${p(date.getSeconds())}.${p(date.getMilliseconds(), 3)}`;
}

/** The line shown for a registration change (also what `portier run` prints for a real service). */
export function registrationLine(account: string, s: RegistrationStatus): string {
  const detail =
    s.state === 'registered'
      ? ` (expires ${s.expires}s, contact ${s.contact})`
      : s.state === 'failed'
        ? ` (${s.error?.message}; retry in ${Math.round((s.retryInMs ?? 0) / 1000)}s)`
        : '';
  return `[${account}] registration ${s.state}${detail}`;
}

function eventLine(e: StationEvent): string | undefined {
  switch (e.type) {
    case 'press':
      return `button ${e.input} ${e.long ? 'long-pressed' : 'pressed'}`;
    case 'call':
      return `call ${e.direction} ${e.state}${e.peer ? ` ${e.direction === 'incoming' ? 'from' : 'to'} ${e.peer}` : ''}${e.reason ? ` (${e.reason})` : ''}`;
    case 'door':
      return `DOOR OPENED: relay ${e.relay} by ${e.method}${e.caller ? ` (caller ${e.caller})` : ''}`;
    case 'alarm':
      return `ALARM ${e.alarm}${e.detail ? `: ${e.detail}` : ''}`;
    case 'registration':
      return undefined; // shown from the richer registration status
  }
}

function statusLine(c: StatusChange): string | undefined {
  switch (c.kind) {
    case 'relay':
      return `relay ${c.name}: ${c.status.energized ? 'ENERGIZED (door unlocked)' : 'released (door locked)'}`;
    case 'input':
      return `input ${c.name}: ${c.status.active ? 'active' : 'inactive'}`;
    case 'lockout':
      return c.until ? `door codes locked out until ${c.until}` : 'door code lockout over';
    case 'error':
      return `error ${c.error.component}: ${c.error.code} ${c.error.message}`;
    default:
      return undefined;
  }
}

/**
 * The simulation's live display: one timestamped line per change — registration,
 * call state, inputs, relays, LED patterns, door openings and alarms — so the whole
 * story can be followed in a plain terminal (or a log file).
 */
export class LiveDisplay {
  private readonly detach: Array<() => void> = [];

  constructor(
    station: DoorStation,
    private readonly write: DisplayWriter,
  ) {
    const onEvent = (e: StationEvent) => this.line(eventLine(e));
    const onStatus = (c: StatusChange) => this.line(statusLine(c));
    const onLed = (led: string, pattern: string, state: string) => this.line(`LED ${led}: ${pattern} (${state})`);
    const onRegistration = (account: string, s: RegistrationStatus) => this.write(registrationLine(account, s));
    station.on('event', onEvent);
    station.status.on('change', onStatus);
    station.on('led', onLed);
    station.on('registration', onRegistration);
    this.detach.push(
      () => station.off('event', onEvent),
      () => station.status.off('change', onStatus),
      () => station.off('led', onLed),
      () => station.off('registration', onRegistration),
    );
    // What the station shows already, so the display starts from a known state.
    for (const [led, pattern] of Object.entries(station.current?.ledPatterns() ?? {})) this.line(`LED ${led}: ${pattern}`);
    for (const [name, r] of Object.entries(station.status.snapshot().relays)) this.line(statusLine({ kind: 'relay', name, status: r }));
  }

  /** Prints a line with the time in front. */
  line(text: string | undefined): void {
    if (text !== undefined) this.write(`${clock()}  ${text}`);
  }

  /** Stops listening. Idempotent. */
  close(): void {
    for (const d of this.detach.splice(0)) d();
  }
}
