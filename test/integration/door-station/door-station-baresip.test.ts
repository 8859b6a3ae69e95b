import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { setTimeout as delay } from 'node:timers/promises';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import type { StationEvent } from '../../../src/api/station-control.js';
import { DoorStation } from '../../../src/app/door-station.js';
import { validateConfig } from '../../../src/config/validate-config.js';
import { readEvents } from '../../../src/events/event-log.js';
import type { SimGpioDriver } from '../../../src/hw/gpio/sim-gpio-driver.js';
import { LineLogger, silentLogger } from '../../../src/log/logger.js';
import { baresipUnavailableReason, startBaresip, type BaresipInstance } from '../support/baresip.js';
import { startKamailio, type KamailioInstance } from '../support/kamailio.js';
import { eventually } from './test-phone.js';

// Kamailio 35520; baresip SIP 36500 (TLS takes 36501), ctrl_tcp 36505, RTP 36510–36549 (door station test ranges).
const SIP_PORT = 35520;
const PULSE_MS = 800;
/** The flat as dialled: through Kamailio (the bare domain would go to port 5060). */
const FLAT = `sip:flat@127.0.0.1:${SIP_PORT}`;
const unavailable = baresipUnavailableReason();

describe.skipIf(unavailable !== undefined)('door station and baresip as the flat, through Kamailio', () => {
  let kamailio: KamailioInstance;
  let baresip: BaresipInstance;
  let dir: string;
  let station: DoorStation | undefined;

  beforeAll(async () => {
    dir = mkdtempSync(join(tmpdir(), 'portier-door-baresip-'));
    kamailio = await startKamailio({ udpPort: SIP_PORT, users: [{ username: 'door', password: 'door-pw' }, { username: 'flat', password: 'flat-pw' }] });
    baresip = await startBaresip({
      sipPort: 36500,
      ctrlPort: 36505,
      rtpPorts: { min: 36510, max: 36549 },
      user: 'flat',
      domain: kamailio.domain,
      password: 'flat-pw',
      outboundProxy: kamailio.proxyUri('udp'),
      answerMode: 'auto',
    });
    await baresip.waitRegistered();
  });
  afterEach(async () => {
    await station?.stop();
    station = undefined;
    await baresip.command('hangup').catch(() => undefined);
  });
  afterAll(async () => {
    await baresip?.stop();
    await kamailio?.stop();
    rmSync(dir, { recursive: true, force: true });
  });

  async function start(name: string) {
    const config = validateConfig({
      sip: {
        accounts: [{ id: 'door', registrar: `sip:127.0.0.1:${SIP_PORT}`, username: 'door', password: 'door-pw', registrationExpires: 300 }],
        listen: [{ transport: 'udp', address: '127.0.0.1', port: 0 }],
      },
      audio: { driver: 'sim', sim: { source: 'tone', toneHz: 1000 } },
      hardware: { driver: 'sim', board: 'sim' },
      buttons: [{ input: 'bell1', targets: [FLAT], hangUpAfterDoorOpenSeconds: 2 }],
      doors: {
        relays: [{ name: 'front', output: 'relay1', pulseMs: PULSE_MS }],
        codes: [{ code: '1234', relay: 'front' }],
        bruteForce: { wrongCodesPerCall: 3, globalLimit: 3, lockoutSeconds: 60 },
      },
      http: { enabled: false },
      eventLog: { path: join(dir, `${name}.jsonl`) },
    });
    station = await DoorStation.start(config, { logger: process.env.DEBUG_DOOR ? new LineLogger('debug') : silentLogger, env: {} });
    const hw = station.current!.hardware;
    const driver = hw.driver as SimGpioDriver;
    const relayLine = hw.pins.outputs.get('relay1')!.line;
    const relay: Array<{ active: boolean; atMs: number }> = [];
    driver.events.on('output', (line, active, _l, atMs) => line === relayLine && relay.push({ active, atMs }));
    const events: StationEvent[] = [];
    station.on('event', (e) => events.push(e));
    await eventually(() => station!.status.snapshot().registrations.door?.state === 'registered', 10_000, 'door registered');
    const press = () => {
      const bell = hw.pins.inputs.get('bell1')!.line;
      driver.simulate(bell, true);
      setTimeout(() => driver.simulate(bell, false), 100);
    };
    return { station, relay, events, press, eventsPath: config.eventLog.path };
  }

  it('bell press → baresip answers → sends 1234# (RFC 4733) → the relay pulses for its time → the event log records it', async () => {
    const s = await start('open');
    s.press();
    await eventually(() => s.station.status.snapshot().call.state === 'connected', 10_000, 'connected');
    await delay(300);
    expect((await baresip.command('sndcode', '1234#')).ok).toBe(true);
    await eventually(() => s.relay.length >= 2, 8000, 'relay pulse');
    const pulse = s.relay[1]!.atMs - s.relay[0]!.atMs;
    expect(s.relay.map((r) => r.active)).toEqual([true, false]);
    expect(pulse).toBeGreaterThanOrEqual(PULSE_MS - 1);
    expect(pulse).toBeLessThan(PULSE_MS + 100);
    // hangUpAfterDoorOpenSeconds: 2 — the door ends the call.
    await eventually(() => s.station.status.snapshot().call.state === 'idle', 5000, 'call ended by the door');
    await eventually(async () => (await readEvents(s.eventsPath)).events.some((e) => e.type === 'call'), 3000, 'call logged');
    const logged = (await readEvents(s.eventsPath)).events;
    expect(logged.find((e) => e.type === 'door-open')).toMatchObject({ relay: 'front', method: 'dtmf', caller: FLAT });
    expect(logged.find((e) => e.type === 'call')).toMatchObject({ direction: 'outgoing', outcome: 'answered', reason: 'door-opened' });
  });

  it('wrong codes from baresip open nothing and reach the lockout', async () => {
    const s = await start('lockout');
    s.press();
    await eventually(() => s.station.status.snapshot().call.state === 'connected', 10_000, 'connected');
    await delay(300);
    expect((await baresip.command('sndcode', '1111#2222#3333#')).ok).toBe(true);
    await eventually(() => s.events.some((e) => e.type === 'alarm' && e.alarm === 'code-lockout'), 10_000, 'lockout');
    expect(s.events.filter((e) => e.type === 'alarm' && e.alarm === 'wrong-code')).toHaveLength(3);
    expect((await baresip.command('sndcode', '1234#')).ok).toBe(true);
    await delay(1500);
    expect(s.relay).toEqual([]);
    expect(s.station.status.snapshot().codeLockoutUntil).toBeDefined();
  });
});
