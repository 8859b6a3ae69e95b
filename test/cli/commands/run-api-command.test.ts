import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { HttpApi } from '../../../src/api/http-api.js';
import { EXIT_UNAVAILABLE, runApiCommand } from '../../../src/cli/commands/run-api-command.js';
import { FakeStationControl } from '../../api/fake-station-control.js';

// This file owns loopback ports 38050–38099; nothing listens on 38099.
const PORT = 38050;
const TOKEN_PORT = 38051;
const TOKEN = 'cli-test-token-0123456789';

let control: FakeStationControl;
let apis: HttpApi[] = [];

beforeAll(async () => {
  control = new FakeStationControl();
  apis = [
    await HttpApi.start({ control, bind: '127.0.0.1', port: PORT }),
    await HttpApi.start({ control, bind: '127.0.0.1', port: TOKEN_PORT, token: TOKEN }),
  ];
});
afterAll(async () => {
  await Promise.all(apis.map((a) => a.close()));
});

async function run(name: string, args: string[], env: Record<string, string> = { PORTIER_API: `http://127.0.0.1:${PORT}` }, json = false) {
  const out: string[] = [];
  const err: string[] = [];
  const code = await runApiCommand(name, args, { env, json, io: { out: (l) => out.push(l), err: (l) => err.push(l) } });
  return { code, out, err };
}

describe('portier call|open|status against a running API', () => {
  it('opens the door, named or not', async () => {
    expect(await run('open', [])).toEqual({ code: 0, out: ['opened front'], err: [] });
    expect(await run('open', ['gate'], undefined, true)).toEqual({ code: 0, out: ['{"ok":true,"relay":"gate"}'], err: [] });
    const bad = await run('open', ['cellar']);
    expect(bad.code).toBe(1);
    expect(bad.err[0]).toContain('[PORTIER_ERR_UNKNOWN_RELAY]');
  });

  it('places a call, and reports a busy station', async () => {
    control.inCall = false;
    expect(await run('call', ['sip:flat1@pbx'])).toEqual({ code: 0, out: ['calling sip:flat1@pbx'], err: [] });
    const busy = await run('call', ['201']);
    expect(busy.code).toBe(1);
    expect(busy.err[0]).toMatch(/call is in progress.*PORTIER_ERR_CALL_IN_PROGRESS/);
    expect(control.calls.at(-1)).toBe('sip:flat1@pbx');
  });

  it('shows the status for people and as JSON, exiting 1 when nothing is registered', async () => {
    control.status_.setRegistration('door', 'registered', 'expires 600s');
    control.status_.setRelay('front', false);
    const human = await run('status', []);
    expect(human.code).toBe(0);
    expect(human.out).toContain('registration door: registered (expires 600s) since ' + control.status().registrations.door!.since);
    expect(human.out).toContain('call: idle');
    expect(human.out).toContain('relays: front off');
    const json = await run('status', [], undefined, true);
    expect(JSON.parse(json.out.join('\n')).health).toBe('ok');
    control.status_.setRegistration('door', 'failed', '403');
    expect((await run('status', [])).code).toBe(1);
  });

  it('sends the token, and explains a missing one', async () => {
    const base = { PORTIER_API: `http://127.0.0.1:${TOKEN_PORT}` };
    const denied = await run('open', [], base);
    expect(denied.code).toBe(1);
    expect(denied.err[0]).toMatch(/PORTIER_TOKEN.*PORTIER_ERR_API_UNAUTHORIZED/);
    expect((await run('open', [], { ...base, PORTIER_TOKEN: TOKEN })).code).toBe(0);
  });

  it('exits 69 when the service is not running', async () => {
    const r = await run('status', [], { PORTIER_API: 'http://127.0.0.1:38099' });
    expect(r.code).toBe(EXIT_UNAVAILABLE);
    expect(r.err[0]).toMatch(/cannot reach the Portier service at http:\/\/127\.0\.0\.1:38099.*is it running/);
  });

  it('checks usage before contacting the service', async () => {
    const env = { PORTIER_API: 'http://127.0.0.1:38099' };
    expect((await run('call', [], env)).code).toBe(2);
    expect((await run('open', ['a', 'b'], env)).code).toBe(2);
    expect((await run('status', ['x'], env)).code).toBe(2);
  });
});
