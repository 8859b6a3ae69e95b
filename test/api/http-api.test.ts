import { afterEach, describe, expect, it } from 'vitest';
import { HttpApi, type HttpApiOptions } from '../../src/api/http-api.js';
import { FakeStationControl } from './fake-station-control.js';
import { openEventStream, request } from './http-client.js';

// This file owns loopback ports 38000–38049.
let nextPort = 38000;
const started: HttpApi[] = [];

async function start(overrides: Partial<HttpApiOptions> = {}, control = new FakeStationControl()) {
  const port = nextPort++;
  const api = await HttpApi.start({ control, bind: '127.0.0.1', port, ...overrides });
  started.push(api);
  return { api, control, port };
}

afterEach(async () => {
  await Promise.all(started.splice(0).map((a) => a.close()));
});

describe('HttpApi', () => {
  it('serves the status as JSON', async () => {
    const { port, control } = await start();
    control.status_.setRegistration('door', 'registered');
    const res = await request(port, 'GET', '/status');
    expect(res.status).toBe(200);
    expect(res.headers['content-type']).toMatch(/^application\/json/);
    expect(res.json.registrations.door.state).toBe('registered');
    expect(res.json.call.state).toBe('idle');
  });

  it('opens the default or a named relay, and reports an unknown relay with a stable code', async () => {
    const { port, control } = await start();
    expect((await request(port, 'POST', '/door/open')).json).toEqual({ ok: true, relay: 'front' });
    expect((await request(port, 'POST', '/door/open', { body: '{"relay":"gate"}' })).json).toEqual({ ok: true, relay: 'gate' });
    const bad = await request(port, 'POST', '/door/open', { body: '{"relay":"cellar"}' });
    expect(bad.status).toBe(404);
    expect(bad.json.error.code).toBe('PORTIER_ERR_UNKNOWN_RELAY');
    expect(control.opened).toEqual(['front', 'gate']);
  });

  it('places and hangs up calls, mapping station refusals to 409', async () => {
    const { port, control } = await start();
    const placed = await request(port, 'POST', '/call', { body: JSON.stringify({ target: 'sip:flat1@pbx' }) });
    expect(placed.status).toBe(202);
    expect(placed.json).toEqual({ ok: true, target: 'sip:flat1@pbx' });
    expect((await request(port, 'POST', '/call', { body: '{"target":"201"}' })).json.error.code).toBe('PORTIER_ERR_CALL_IN_PROGRESS');
    expect((await request(port, 'POST', '/call/hangup')).status).toBe(200);
    const again = await request(port, 'POST', '/call/hangup');
    expect(again.status).toBe(409);
    expect(again.json.error.code).toBe('PORTIER_ERR_NO_CALL');
    expect(control.calls).toEqual(['sip:flat1@pbx']);
  });

  it('rejects bad bodies with stable codes', async () => {
    const { port } = await start();
    const cases: Array<[string, Record<string, string>, number, string]> = [
      ['{"target":', {}, 400, 'PORTIER_ERR_API_BAD_REQUEST'],
      ['[]', {}, 400, 'PORTIER_ERR_API_BAD_REQUEST'],
      ['{}', {}, 400, 'PORTIER_ERR_API_BAD_REQUEST'],
      ['{"target":42}', {}, 400, 'PORTIER_ERR_API_BAD_REQUEST'],
      ['target=201', { 'content-type': 'application/x-www-form-urlencoded' }, 415, 'PORTIER_ERR_API_UNSUPPORTED_MEDIA_TYPE'],
      [JSON.stringify({ target: 'x'.repeat(5000) }), {}, 413, 'PORTIER_ERR_API_BODY_TOO_LARGE'],
    ];
    for (const [body, headers, status, code] of cases) {
      const res = await request(port, 'POST', '/call', { body, headers });
      expect([res.status, res.json?.error?.code]).toEqual([status, code]);
    }
  });

  it('answers unknown paths with 404 and wrong methods with 405 and Allow', async () => {
    const { port } = await start();
    const missing = await request(port, 'GET', '/nope');
    expect([missing.status, missing.json.error.code]).toEqual([404, 'PORTIER_ERR_API_NOT_FOUND']);
    const wrong = await request(port, 'GET', '/door/open');
    expect([wrong.status, wrong.json.error.code, wrong.headers.allow]).toEqual([405, 'PORTIER_ERR_API_METHOD_NOT_ALLOWED', 'POST']);
  });

  it('hides internal error details', async () => {
    const { port } = await start();
    const res = await request(port, 'POST', '/call', { body: '{"target":"boom"}' });
    expect(res.status).toBe(500);
    expect(res.json).toEqual({ error: { code: 'PORTIER_ERR_API_INTERNAL', message: 'internal error' } });
  });

  it('without a token on loopback, refuses browser requests and foreign Host headers', async () => {
    const { port, control } = await start();
    const fromPage = await request(port, 'POST', '/door/open', { headers: { origin: 'http://evil.example' } });
    expect([fromPage.status, fromPage.json.error.code]).toEqual([403, 'PORTIER_ERR_API_FORBIDDEN']);
    const rebound = await request(port, 'POST', '/door/open', { headers: { host: `evil.example:${port}` } });
    expect(rebound.status).toBe(403);
    expect((await request(port, 'GET', '/status', { headers: { host: `localhost:${port}` } })).status).toBe(200);
    expect(control.opened).toEqual([]);
  });

  it('requires the bearer token when one is configured', async () => {
    const { port, control } = await start({ token: 's3cret-token' });
    const none = await request(port, 'POST', '/door/open');
    expect([none.status, none.json.error.code, none.headers['www-authenticate']]).toEqual([401, 'PORTIER_ERR_API_UNAUTHORIZED', 'Bearer realm="portier"']);
    expect((await request(port, 'POST', '/door/open', { headers: { authorization: 'Bearer wrong' } })).status).toBe(401);
    expect((await request(port, 'POST', '/door/open', { headers: { authorization: 'Basic s3cret-token' } })).status).toBe(401);
    const ok = await request(port, 'POST', '/door/open', { headers: { authorization: 'Bearer s3cret-token', origin: 'https://dashboard' } });
    expect(ok.status).toBe(200);
    expect(control.opened).toEqual(['front']);
  });

  it('refuses to start beyond loopback without a token, and starts with one', async () => {
    await expect(HttpApi.start({ control: new FakeStationControl(), bind: '0.0.0.0', port: nextPort++ })).rejects.toMatchObject({ code: 'PORTIER_ERR_API_NO_TOKEN' });
    const { port } = await start({ bind: '0.0.0.0', token: 't' });
    expect((await request(port, 'GET', '/status')).status).toBe(401);
    expect((await request(port, 'GET', '/status', { headers: { authorization: 'Bearer t' } })).status).toBe(200);
  });

  it('reports a port in use with a stable code', async () => {
    const { port } = await start();
    await expect(HttpApi.start({ control: new FakeStationControl(), bind: '127.0.0.1', port })).rejects.toMatchObject({ code: 'PORTIER_ERR_API_LISTEN' });
  });

  it('offers /sim input routes only in simulation', async () => {
    const sim = await start();
    expect((await request(sim.port, 'POST', '/sim/input/bell1/press')).json).toEqual({ ok: true, input: 'bell1', pressed: true });
    expect((await request(sim.port, 'POST', '/sim/input/bell1/release')).json).toEqual({ ok: true, input: 'bell1', pressed: false });
    expect((await request(sim.port, 'POST', '/sim/input/bell9/press')).json.error.code).toBe('PORTIER_ERR_UNKNOWN_INPUT');
    expect(sim.control.inputs).toEqual([
      ['bell1', true],
      ['bell1', false],
    ]);
    const real = await start({}, new FakeStationControl(false));
    expect((await request(real.port, 'POST', '/sim/input/bell1/press')).status).toBe(404);
    expect(real.control.inputs).toEqual([]);
  });

  it('streams station events with the status first and heartbeats', async () => {
    const { port, control } = await start({ heartbeatMs: 40 });
    const stream = openEventStream(port);
    await stream.ready;
    expect(stream.status).toBe(200);
    await stream.waitFor('event: status');
    control.publish({ type: 'press', time: '2026-01-01T00:00:00.000Z', input: 'bell1', long: false });
    control.publish({ type: 'door', time: '2026-01-01T00:00:01.000Z', relay: 'front', method: 'api' });
    await stream.waitFor('event: door');
    await stream.waitFor(': heartbeat');
    expect(stream.text).toContain('event: press\ndata: {"type":"press","time":"2026-01-01T00:00:00.000Z","input":"bell1","long":false}\n\n');
    expect(stream.text.indexOf('event: status')).toBeLessThan(stream.text.indexOf('event: press'));
    stream.close();
  });

  it('bounds the number of event-stream clients and frees a slot when one leaves', async () => {
    const { port } = await start({ maxEventClients: 2 });
    const a = openEventStream(port);
    const b = openEventStream(port);
    await Promise.all([a.ready, b.ready]);
    const third = await request(port, 'GET', '/events');
    expect([third.status, third.json.error.code]).toEqual([503, 'PORTIER_ERR_API_TOO_MANY_CLIENTS']);
    a.close();
    await new Promise((r) => setTimeout(r, 100));
    const c = openEventStream(port);
    await c.ready;
    expect(c.status).toBe(200);
    b.close();
    c.close();
  });

  it('close() ends event streams, unsubscribes and stops listening; idempotent', async () => {
    const { api, port, control } = await start();
    const stream = openEventStream(port);
    await stream.ready;
    expect(control.subscribers).toBe(1);
    await Promise.all([api.close(), api.close()]);
    await stream.waitFor('<end>');
    expect(control.subscribers).toBe(0);
    await expect(request(port, 'GET', '/status')).rejects.toThrow(/ECONNREFUSED/);
  });
});
