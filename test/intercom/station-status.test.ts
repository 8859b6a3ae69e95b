import { describe, expect, it } from 'vitest';
import { MAX_STATUS_ERRORS, type StatusChange, StationStatus } from '../../src/intercom/station-status.js';
import { PortierError } from '../../src/util/portier-error.js';

function setup() {
  let ms = Date.parse('2026-01-01T00:00:00Z');
  const status = new StationStatus(() => new Date(ms));
  const changes: StatusChange[] = [];
  status.on('change', (c) => changes.push(c));
  return { status, changes, tick: (d = 1000) => (ms += d) };
}

describe('StationStatus', () => {
  it('starts idle and healthy with nothing registered', () => {
    const { status } = setup();
    const s = status.snapshot();
    expect(s.call).toEqual({ state: 'idle', since: '2026-01-01T00:00:00.000Z' });
    expect(s.health).toBe('ok');
    expect(s.registrations).toEqual({});
    expect(s.version).toMatch(/^\d+\.\d+\.\d+/);
    expect(status.summary()).toBe('no accounts registering; idle');
  });

  it('emits a change only when something changed, with the time it happened', () => {
    const { status, changes, tick } = setup();
    tick();
    status.setRegistration('door', 'registering');
    status.setRegistration('door', 'registering');
    tick();
    status.setRegistration('door', 'registered', 'expires 600s');
    status.setRelay('front', false);
    status.setRelay('front', false);
    status.setInput('bell1', true);
    status.setInput('bell1', true);
    expect(changes.map((c) => c.kind)).toEqual(['registration', 'registration', 'relay', 'input']);
    expect(changes[1]).toEqual({ kind: 'registration', account: 'door', status: { state: 'registered', detail: 'expires 600s', since: '2026-01-01T00:00:02.000Z' } });
  });

  it('derives health from the registrations', () => {
    const { status } = setup();
    status.setRegistration('a', 'registered');
    expect(status.health).toBe('ok');
    status.setRegistration('b', 'failed', 'timeout');
    expect(status.health).toBe('degraded');
    status.setRegistration('a', 'registering');
    expect(status.health).toBe('down');
    expect(status.snapshot().health).toBe('down');
  });

  it('tracks the call and drops details when it returns to idle', () => {
    const { status, changes } = setup();
    status.setCall({ state: 'ringing', direction: 'outgoing', peer: 'sip:flat1@pbx', button: 'bell1' });
    status.setCall({ state: 'ringing', direction: 'outgoing', peer: 'sip:flat1@pbx', button: 'bell1' });
    expect(status.summary()).toBe('no accounts registering; ringing to sip:flat1@pbx');
    status.setCall({ state: 'idle', peer: 'ignored' });
    expect(changes.map((c) => (c.kind === 'call' ? c.status.state : c.kind))).toEqual(['ringing', 'idle']);
    expect(status.snapshot().call).toEqual({ state: 'idle', since: '2026-01-01T00:00:00.000Z' });
  });

  it('keeps the last errors with their stable codes, bounded', () => {
    const { status } = setup();
    for (let i = 0; i < MAX_STATUS_ERRORS + 3; i++) status.recordError('sip', new PortierError('SIP_ERR_X', `failure ${i}`));
    status.recordError('gpio', 'plain string');
    const errors = status.snapshot().lastErrors;
    expect(errors).toHaveLength(MAX_STATUS_ERRORS);
    expect(errors[0]!.message).toBe('failure 4');
    expect(errors.at(-1)).toMatchObject({ component: 'gpio', code: 'PORTIER_ERR_UNKNOWN', message: 'plain string' });
  });

  it('summarises relays, lockout and the last error for systemd', () => {
    const { status } = setup();
    status.setRegistration('door', 'registered');
    status.setCall({ state: 'connected', direction: 'incoming', peer: 'sip:201@pbx' });
    status.setRelay('front', true);
    status.setCodeLockout(new Date('2026-01-01T00:05:00Z'));
    status.recordError('sip', new PortierError('SIP_ERR_TRANSACTION_TIMEOUT', 'x'));
    expect(status.summary()).toBe(
      'registered 1/1; connected from sip:201@pbx; relay on: front; code lockout until 2026-01-01T00:05:00.000Z; last error: SIP_ERR_TRANSACTION_TIMEOUT',
    );
    expect(status.snapshot().codeLockoutUntil).toBe('2026-01-01T00:05:00.000Z');
    status.setCodeLockout(undefined);
    expect(status.snapshot().codeLockoutUntil).toBeUndefined();
  });

  it('hands out copies that do not change the model', () => {
    const { status } = setup();
    status.setRelay('front', true);
    const s = status.snapshot();
    s.relays.front!.energized = false;
    expect(status.snapshot().relays.front!.energized).toBe(true);
  });
});
