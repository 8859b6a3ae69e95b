import { PORTIER_VERSION } from '../version.js';
import { TypedEmitter } from '../util/typed-emitter.js';

export type RegistrationState = 'unregistered' | 'registering' | 'registered' | 'failed';
export type CallState = 'idle' | 'ringing' | 'connected';
/** Overall condition, for the status LED and monitoring: `down` when no account is registered. */
export type StationHealth = 'ok' | 'degraded' | 'down';

export interface RegistrationStatus {
  state: RegistrationState;
  detail?: string;
  since: string;
}

export interface CallStatus {
  state: CallState;
  direction?: 'outgoing' | 'incoming';
  peer?: string;
  /** Input of the bell button that started an outgoing call. */
  button?: string;
  since: string;
}

export interface RelayStatus {
  energized: boolean;
  since: string;
}

export interface InputStatus {
  active: boolean;
  since: string;
}

export interface StatusError {
  time: string;
  component: string;
  code: string;
  message: string;
}

/** Everything the API, the CLI, systemd and the LEDs show, as plain JSON. */
export interface StationStatusSnapshot {
  version: string;
  startedAt: string;
  health: StationHealth;
  registrations: Record<string, RegistrationStatus>;
  call: CallStatus;
  relays: Record<string, RelayStatus>;
  inputs: Record<string, InputStatus>;
  /** End of a door-code lockout in progress. */
  codeLockoutUntil?: string;
  lastErrors: StatusError[];
}

/** One change of the status. */
export type StatusChange =
  | { kind: 'registration'; account: string; status: RegistrationStatus }
  | { kind: 'call'; status: CallStatus }
  | { kind: 'relay'; name: string; status: RelayStatus }
  | { kind: 'input'; name: string; status: InputStatus }
  | { kind: 'lockout'; until?: string }
  | { kind: 'error'; error: StatusError };

export type StationStatusEvents = {
  change: [change: StatusChange];
};

/** How many recent errors are kept. */
export const MAX_STATUS_ERRORS = 10;

/**
 * The door station's status model: the single source for `GET /status`, the CLI
 * `status`, systemd STATUS= lines and the status LED. Setters emit `change` only
 * when something actually changed, so listeners can drive outputs directly.
 */
export class StationStatus extends TypedEmitter<StationStatusEvents> {
  private readonly startedAt: string;
  private readonly registrations = new Map<string, RegistrationStatus>();
  private call: CallStatus;
  private readonly relays = new Map<string, RelayStatus>();
  private readonly inputs = new Map<string, InputStatus>();
  private lockoutUntil: string | undefined;
  private errors: StatusError[] = [];

  constructor(private readonly now: () => Date = () => new Date()) {
    super();
    this.startedAt = this.stamp();
    this.call = { state: 'idle', since: this.startedAt };
  }

  setRegistration(account: string, state: RegistrationState, detail?: string): void {
    const old = this.registrations.get(account);
    if (old && old.state === state && old.detail === detail) return;
    const status: RegistrationStatus = { state, ...(detail !== undefined ? { detail } : {}), since: this.stamp() };
    this.registrations.set(account, status);
    this.emit('change', { kind: 'registration', account, status: { ...status } });
  }

  setCall(call: Omit<CallStatus, 'since'>): void {
    const next = call.state === 'idle' ? { state: 'idle' as const } : call;
    const old = this.call;
    if (old.state === next.state && old.direction === next.direction && old.peer === next.peer && old.button === next.button) return;
    this.call = { ...next, since: this.stamp() };
    this.emit('change', { kind: 'call', status: { ...this.call } });
  }

  setRelay(name: string, energized: boolean): void {
    if (this.relays.get(name)?.energized === energized) return;
    const status = { energized, since: this.stamp() };
    this.relays.set(name, status);
    this.emit('change', { kind: 'relay', name, status: { ...status } });
  }

  setInput(name: string, active: boolean): void {
    if (this.inputs.get(name)?.active === active) return;
    const status = { active, since: this.stamp() };
    this.inputs.set(name, status);
    this.emit('change', { kind: 'input', name, status: { ...status } });
  }

  /** Door-code lockout until this time; undefined when entry is open again. */
  setCodeLockout(until: Date | undefined): void {
    const next = until?.toISOString();
    if (next === this.lockoutUntil) return;
    this.lockoutUntil = next;
    this.emit('change', next === undefined ? { kind: 'lockout' } : { kind: 'lockout', until: next });
  }

  /** Remembers an error (its stable `code` when it has one); the oldest beyond {@link MAX_STATUS_ERRORS} is dropped. */
  recordError(component: string, error: unknown): void {
    const e = error as { code?: unknown; message?: unknown };
    const entry: StatusError = {
      time: this.stamp(),
      component,
      code: typeof e?.code === 'string' ? e.code : 'PORTIER_ERR_UNKNOWN',
      message: typeof e?.message === 'string' ? e.message : String(error),
    };
    this.errors = [...this.errors, entry].slice(-MAX_STATUS_ERRORS);
    this.emit('change', { kind: 'error', error: { ...entry } });
  }

  get health(): StationHealth {
    const states = [...this.registrations.values()].map((r) => r.state);
    if (states.length === 0 || states.every((s) => s === 'registered')) return 'ok';
    return states.some((s) => s === 'registered') ? 'degraded' : 'down';
  }

  /** A copy of the whole status. */
  snapshot(): StationStatusSnapshot {
    const copy = <T extends object>(m: Map<string, T>) => Object.fromEntries([...m].map(([k, v]) => [k, { ...v }]));
    return {
      version: PORTIER_VERSION,
      startedAt: this.startedAt,
      health: this.health,
      registrations: copy(this.registrations),
      call: { ...this.call },
      relays: copy(this.relays),
      inputs: copy(this.inputs),
      ...(this.lockoutUntil !== undefined ? { codeLockoutUntil: this.lockoutUntil } : {}),
      lastErrors: this.errors.map((e) => ({ ...e })),
    };
  }

  /** One line for systemd's STATUS= (shown by `systemctl status`). */
  summary(): string {
    const regs = [...this.registrations.values()];
    const registered = regs.filter((r) => r.state === 'registered').length;
    const parts = [regs.length === 0 ? 'no accounts registering' : `registered ${registered}/${regs.length}`];
    const c = this.call;
    parts.push(c.state === 'idle' ? 'idle' : `${c.state}${c.peer ? ` ${c.direction === 'incoming' ? 'from' : 'to'} ${c.peer}` : ''}`);
    const open = [...this.relays].filter(([, r]) => r.energized).map(([n]) => n);
    if (open.length > 0) parts.push(`relay on: ${open.join(', ')}`);
    if (this.lockoutUntil) parts.push(`code lockout until ${this.lockoutUntil}`);
    const last = this.errors.at(-1);
    if (last) parts.push(`last error: ${last.code}`);
    return parts.join('; ');
  }

  private stamp(): string {
    return this.now().toISOString();
  }
}
