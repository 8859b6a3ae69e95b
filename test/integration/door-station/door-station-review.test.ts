import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import type { StationEvent } from '../../../src/api/station-control.js';
import { DoorStation } from '../../../src/app/door-station.js';
import type { Call } from '../../../src/calls/call.js';
import type { PortierConfig } from '../../../src/config/portier-config.js';
import { validateConfig } from '../../../src/config/validate-config.js';
import type { SimGpioDriver } from '../../../src/hw/gpio/sim-gpio-driver.js';
import { silentLogger } from '../../../src/log/logger.js';
import { startKamailio, type KamailioInstance } from '../support/kamailio.js';
import { eventually, TestPhone } from './test-phone.js';

// Regressions from the door-station review; Kamailio 35750 (the review's range is 35750–35799).
const PORT = 35750;
const FLAT_TARGET = `sip:flat@127.0.0.1:${PORT}`;

function config(dir: string, overrides: Record<string, unknown> = {}): PortierConfig {
  return validateConfig({
    sip: {
      accounts: [{ id: 'door', registrar: `sip:127.0.0.1:${PORT}`, username: 'door', password: 'door-pw', registrationExpires: 300 }],
      listen: [{ transport: 'udp', address: '127.0.0.1', port: 0 }],
    },
    audio: { driver: 'sim', sim: { source: 'silence' } },
    hardware: { driver: 'sim', board: 'sim' },
    buttons: [{ input: 'bell1', targets: [FLAT_TARGET], callLimitSeconds: 0 }],
    doors: {
      relays: [{ name: 'front', output: 'relay1', pulseMs: 500 }],
      codes: [{ code: '1234', relay: 'front' }],
      bruteForce: { wrongCodesPerCall: 5, globalLimit: 2, windowSeconds: 600, lockoutSeconds: 60 },
    },
    http: { enabled: false },
    eventLog: { path: join(dir, 'events.jsonl') },
    ...overrides,
  });
}

describe('door station review regressions (Kamailio)', () => {
  let kamailio: KamailioInstance;
  let flat: TestPhone;
  const dirs: string[] = [];
  const stations: DoorStation[] = [];

  beforeAll(async () => {
    kamailio = await startKamailio({
      udpPort: PORT,
      users: [
        { username: 'door', password: 'door-pw' },
        { username: 'flat', password: 'flat-pw' },
      ],
    });
    flat = await TestPhone.start('flat', 'flat-pw', `sip:127.0.0.1:${PORT}`, '127.0.0.1');
  });
  afterEach(async () => {
    for (const s of stations.splice(0)) await s.stop();
    await Promise.allSettled(flat.phone.activeCalls.map((c) => c.hangUp()));
  });
  afterAll(async () => {
    await flat?.close();
    await kamailio?.stop();
    for (const d of dirs) rmSync(d, { recursive: true, force: true });
  });

  async function start(overrides: Record<string, unknown> = {}) {
    const dir = mkdtempSync(join(tmpdir(), 'portier-review-'));
    dirs.push(dir);
    const cfg = config(dir, overrides);
    const station = await DoorStation.start(cfg, { logger: silentLogger, env: {} });
    stations.push(station);
    const events: StationEvent[] = [];
    station.on('event', (e) => events.push(e));
    /** Every time relay1 was energized, across runtime restarts. */
    const energized: number[] = [];
    const watchRelay = () => {
      const hw = station.current!.hardware;
      const line = hw.pins.outputs.get('relay1')!.line;
      (hw.driver as SimGpioDriver).events.on('output', (l, active) => l === line && active && energized.push(Date.now()));
    };
    watchRelay();
    await eventually(() => station.status.snapshot().registrations.door?.state === 'registered', 10_000, 'door registered');
    return { dir, station, events, energized, watchRelay };
  }

  async function ringFlat(station: DoorStation): Promise<Call> {
    const hw = station.current!.hardware;
    const driver = hw.driver as SimGpioDriver;
    const bell = hw.pins.inputs.get('bell1')!.line;
    driver.simulate(bell, true);
    setTimeout(() => driver.simulate(bell, false), 100);
    const call = await flat.answerNext();
    await eventually(() => station.status.snapshot().call.state === 'connected', 5000, 'door sees the call connected');
    return call;
  }

  const lockedOut = (events: StationEvent[]) => events.some((e) => e.type === 'alarm' && e.alarm === 'code-lockout');

  it('a reload that swaps the door codes in place keeps an active lockout: the right code still opens nothing', async () => {
    const r = await start();
    const call = await ringFlat(r.station);
    await call.sendDtmf('1111#2222#');
    await eventually(() => lockedOut(r.events), 5000, 'lockout');

    const next = config(r.dir, { doors: { ...r.station.config.doors, codes: [{ code: '1234', relay: 'front' }, { code: '8642', relay: 'front' }] } });
    expect((await r.station.reload(next)).restart).toBe('none');
    expect(r.station.status.snapshot().codeLockoutUntil).toBeDefined();
    await call.sendDtmf('1234#');
    await new Promise((res) => setTimeout(res, 1200));
    expect(r.energized).toEqual([]);
    await call.hangUp();
  });

  it('a reload that restarts SIP keeps an active lockout for the next call', async () => {
    const r = await start();
    const first = await ringFlat(r.station);
    await first.sendDtmf('1111#2222#');
    await eventually(() => lockedOut(r.events), 5000, 'lockout');
    await first.hangUp();
    await eventually(() => r.station.status.snapshot().call.state === 'idle', 5000, 'idle');

    const next = config(r.dir, { sip: { ...r.station.config.sip, accounts: [{ ...r.station.config.sip.accounts[0]!, displayName: 'Side door' }] } });
    expect((await r.station.reload(next)).restart).toBe('now');
    r.watchRelay();
    await eventually(() => r.station.status.snapshot().registrations.door?.state === 'registered', 10_000, 're-registered');
    expect(r.station.status.snapshot().codeLockoutUntil).toBeDefined();

    const second = await ringFlat(r.station);
    await second.sendDtmf('1234#');
    await new Promise((res) => setTimeout(res, 1200));
    expect(r.energized).toEqual([]);
    await second.hangUp();
  });

  it('a reload keeps a call that used up its wrong codes blocked', async () => {
    const r = await start({
      doors: { relays: [{ name: 'front', output: 'relay1', pulseMs: 500 }], codes: [{ code: '1234', relay: 'front' }], bruteForce: { wrongCodesPerCall: 2, globalLimit: 10 } },
    });
    const call = await ringFlat(r.station);
    await call.sendDtmf('1111#2222#');
    await eventually(() => r.events.filter((e) => e.type === 'alarm' && e.alarm === 'wrong-code').length === 2, 5000, 'two wrong codes');

    const next = config(r.dir, { doors: { ...r.station.config.doors, codes: [{ code: '1234', relay: 'front' }, { code: '8642', relay: 'front' }] } });
    await r.station.reload(next);
    await call.sendDtmf('1234#');
    await new Promise((res) => setTimeout(res, 1200));
    expect(r.energized).toEqual([]);
    await call.hangUp();
  });
});
