import { describe, expect, it } from 'vitest';
import { resolveApiEndpoint } from '../../src/cli/api-endpoint.js';

function files(map: Record<string, string>) {
  return async (path: string) => {
    const text = map[path];
    if (text === undefined) throw Object.assign(new Error('no such file'), { code: 'ENOENT' });
    return text;
  };
}

describe('resolveApiEndpoint', () => {
  it('defaults to the default bind and port', async () => {
    expect(await resolveApiEndpoint({ env: {} })).toEqual({ baseUrl: 'http://127.0.0.1:8080' });
  });

  it('prefers PORTIER_API and PORTIER_TOKEN over the configuration', async () => {
    const readText = files({ '/c.yaml': 'http: { port: 9000, token: from-config-file-123 }' });
    expect(await resolveApiEndpoint({ env: { PORTIER_API: 'http://door.local:81/', PORTIER_TOKEN: 'tok' }, configPath: '/c.yaml', readText })).toEqual({
      baseUrl: 'http://door.local:81',
      token: 'tok',
    });
    await expect(resolveApiEndpoint({ env: { PORTIER_API: 'not a url' } })).rejects.toMatchObject({ code: 'PORTIER_ERR_API_ENDPOINT' });
  });

  it('reads only the http section, mapping wildcard binds to loopback', async () => {
    // The rest of this file would not validate (and its secrets are unreadable): it must not matter.
    const readText = files({
      '/a.yaml': 'sip: { accounts: [{ password: { file: /root/secret } }] }\nhttp: { bind: 0.0.0.0, port: 8181, token: inline-token-0123456 }',
      '/b.yaml': 'http: { bind: "::", port: 8282 }',
      '/c.yaml': 'http: { bind: "fd00::5" }',
    });
    expect(await resolveApiEndpoint({ env: {}, configPath: '/a.yaml', readText })).toEqual({ baseUrl: 'http://127.0.0.1:8181', token: 'inline-token-0123456' });
    expect(await resolveApiEndpoint({ env: {}, configPath: '/b.yaml', readText })).toEqual({ baseUrl: 'http://[::1]:8282' });
    expect(await resolveApiEndpoint({ env: {}, configPath: '/c.yaml', readText })).toEqual({ baseUrl: 'http://[fd00::5]:8080' });
  });

  it('resolves env and file token references, tolerating an unreadable file', async () => {
    const readText = files({
      '/env.yaml': 'http: { token: { env: API_TOKEN } }',
      '/file.yaml': 'http: { token: { file: /etc/portier/token } }',
      '/etc/portier/token': '  file-token-abcdefgh\n',
      '/gone.yaml': 'http: { token: { file: /nowhere } }',
    });
    expect((await resolveApiEndpoint({ env: { API_TOKEN: 'env-token' }, configPath: '/env.yaml', readText })).token).toBe('env-token');
    expect((await resolveApiEndpoint({ env: {}, configPath: '/file.yaml', readText })).token).toBe('file-token-abcdefgh');
    expect((await resolveApiEndpoint({ env: {}, configPath: '/gone.yaml', readText })).token).toBeUndefined();
  });

  it('fails clearly when the API is disabled or the file cannot be read', async () => {
    const readText = files({ '/off.yaml': 'http: { enabled: false }' });
    await expect(resolveApiEndpoint({ env: {}, configPath: '/off.yaml', readText })).rejects.toThrow(/disabled/);
    await expect(resolveApiEndpoint({ env: {}, configPath: '/missing.yaml', readText })).rejects.toThrow(/ENOENT.*PORTIER_API/);
  });
});
