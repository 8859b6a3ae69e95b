import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { readEvents } from '../../../src/events/event-log.js';
import { startKamailio, type KamailioInstance } from '../support/kamailio.js';
import { api, killAllCli, startCli } from './cli-process.js';
import { eventually, TestPhone, waitForState } from './test-phone.js';

// Kamailio 35510 and HTTP 38110 (door station test ranges).
const SIP_PORT = 35510;
const HTTP_PORT = 38110;

function configText(dir: string, code: string): string {
  return [
    'sip:',
    '  accounts:',
    `    - { id: door, registrar: "sip:127.0.0.1:${SIP_PORT}", username: door, password: door-pw, registrationExpires: 300 }`,
    '  listen: [{ transport: udp, address: 127.0.0.1, port: 0 }]',
    'audio: { driver: sim, sim: { source: silence } }',
    'hardware: { driver: sim, board: sim }',
    'buttons:',
    `  - { input: bell1, targets: ["sip:flat@127.0.0.1:${SIP_PORT}"], hangUpAfterDoorOpenSeconds: 0 }`,
    'doors:',
    '  relays: [{ name: front, output: relay1, pulseMs: 500 }]',
    `  codes: [{ code: "${code}", relay: front }]`,
    `http: { port: ${HTTP_PORT} }`,
    `eventLog: { path: ${join(dir, 'events.jsonl')} }`,
    '',
  ].join('\n');
}

describe('SIGHUP reload of a running portier', () => {
  let kamailio: KamailioInstance;
  let flat: TestPhone;
  let dir: string;

  beforeAll(async () => {
    dir = mkdtempSync(join(tmpdir(), 'portier-sighup-'));
    kamailio = await startKamailio({ udpPort: SIP_PORT, users: [{ username: 'door', password: 'door-pw' }, { username: 'flat', password: 'flat-pw' }] });
    flat = await TestPhone.start('flat', 'flat-pw', `sip:127.0.0.1:${SIP_PORT}`, '127.0.0.1');
  });
  afterEach(() => killAllCli());
  afterAll(async () => {
    await flat?.close();
    await kamailio?.stop();
    rmSync(dir, { recursive: true, force: true });
  });

  it('a broken file keeps the running configuration; a changed door code applies to the call in progress without dropping it', async () => {
    const file = join(dir, 'config.yaml');
    writeFileSync(file, configText(dir, '1234'));
    const run = startCli(['run', '--config', file]);
    await run.waitFor(/\[door\] registration registered/);

    // A call through the API (as `portier call` would), answered by the flat.
    expect((await api(HTTP_PORT, 'POST', '/call', { target: `sip:flat@127.0.0.1:${SIP_PORT}` })).status).toBe(202);
    const call = await flat.answerNext();
    await eventually(async () => (await api(HTTP_PORT, 'GET', '/status')).json.call.state === 'connected', 5000, 'connected');

    // 1. A file that fails validation: logged, refused, nothing changes.
    writeFileSync(file, configText(dir, '1234').replace('transport: udp', 'transport: udpp'));
    process.kill(run.child.pid!, 'SIGHUP');
    await run.waitFor(/reload refused; the running configuration stays in effect/);
    expect(run.stderr()).toMatch(/sip\.listen\[0\]\.transport: found "udpp", expected one of udp, tcp, tls/);
    expect(call.state).toBe('connected');
    const still = await api(HTTP_PORT, 'GET', '/status');
    expect(still.json.call.state).toBe('connected');
    expect(still.json.lastErrors.at(-1)).toMatchObject({ component: 'reload', code: 'PORTIER_ERR_CONFIG' });

    // 2. A new door code: applied at once, the call stays up, the old code no longer opens.
    writeFileSync(file, configText(dir, '8642'));
    process.kill(run.child.pid!, 'SIGHUP');
    await run.waitFor(/configuration reloaded changed="doors\.codes\[0\]\.code" restart=none/);
    expect(call.state).toBe('connected');
    await call.sendDtmf('1234#');
    await run.waitFor(/wrong door code/);
    await call.sendDtmf('8642#');
    await eventually(async () => (await readEvents(join(dir, 'events.jsonl'))).events.some((e) => e.type === 'door-open'), 5000, 'door opened');
    expect(call.state).toBe('connected');
    const opened = (await readEvents(join(dir, 'events.jsonl'))).events.find((e) => e.type === 'door-open');
    expect(opened).toMatchObject({ relay: 'front', method: 'dtmf', caller: `sip:flat@127.0.0.1:${SIP_PORT}` });

    await call.hangUp();
    await waitForState(call, 'ended');
    process.kill(run.child.pid!, 'SIGTERM');
    const exit = await run.exit;
    expect(exit.code).toBe(0);
    expect(exit.stdout).toMatch(/\[door\] registration unregistered/);
  }, 45_000);
});
