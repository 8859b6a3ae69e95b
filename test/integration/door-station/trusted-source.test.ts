import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import type { StationEvent } from '../../../src/api/station-control.js';
import { DoorStation } from '../../../src/app/door-station.js';
import { validateConfig } from '../../../src/config/validate-config.js';
import { readEvents } from '../../../src/events/event-log.js';
import type { SimGpioDriver } from '../../../src/hw/gpio/sim-gpio-driver.js';
import { silentLogger } from '../../../src/log/logger.js';
import { startKamailio, type KamailioInstance } from '../support/kamailio.js';
import { eventually, TestPhone, waitForState } from './test-phone.js';

// Kamailio ports 35800–35849 belong to the trusted-source tests; this file uses 35800.
const PORT = 35800;
const USERS = [
  { username: 'door', password: 'door-pw' },
  { username: 'flat', password: 'flat-pw' },
];
const FLAT = 'sip:flat@127.0.0.1';

interface Running {
  station: DoorStation;
  eventsPath: string;
  events: StationEvent[];
  relay: boolean[];
  /** The station's SIP address for a caller on ::1, bypassing Kamailio (which is on 127.0.0.1). */
  directUri: string;
}

/**
 * Kamailio (the PBX) listens on 127.0.0.1; the door station listens on 127.0.0.1 for it
 * and on ::1, where a caller that bypasses the PBX reaches it from another source address.
 */
describe('incoming calls count their From only when they come from the PBX', () => {
  let kamailio: KamailioInstance;
  let flat: TestPhone;
  let impostor: TestPhone;
  const dirs: string[] = [];
  const stations: DoorStation[] = [];

  beforeAll(async () => {
    kamailio = await startKamailio({ udpPort: PORT, users: USERS });
    flat = await TestPhone.start('flat', 'flat-pw', `sip:127.0.0.1:${PORT}`, '127.0.0.1');
    // Claims the flat's From, but sends straight to the door station.
    impostor = await TestPhone.direct('flat', '127.0.0.1', '::1');
  });
  afterEach(async () => {
    for (const s of stations.splice(0)) await s.stop();
    await Promise.allSettled([...flat.phone.activeCalls, ...impostor.phone.activeCalls].map((c) => c.hangUp()));
  });
  afterAll(async () => {
    await flat?.close();
    await impostor?.close();
    await kamailio?.stop();
    for (const d of dirs) rmSync(d, { recursive: true, force: true });
  });

  async function start(incoming: Record<string, unknown> = {}): Promise<Running> {
    const dir = mkdtempSync(join(tmpdir(), 'portier-trust-'));
    dirs.push(dir);
    const cfg = validateConfig({
      sip: {
        accounts: [{ id: 'door', registrar: `sip:127.0.0.1:${PORT}`, username: 'door', password: 'door-pw', registrationExpires: 300 }],
        listen: [
          { transport: 'udp', address: '127.0.0.1', port: 0 },
          { transport: 'udp', address: '::1', port: 0 },
        ],
      },
      audio: { driver: 'sim', sim: { source: 'silence' } },
      hardware: { driver: 'sim', board: 'sim' },
      buttons: [{ input: 'bell1', targets: [`sip:flat@127.0.0.1:${PORT}`] }],
      incoming: { mode: 'auto', allow: [FLAT], ...incoming },
      doors: { relays: [{ name: 'front', output: 'relay1', pulseMs: 300 }], codes: [{ code: '1234', relay: 'front' }] },
      http: { enabled: false },
      eventLog: { path: join(dir, 'events.jsonl') },
    });
    const station = await DoorStation.start(cfg, { logger: silentLogger, env: {} });
    stations.push(station);
    const runtime = station.current!;
    const driver = runtime.hardware.driver as SimGpioDriver;
    const relayLine = runtime.hardware.pins.outputs.get('relay1')!.line;
    const v6 = runtime.sip.line().stack.transport.listeningPoints.find((p) => p.family === 6)!;
    const running: Running = { station, eventsPath: cfg.eventLog.path, events: [], relay: [], directUri: `sip:door@[::1]:${v6.port}` };
    station.on('event', (e) => running.events.push(e));
    driver.events.on('output', (line, active) => line === relayLine && running.relay.push(active));
    await eventually(() => station.status.snapshot().registrations.door?.state === 'registered', 10_000, 'door registered');
    return running;
  }

  it('an allow-listed From sent straight to the door station (not via the PBX) is rejected and opens nothing', async () => {
    const r = await start();
    const call = await impostor.phone.call(r.directUri);
    const ended = new Promise<{ status?: number }>((resolve) => call.on('ended', resolve));
    // Were it answered, it would try the right code: the door must stay shut either way.
    const answered = waitForState(call, 'connected', 5000).then(
      async () => {
        await call.sendDtmf('1234#');
        await new Promise((res) => setTimeout(res, 1500));
        return 'answered' as const;
      },
      () => 'not answered' as const,
    );
    const first = await Promise.race([ended.then(() => 'ended' as const), answered]);
    expect(r.relay).toEqual([]);
    expect(first).toBe('ended');
    expect((await ended).status).toBe(486);
    const logged = (await readEvents(r.eventsPath)).events;
    expect(logged.find((e) => e.type === 'call')).toMatchObject({ direction: 'incoming', outcome: 'rejected', reason: 'untrusted-source (486)' });
  });

  it('the same From through the PBX (a trusted source) is answered and opens the door by code', async () => {
    const r = await start();
    const call = await flat.phone.call(`sip:door@127.0.0.1:${PORT}`);
    await waitForState(call, 'connected');
    await call.sendDtmf('1234#');
    await eventually(() => r.relay.includes(true), 5000, 'relay on');
    expect(r.events.find((e) => e.type === 'door')).toMatchObject({ method: 'dtmf', caller: expect.stringContaining(FLAT) });
    await call.hangUp();
  });

  it('with an empty allow-list the direct caller is answered, but its right code opens nothing', async () => {
    const r = await start({ allow: [] });
    const call = await impostor.phone.call(r.directUri);
    await waitForState(call, 'connected');
    await call.sendDtmf('1234#');
    await new Promise((res) => setTimeout(res, 1500));
    expect(r.relay).toEqual([]);
    expect(r.events.some((e) => e.type === 'door')).toBe(false);
    await call.hangUp();
  });

  it('incoming.trustedSources admits a source besides the PBX (here the direct caller\'s ::1/128)', async () => {
    const r = await start({ trustedSources: ['::1/128'] });
    const call = await impostor.phone.call(r.directUri);
    await waitForState(call, 'connected');
    await call.sendDtmf('1234#');
    await eventually(() => r.relay.includes(true), 5000, 'relay on');
    await call.hangUp();
  });
});
