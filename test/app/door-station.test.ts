import { mkdtempSync, rmSync } from 'node:fs';
import { connect, createServer, type AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it, vi } from 'vitest';
import type { StationEvent } from '../../src/api/station-control.js';
import { DoorStation } from '../../src/app/door-station.js';
import { validateConfig } from '../../src/config/validate-config.js';
import { readEvents } from '../../src/events/event-log.js';
import { SimGpioDriver } from '../../src/hw/gpio/sim-gpio-driver.js';
import { resolvePinMap } from '../../src/app/pin-map.js';
import { pinRequest } from '../../src/app/station-hardware.js';
import { silentLogger } from '../../src/log/logger.js';
import { SystemdNotifier } from '../../src/service/systemd-notifier.js';

const dirs: string[] = [];
const stations: DoorStation[] = [];
afterEach(async () => {
  for (const s of stations.splice(0)) await s.stop();
  for (const d of dirs.splice(0)) rmSync(d, { recursive: true, force: true });
});

/** The test configuration; `over` replaces whole sections. */
function stationConfig(dir: string, doors: Record<string, unknown> = {}, over: Record<string, unknown> = {}) {
  return validateConfig({
    sip: {
      accounts: [{ id: 'door', registrar: 'sip:127.0.0.1:9', transport: 'tcp', username: 'door', password: 'pw' }],
      listen: [{ transport: 'tcp', address: '127.0.0.1', port: 0 }],
    },
    audio: { driver: 'sim', sim: { source: 'silence' } },
    hardware: { driver: 'sim', board: 'sim' },
    buttons: [{ input: 'bell1', targets: ['sip:flat@127.0.0.1:9'] }],
    doors: { relays: [{ name: 'front', output: 'relay1', pulseMs: 300 }, { name: 'gate', output: 'relay2', hold: true }], contact: { input: 'contact1', openTooLongSeconds: 1 }, ...doors },
    tamper: { input: 'tamper1' },
    leds: { status: 'led1' },
    http: { enabled: false },
    eventLog: { path: join(dir, 'log', 'events.jsonl') },
    ...over,
  });
}

/** A station whose registrar refuses TCP connections (nothing listens on port 9): registration fails at once. */
async function start(doors: Record<string, unknown> = {}) {
  const dir = mkdtempSync(join(tmpdir(), 'portier-station-'));
  dirs.push(dir);
  const config = stationConfig(dir, doors);
  const station = await DoorStation.start(config, { logger: silentLogger, env: {} });
  stations.push(station);
  const events: StationEvent[] = [];
  station.on('event', (e) => events.push(e));
  const hw = station.current!.hardware;
  const driver = hw.driver as SimGpioDriver;
  const line = (name: string) => hw.pins.inputs.get(name)?.line ?? hw.pins.outputs.get(name)!.line;
  const tones: string[] = [];
  station.current!.audio.speaker.on('toneStarted', (t) => tones.push(t));
  return { dir, station, events, driver, line, tones, eventsPath: config.eventLog.path };
}

const until = async (check: () => boolean, ms = 3000) => {
  const end = Date.now() + ms;
  while (!check()) {
    if (Date.now() > end) throw new Error('timed out');
    await new Promise((r) => setTimeout(r, 20));
  }
};

describe('DoorStation (simulated hardware, no PBX)', () => {
  it('the exit button pulses the first relay and logs method exit-button (creating the log directory)', async () => {
    const s = await start();
    s.driver.simulate(s.line('exit_button'), true);
    await until(() => s.events.some((e) => e.type === 'door'));
    expect(s.driver.levelOf(s.line('relay1'))).toBe(1);
    expect(s.events.find((e) => e.type === 'door')).toMatchObject({ relay: 'front', method: 'exit-button' });
    expect(s.tones).toContain('confirmation');
    await until(() => s.driver.levelOf(s.line('relay1')) === 0, 1000);
    await s.station.stop();
    expect((await readEvents(s.eventsPath)).events).toEqual([expect.objectContaining({ type: 'door-open', relay: 'front', method: 'exit-button' })]);
  });

  it('a held relay toggles, and stop() turns every output off', async () => {
    const s = await start();
    await s.station.control.openDoor('gate');
    expect(s.driver.levelOf(s.line('relay2'))).toBe(1);
    await expect(s.station.control.openDoor('nosuch')).rejects.toMatchObject({ code: 'PORTIER_ERR_UNKNOWN_RELAY' });
    await s.station.stop();
    expect(s.driver.levelOf(s.line('relay2'))).toBe(0);
  });

  it('failSafe() drives every output inactive synchronously (the crash path)', async () => {
    const s = await start();
    await s.station.control.openDoor('gate');
    await s.station.control.openDoor('front');
    s.station.failSafe();
    expect(s.driver.levelOf(s.line('relay1'))).toBe(0);
    expect(s.driver.levelOf(s.line('relay2'))).toBe(0);
  });

  it('a door left open raises "door-open-too-long"; tamper raises "tamper"; inputs show in the status', async () => {
    const s = await start();
    s.driver.simulate(s.line('contact1'), true);
    s.driver.simulate(s.line('tamper1'), true);
    await until(() => s.events.some((e) => e.type === 'alarm' && e.alarm === 'tamper'));
    expect(s.station.status.snapshot().inputs.contact1?.active).toBe(true);
    expect(s.events.some((e) => e.type === 'alarm' && e.alarm === 'door-open-too-long')).toBe(false);
    await until(() => s.events.some((e) => e.type === 'alarm' && e.alarm === 'door-open-too-long'), 2500);
  });

  it('a door already open at start-up raises "door-open-too-long" once it has stayed open that long', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'portier-station-'));
    dirs.push(dir);
    const config = stationConfig(dir);
    const contact = resolvePinMap(config.hardware, pinRequest(config)).inputs.get('contact1')!;
    const driver = new SimGpioDriver();
    // The door is propped open before the service starts: the contact reads active on the first read.
    driver.simulateLevel(contact.line, contact.activeLow ? 0 : 1);
    const station = await DoorStation.start(config, { logger: silentLogger, env: {}, gpioDriver: driver });
    stations.push(station);
    const events: StationEvent[] = [];
    station.on('event', (e) => events.push(e));
    expect(station.status.snapshot().inputs.contact1?.active).toBe(true);
    await until(() => events.some((e) => e.type === 'alarm' && e.alarm === 'door-open-too-long'), 2500);
  });

  it('a door closed in time raises no alarm', async () => {
    const s = await start();
    s.driver.simulate(s.line('contact1'), true);
    await new Promise((r) => setTimeout(r, 300));
    s.driver.simulate(s.line('contact1'), false);
    await new Promise((r) => setTimeout(r, 1200));
    expect(s.events.some((e) => e.type === 'alarm')).toBe(false);
  });

  it('with the PBX unreachable a bell press still gives feedback: error tone, LED not-registered, alarm and call event', async () => {
    const s = await start();
    await until(() => s.station.status.snapshot().registrations.door?.state === 'failed', 5000);
    expect(s.station.current!.ledPatterns().status).toBe('slow-blink');
    s.driver.simulate(s.line('bell1'), true);
    await until(() => s.events.some((e) => e.type === 'alarm' && e.alarm === 'pbx-unreachable'));
    expect(s.tones).toContain('error');
    expect(s.station.status.snapshot().call.state).toBe('idle');
    await s.station.stop();
    const logged = (await readEvents(s.eventsPath)).events;
    expect(logged).toContainEqual(expect.objectContaining({ type: 'call', direction: 'outgoing', outcome: 'failed', reason: 'pbx-unreachable' }));
    expect(logged).toContainEqual(expect.objectContaining({ type: 'alarm', alarm: 'pbx-unreachable' }));
  });

  it('refuses to start with an LED on the door relay, which its blink pattern would pulse', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'portier-station-'));
    dirs.push(dir);
    const driver = new SimGpioDriver({ onProcessExit: false });
    const config = stationConfig(dir, {}, { leds: { status: 'relay1' } });
    await expect(DoorStation.start(config, { logger: silentLogger, env: {}, gpioDriver: driver })).rejects.toMatchObject({ code: 'PORTIER_ERR_PIN_MAP' });
  });

  it('refuses a reload that gives a pin two roles, before changing anything (the running station stays as it was)', async () => {
    const s = await start();
    const before = s.station.config;
    const runtime = s.station.current;
    await expect(s.station.reload(stationConfig(s.dir, {}, { tamper: { input: 'exit_button' } }))).rejects.toMatchObject({ code: 'PORTIER_ERR_PIN_MAP' });
    expect(s.station.config).toBe(before);
    expect(s.station.current).toBe(runtime);
    // Tamper is still tamper, and nothing opened the door.
    s.driver.simulate(s.line('tamper1'), true);
    await until(() => s.events.some((e) => e.type === 'alarm' && e.alarm === 'tamper'));
    expect(s.events.some((e) => e.type === 'door')).toBe(false);
  });

  it('a reload whose restart fails (SIP port taken) keeps the station running on the previous configuration', async () => {
    const s = await start();
    const blocker = createServer();
    await new Promise<void>((resolve) => blocker.listen(0, '127.0.0.1', resolve));
    try {
      const taken = (blocker.address() as AddressInfo).port;
      const before = s.station.config;
      const next = stationConfig(s.dir, {}, {
        sip: { accounts: [{ id: 'door', registrar: 'sip:127.0.0.1:9', transport: 'tcp', username: 'door', password: 'pw' }], listen: [{ transport: 'tcp', address: '127.0.0.1', port: taken }] },
      });
      const notified: string[] = [];
      const spy = vi.spyOn(SystemdNotifier.prototype, 'notify').mockImplementation(async (fields) => void notified.push(Object.keys(fields)[0]!));
      try {
        await expect(s.station.reload(next)).rejects.toThrow();
      } finally {
        spy.mockRestore();
      }
      // systemd hears RELOADING=1 and then READY=1 again, or the unit would stay "reloading".
      expect(notified).toEqual(['RELOADING', 'READY']);
      expect(s.station.current).toBeDefined();
      expect(s.station.config).toEqual(before);
      expect(s.station.status.snapshot().lastErrors.some((e) => e.component === 'reload')).toBe(true);
      // The restarted runtime works: the exit button still opens the door.
      const hw = s.station.current!.hardware;
      const driver = hw.driver as SimGpioDriver;
      driver.simulate(hw.pins.inputs.get('exit_button')!.line, true);
      await until(() => s.events.some((e) => e.type === 'door' && e.method === 'exit-button'));
      expect(driver.levelOf(hw.pins.outputs.get('relay1')!.line)).toBe(1);
    } finally {
      blocker.close();
    }
  });

  it('reloads one at a time: two quick SIGHUPs leave one HTTP API, on the last port', async () => {
    const s = await start();
    // HTTP ports 38200–38299 belong to the door-station review tests.
    const http = (port: number) => stationConfig(s.dir, {}, { http: { enabled: true, bind: '127.0.0.1', port } });
    await Promise.all([s.station.reload(http(38201)), s.station.reload(http(38202))]);
    expect(s.station.apiPort).toBe(38202);
    await s.station.stop();
    const listening = (port: number) =>
      new Promise<boolean>((resolve) => {
        const socket = connect(port, '127.0.0.1');
        socket.once('connect', () => (socket.destroy(), resolve(true)));
        socket.once('error', () => resolve(false));
      });
    expect(await listening(38201)).toBe(false);
    expect(await listening(38202)).toBe(false);
  });

  it('a failing event log (disk full) neither stops the door opening nor crashes; the status shows it', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'portier-station-'));
    dirs.push(dir);
    const config = stationConfig(dir, {}, { eventLog: { path: '/dev/full' } });
    const station = await DoorStation.start(config, { logger: silentLogger, env: {} });
    stations.push(station);
    const hw = station.current!.hardware;
    const driver = hw.driver as SimGpioDriver;
    await station.control.openDoor('front');
    expect(driver.levelOf(hw.pins.outputs.get('relay1')!.line)).toBe(1);
    driver.simulate(hw.pins.inputs.get('exit_button')!.line, true);
    await until(() => station.status.snapshot().lastErrors.filter((e) => e.component === 'event-log').length >= 2);
    expect(station.status.snapshot().lastErrors.at(-1)).toMatchObject({ component: 'event-log', code: 'ENOSPC' });
    expect(driver.levelOf(hw.pins.outputs.get('relay1')!.line)).toBe(1);
  });

  it('a reload that moves the event log loses no door opening recorded meanwhile', async () => {
    const s = await start();
    const nextPath = join(s.dir, 'moved', 'events.jsonl');
    let opened = 0;
    let done = false;
    const reloaded = s.station.reload(stationConfig(s.dir, {}, { eventLog: { path: nextPath } })).finally(() => (done = true));
    while (!done) {
      await s.station.control.openDoor('front');
      opened++;
      await new Promise((r) => setImmediate(r));
    }
    await reloaded;
    await s.station.stop();
    const logged = [...(await readEvents(s.eventsPath)).events, ...(await readEvents(nextPath)).events].filter((e) => e.type === 'door-open');
    expect(opened).toBeGreaterThan(1);
    expect(logged).toHaveLength(opened);
  });
});
