import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, afterEach, describe, expect, it } from 'vitest';
import { readEvents } from '../../../src/events/event-log.js';
import { api, killAllCli, startCli } from './cli-process.js';

// HTTP ports 38100–38199 belong to the door station tests; this file uses 38100.
const HTTP_PORT = 38100;

describe('portier run with no configuration: the simulation, driven through the HTTP API', () => {
  const state = mkdtempSync(join(tmpdir(), 'portier-sim-'));
  afterEach(() => killAllCli());
  afterAll(() => rmSync(state, { recursive: true, force: true }));

  it('bell → flat rings and answers → 1234# → relay opens → call ends, shown live and in /status', async () => {
    // --simulate: even where /etc/portier/config.yaml exists, it is not read.
    const sim = startCli(['run', '--simulate', '--http-port', String(HTTP_PORT)], { XDG_STATE_HOME: state });
    await sim.waitFor(/\[door\] registration registered \(expires \d+s/);
    await sim.waitFor(/no terminal: drive it with curl/);

    const idle = await api(HTTP_PORT, 'GET', '/status');
    expect(idle.status).toBe(200);
    expect(idle.json).toMatchObject({ health: 'ok', call: { state: 'idle' }, relays: { door: { energized: false } } });
    expect(Object.keys(idle.json.inputs).sort()).toEqual(['bell1', 'contact1', 'exit_button', 'tamper1']);

    expect((await api(HTTP_PORT, 'POST', '/sim/input/bell1/press')).status).toBe(200);
    await new Promise((r) => setTimeout(r, 150));
    await api(HTTP_PORT, 'POST', '/sim/input/bell1/release');

    await sim.waitFor(/button bell1 pressed/);
    await sim.waitFor(/call outgoing ringing to sip:flat@127\.0\.0\.1:\d+/);
    await sim.waitFor(/flat: incoming call from sip:door@portier-demo, ringing/);
    await sim.waitFor(/flat: answers/);
    await sim.waitFor(/call outgoing connected/);
    const talking = await api(HTTP_PORT, 'GET', '/status');
    expect(talking.json.call).toMatchObject({ state: 'connected', direction: 'outgoing', button: 'bell1' });

    await sim.waitFor(/flat: keys 1234#/);
    await sim.waitFor(/relay door: ENERGIZED/);
    await sim.waitFor(/DOOR OPENED: relay door by dtmf \(caller sip:flat@127\.0\.0\.1:\d+\)/);
    const open = await api(HTTP_PORT, 'GET', '/status');
    expect(open.json.relays.door.energized).toBe(true);

    await sim.waitFor(/flat: hangs up/);
    await sim.waitFor(/call outgoing ended .*\(remote-hangup\)/);
    await sim.waitFor(/ENERGIZED[\s\S]*relay door: released/, 5000);
    const after = await api(HTTP_PORT, 'GET', '/status');
    expect(after.json).toMatchObject({ call: { state: 'idle' }, relays: { door: { energized: false } } });

    // The lines come in the order of the story.
    const out = sim.stdout();
    const order = ['button bell1 pressed', 'flat: answers', 'call outgoing connected', 'flat: keys 1234#', 'DOOR OPENED', 'flat: hangs up', 'relay door: released'];
    const positions = order.map((s) => out.indexOf(s, out.indexOf('button bell1 pressed')));
    expect(positions.every((p) => p >= 0)).toBe(true);
    expect([...positions].sort((a, b) => a - b)).toEqual(positions);
    // Lines carry a time of day.
    expect(out).toMatch(/^\d\d:\d\d:\d\d\.\d{3} {2}DOOR OPENED/m);

    const events = (await readEvents(join(state, 'portier-sim', 'events.jsonl'))).events;
    expect(events.find((e) => e.type === 'door-open')).toMatchObject({ relay: 'door', method: 'dtmf' });

    process.kill(sim.child.pid!, 'SIGTERM');
    const exit = await sim.exit;
    expect(exit.code).toBe(0);
    expect(exit.stdout).toMatch(/stopping: un-registering\n[\s\S]*\[door\] registration unregistered/);
  }, 45_000);

  it('the exit button opens the door locally, tamper raises an alarm, an unknown input is refused', async () => {
    const sim = startCli(['run', '--simulate', '--http-port', String(HTTP_PORT + 1)], { XDG_STATE_HOME: state });
    await sim.waitFor(/\[door\] registration registered/);
    const port = HTTP_PORT + 1;
    await api(port, 'POST', '/sim/input/exit_button/press');
    await new Promise((r) => setTimeout(r, 100));
    await api(port, 'POST', '/sim/input/exit_button/release');
    await sim.waitFor(/DOOR OPENED: relay door by exit-button/);
    await api(port, 'POST', '/sim/input/tamper1/press');
    await sim.waitFor(/ALARM tamper/);
    const unknown = await api(port, 'POST', '/sim/input/nosuch/press');
    expect(unknown.status).toBe(404);
    expect(unknown.json.error.code).toBe('PORTIER_ERR_UNKNOWN_INPUT');
    process.kill(sim.child.pid!, 'SIGTERM');
    expect((await sim.exit).code).toBe(0);
  }, 30_000);
});
