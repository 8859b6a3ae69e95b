import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import type { StationEvent } from '../../../src/api/station-control.js';
import { DoorStation } from '../../../src/app/door-station.js';
import type { Call } from '../../../src/calls/call.js';
import type { PortierConfig } from '../../../src/config/portier-config.js';
import { validateConfig } from '../../../src/config/validate-config.js';
import { readEvents } from '../../../src/events/event-log.js';
import { SimGpioDriver } from '../../../src/hw/gpio/sim-gpio-driver.js';
import { silentLogger } from '../../../src/log/logger.js';
import { startKamailio, type KamailioInstance } from '../support/kamailio.js';
import { eventually, TestPhone, waitForState } from './test-phone.js';

// Kamailio ports 35500–35549 belong to the door station tests; this file uses 35500.
const PORT = 35500;
const USERS = [
  { username: 'door', password: 'door-pw' },
  { username: 'flat', password: 'flat-pw' },
  { username: 'stranger', password: 'stranger-pw' },
];
const FLAT_TARGET = `sip:flat@127.0.0.1:${PORT}`;
const DOOR_URI = `sip:door@127.0.0.1:${PORT}`;
const PULSE_MS = 600;

interface Running {
  station: DoorStation;
  driver: SimGpioDriver;
  relayLine: number;
  eventsPath: string;
  events: StationEvent[];
  /** Relay output transitions seen on the simulated board. */
  relay: Array<{ active: boolean; atMs: number }>;
  tones: string[];
}

function config(dir: string, overrides: Record<string, unknown> = {}): PortierConfig {
  const base: Record<string, unknown> = {
    sip: {
      accounts: [{ id: 'door', registrar: `sip:127.0.0.1:${PORT}`, username: 'door', password: 'door-pw', registrationExpires: 300 }],
      listen: [{ transport: 'udp', address: '127.0.0.1', port: 0 }],
    },
    audio: { driver: 'sim', sim: { source: 'silence' } },
    hardware: { driver: 'sim', board: 'sim' },
    buttons: [{ input: 'bell1', targets: [FLAT_TARGET], callLimitSeconds: 0, hangUpAfterDoorOpenSeconds: 1 }],
    incoming: { mode: 'auto', allow: ['sip:flat@127.0.0.1'] },
    doors: {
      relays: [{ name: 'front', output: 'relay1', pulseMs: PULSE_MS }],
      codes: [{ code: '1234', relay: 'front' }],
      bruteForce: { wrongCodesPerCall: 2, globalLimit: 3, windowSeconds: 600, lockoutSeconds: 60 },
    },
    http: { enabled: false },
    eventLog: { path: join(dir, 'events.jsonl') },
  };
  return validateConfig({ ...base, ...overrides });
}

describe('door station end to end through Kamailio', () => {
  let kamailio: KamailioInstance;
  let flat: TestPhone;
  let stranger: TestPhone;
  const dirs: string[] = [];
  const stations: DoorStation[] = [];

  beforeAll(async () => {
    kamailio = await startKamailio({ udpPort: PORT, users: USERS });
    flat = await TestPhone.start('flat', 'flat-pw', `sip:127.0.0.1:${PORT}`, '127.0.0.1');
    stranger = await TestPhone.start('stranger', 'stranger-pw', `sip:127.0.0.1:${PORT}`, '127.0.0.1');
  });
  afterEach(async () => {
    for (const s of stations.splice(0)) await s.stop();
    await Promise.allSettled([...flat.phone.activeCalls, ...stranger.phone.activeCalls].map((c) => c.hangUp()));
  });
  afterAll(async () => {
    await flat?.close();
    await stranger?.close();
    await kamailio?.stop();
    for (const d of dirs) rmSync(d, { recursive: true, force: true });
  });

  async function start(overrides: Record<string, unknown> = {}): Promise<Running> {
    const dir = mkdtempSync(join(tmpdir(), 'portier-door-'));
    dirs.push(dir);
    const cfg = config(dir, overrides);
    const station = await DoorStation.start(cfg, { logger: silentLogger, env: {} });
    stations.push(station);
    const runtime = station.current!;
    const driver = runtime.hardware.driver as SimGpioDriver;
    const relayLine = runtime.hardware.pins.outputs.get('relay1')!.line;
    const running: Running = { station, driver, relayLine, eventsPath: cfg.eventLog.path, events: [], relay: [], tones: [] };
    station.on('event', (e) => running.events.push(e));
    driver.events.on('output', (line, active, _level, atMs) => line === relayLine && running.relay.push({ active, atMs }));
    runtime.audio.speaker.on('toneStarted', (tone) => running.tones.push(tone));
    await eventually(() => station.status.snapshot().registrations.door?.state === 'registered', 10_000, 'door registered');
    return running;
  }

  /** Presses bell1 on the simulated board (held past the debounce), and returns the flat's answered call. */
  async function ringFlat(r: Running): Promise<Call> {
    const bell = r.station.current!.hardware.pins.inputs.get('bell1')!.line;
    r.driver.simulate(bell, true);
    setTimeout(() => r.driver.simulate(bell, false), 100);
    const call = await flat.answerNext();
    await eventually(() => r.station.status.snapshot().call.state === 'connected', 5000, 'door sees the call connected');
    return call;
  }

  it('a bell press calls the flat; 1234# pulses the door relay for its configured time; the event log records it', async () => {
    const r = await start();
    const call = await ringFlat(r);
    expect(r.events.some((e) => e.type === 'press' && e.input === 'bell1')).toBe(true);
    await call.sendDtmf('1234#');
    await eventually(() => r.relay.length >= 2, 5000, 'relay on and off');
    expect(r.relay.map((x) => x.active)).toEqual([true, false]);
    const pulse = r.relay[1]!.atMs - r.relay[0]!.atMs;
    expect(pulse).toBeGreaterThanOrEqual(PULSE_MS - 1);
    expect(pulse).toBeLessThan(PULSE_MS + 100);
    expect(r.tones).toContain('confirmation');
    // hangUpAfterDoorOpenSeconds: 1 — the door ends the call itself.
    await waitForState(call, 'ended', 4000);
    const door = r.events.find((e) => e.type === 'door');
    expect(door).toMatchObject({ type: 'door', relay: 'front', method: 'dtmf', caller: FLAT_TARGET });
    await eventually(async () => (await readEvents(r.eventsPath)).events.some((e) => e.type === 'call'), 3000, 'call logged');
    const logged = (await readEvents(r.eventsPath)).events;
    expect(logged.find((e) => e.type === 'door-open')).toMatchObject({ relay: 'front', method: 'dtmf', caller: FLAT_TARGET });
    expect(logged.find((e) => e.type === 'call')).toMatchObject({ direction: 'outgoing', peer: FLAT_TARGET, outcome: 'answered', reason: 'door-opened' });
    // The code itself is never written anywhere.
    expect(JSON.stringify(logged)).not.toContain('1234');
  });

  it('a wrong code opens nothing and plays the error tone; the event is logged', async () => {
    const r = await start();
    const call = await ringFlat(r);
    await call.sendDtmf('9999#');
    await eventually(() => r.events.some((e) => e.type === 'alarm' && e.alarm === 'wrong-code'), 5000, 'wrong-code alarm');
    expect(r.tones).toContain('error');
    await new Promise((res) => setTimeout(res, 300));
    expect(r.relay).toEqual([]);
    await call.hangUp();
    const logged = (await readEvents(r.eventsPath)).events;
    expect(logged.some((e) => e.type === 'alarm' && e.alarm === 'wrong-code')).toBe(true);
    expect(logged.some((e) => e.type === 'door-open')).toBe(false);
  });

  it('repeated wrong codes block the call (right code ignored), then the global limit locks code entry out', async () => {
    const r = await start();
    const first = await ringFlat(r);
    await first.sendDtmf('1111#2222#');
    await eventually(() => r.events.filter((e) => e.type === 'alarm' && e.alarm === 'wrong-code').length === 2, 5000, 'two wrong codes');
    const blocked = r.events.filter((e) => e.type === 'alarm' && e.alarm === 'wrong-code')[1];
    expect(blocked).toMatchObject({ detail: expect.stringMatching(/further digits on this call are ignored/) });
    await first.sendDtmf('1234#');
    await new Promise((res) => setTimeout(res, 1200));
    expect(r.relay).toEqual([]);
    await first.hangUp();
    await eventually(() => r.station.status.snapshot().call.state === 'idle', 5000, 'idle');

    const second = await ringFlat(r);
    await second.sendDtmf('3333#');
    await eventually(() => r.events.some((e) => e.type === 'alarm' && e.alarm === 'code-lockout'), 5000, 'lockout');
    expect(r.station.status.snapshot().codeLockoutUntil).toBeDefined();
    await second.sendDtmf('1234#');
    await new Promise((res) => setTimeout(res, 1200));
    expect(r.relay).toEqual([]);
    await second.hangUp();
    const logged = (await readEvents(r.eventsPath)).events;
    expect(logged.filter((e) => e.type === 'alarm').map((e) => (e as { alarm: string }).alarm)).toEqual(['wrong-code', 'wrong-code', 'wrong-code', 'code-lockout']);
  });

  it('a caller not on the allow-list is rejected (486) and gets no door access', async () => {
    const r = await start();
    const call = await stranger.phone.call(DOOR_URI);
    const ended = await new Promise<{ status?: number }>((resolve) => call.on('ended', resolve));
    expect(ended.status).toBe(486);
    expect(r.relay).toEqual([]);
    const logged = (await readEvents(r.eventsPath)).events;
    expect(logged.find((e) => e.type === 'call')).toMatchObject({ direction: 'incoming', outcome: 'rejected' });
  });

  it('with no allow-list a stranger is auto-answered, but the right code from them opens nothing', async () => {
    const r = await start({ incoming: { mode: 'auto', allow: [] } });
    const call = await stranger.phone.call(DOOR_URI);
    await waitForState(call, 'connected');
    await call.sendDtmf('1234#');
    await new Promise((res) => setTimeout(res, 1500));
    expect(r.relay).toEqual([]);
    expect(r.events.some((e) => e.type === 'door')).toBe(false);
    await call.hangUp();
  });

  it('an allow-listed caller is auto-answered and may open the door by code', async () => {
    const r = await start();
    const call = await flat.phone.call(DOOR_URI);
    await waitForState(call, 'connected');
    await call.sendDtmf('1234#');
    await eventually(() => r.relay.length >= 1, 5000, 'relay on');
    expect(r.events.find((e) => e.type === 'door')).toMatchObject({ method: 'dtmf', caller: expect.stringContaining('sip:flat@127.0.0.1') });
    await call.hangUp();
  });

  it('ring-then-answer rings first and answers after the delay', async () => {
    await start({ incoming: { mode: 'ring-then-answer', answerDelaySeconds: 2, allow: ['sip:flat@127.0.0.1'] } });
    const call = await flat.phone.call(DOOR_URI);
    let ringingAt = 0;
    call.on('state', (s) => {
      if (s === 'ringing' && ringingAt === 0) ringingAt = Date.now();
    });
    await waitForState(call, 'connected', 6000);
    const waited = Date.now() - ringingAt;
    expect(ringingAt).toBeGreaterThan(0);
    expect(waited).toBeGreaterThanOrEqual(1800);
    expect(waited).toBeLessThan(3500);
    await call.hangUp();
  });

  it.each([403, 486] as const)('mode reject refuses every call with %i', async (status) => {
    await start({ incoming: { mode: 'reject', rejectCode: status, allow: ['sip:flat@127.0.0.1'] } });
    const call = await flat.phone.call(DOOR_URI);
    const ended = await new Promise<{ status?: number }>((resolve) => call.on('ended', resolve));
    expect(ended.status).toBe(status);
  });

  it('an intercom hint (Call-Info answer-after=0) skips the ring delay for a permitted caller only', async () => {
    await start({ incoming: { mode: 'ring-then-answer', answerDelaySeconds: 5, allow: ['sip:flat@127.0.0.1'] } });
    const hint: Array<[string, string]> = [['Call-Info', '<sip:127.0.0.1>;answer-after=0']];
    const started = Date.now();
    const call = await flat.phone.call(DOOR_URI, { headers: hint });
    await waitForState(call, 'connected', 4000);
    expect(Date.now() - started).toBeLessThan(2000);
    await call.hangUp();
    await new Promise((res) => setTimeout(res, 300));
    const strangers = await stranger.phone.call(DOOR_URI, { headers: hint });
    const ended = await new Promise<{ status?: number }>((resolve) => strangers.on('ended', resolve));
    expect(ended.status).toBe(486);
  });

  it('a reload with a changed door code applies it to the call in progress without dropping it', async () => {
    const r = await start();
    const call = await ringFlat(r);
    const next = config(join(r.eventsPath, '..'), { doors: { ...r.station.config.doors, codes: [{ code: '8642', relay: 'front' }] } });
    const outcome = await r.station.reload(next);
    expect(outcome).toEqual({ changed: ['doors.codes[0].code'], restart: 'none' });
    expect(call.state).toBe('connected');
    await call.sendDtmf('1234#');
    await eventually(() => r.events.some((e) => e.type === 'alarm' && e.alarm === 'wrong-code'), 5000, 'old code refused');
    await call.sendDtmf('8642#');
    await eventually(() => r.relay.length >= 1, 5000, 'new code opens');
    expect(call.state).toBe('connected');
  });

  it('a reload that changes SIP waits for the call to end, then re-registers', async () => {
    const r = await start();
    const call = await ringFlat(r);
    const next = config(join(r.eventsPath, '..'), { sip: { ...r.station.config.sip, accounts: [{ ...r.station.config.sip.accounts[0]!, displayName: 'Side door' }] } });
    const outcome = await r.station.reload(next);
    expect(outcome.restart).toBe('deferred');
    await new Promise((res) => setTimeout(res, 300));
    expect(call.state).toBe('connected');
    await call.hangUp();
    await eventually(() => r.station.current !== undefined && r.station.current.sip.line().account.displayName === 'Side door', 8000, 'restarted');
    await eventually(() => r.station.status.snapshot().registrations.door?.state === 'registered', 10_000, 're-registered');
  });
});
