import { mkdtempSync, readFileSync, rmSync, writeFileSync, chmodSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { ConfigError } from '../../src/config/config-error.js';
import { DEFAULT_CONFIG } from '../../src/config/default-config.js';
import { loadConfig, parseConfigText } from '../../src/config/load-config.js';

const dir = mkdtempSync(join(tmpdir(), 'portier-config-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

/** The ConfigError thrown for `text`, or a failure when none is thrown. */
function errorFor(text: string, env: Record<string, string> = {}): ConfigError {
  try {
    parseConfigText(text, 'config.yaml', { env });
  } catch (error) {
    expect(error).toBeInstanceOf(ConfigError);
    return error as ConfigError;
  }
  throw new Error('expected a ConfigError');
}

const account = (extra: string): string =>
  `sip:\n  accounts:\n    - registrar: sip:pbx.example.org\n      username: door\n${extra}`;

describe('parseConfigText errors', () => {
  it('names path, found value, expected enum and line:column for a bad enum', () => {
    const e = errorFor(account('      transport: udpp\n'));
    expect(e.code).toBe('PORTIER_ERR_CONFIG');
    expect(e.issues).toEqual([
      { path: 'sip.accounts[0].transport', message: 'found "udpp", expected one of udp, tcp, tls', line: 5, column: 18 },
    ]);
    expect(e.message).toContain('config.yaml:5:18 sip.accounts[0].transport: found "udpp", expected one of udp, tcp, tls');
  });

  it('reports a wrong type', () => {
    const e = errorFor('http:\n  port: eighty\n');
    expect(e.issues).toEqual([{ path: 'http.port', message: 'found "eighty", expected an integer from 1 to 65535', line: 2, column: 9 }]);
  });

  it('reports a value out of range', () => {
    const e = errorFor(account('      registrationExpires: 30\n'));
    expect(e.issues[0]).toMatchObject({
      path: 'sip.accounts[0].registrationExpires',
      message: 'found 30, expected an integer from 60 to 86400',
      line: 5,
      column: 28,
    });
  });

  it('reports a pattern mismatch', () => {
    const e = errorFor('sip:\n  accounts:\n    - registrar: http://pbx\n      username: door\n');
    expect(e.issues[0]).toMatchObject({
      path: 'sip.accounts[0].registrar',
      message: 'found "http://pbx", expected a SIP URI (sip:… or sips:…)',
      line: 3,
      column: 18,
    });
  });

  it('points at an unknown key and suggests the closest one', () => {
    const e = errorFor('sip:\n  acounts: []\nlogging:\n  levle: debug\n  colour: true\n');
    expect(e.issues).toEqual([
      { path: 'sip.acounts', message: 'unknown key, did you mean "accounts"?', line: 2, column: 3 },
      { path: 'logging.levle', message: 'unknown key, did you mean "level"?', line: 4, column: 3 },
      { path: 'logging.colour', message: 'unknown key', line: 5, column: 3 },
    ]);
  });

  it('reports a missing required key at its parent mapping', () => {
    const e = errorFor('sip:\n  accounts:\n    - username: door\n');
    expect(e.issues).toEqual([
      { path: 'sip.accounts[0].registrar', message: 'missing, expected a SIP URI (sip:… or sips:…)', line: 3, column: 7 },
    ]);
  });

  it('reports an unreadable secret file with key and file path', () => {
    const missing = join(dir, 'no-such-password');
    const e = errorFor(account(`      password: { file: ${missing} }\n`));
    expect(e.issues).toEqual([
      { path: 'sip.accounts[0].password', message: `cannot read secret file ${JSON.stringify(missing)} (ENOENT)`, line: 5, column: 17 },
    ]);
  });

  it('reports an unset environment variable', () => {
    const e = errorFor('http:\n  token: { env: PORTIER_TEST_TOKEN }\n');
    expect(e.issues).toEqual([
      { path: 'http.token', message: 'environment variable PORTIER_TEST_TOKEN is not set', line: 2, column: 10 },
    ]);
  });

  it('reports a malformed secret reference', () => {
    const e = errorFor('http:\n  token: { path: /x }\n');
    expect(e.issues[0]?.message).toBe('found a mapping with keys path, expected at least 16 characters, { file: path } or { env: NAME }');
  });

  it('gives line and column of a YAML syntax error', () => {
    const e = errorFor('sip:\n  accounts: [\n  x: 1\n');
    expect(e.issues.length).toBeGreaterThan(0);
    expect(e.issues[0]).toMatchObject({ path: '', line: 3, column: 3 });
    expect(e.issues[0]?.message).toMatch(/^YAML syntax error: /);
  });

  it('reports duplicate keys as YAML errors', () => {
    const e = errorFor('logging:\n  level: info\nlogging:\n  level: debug\n');
    expect(e.issues[0]).toMatchObject({ line: 3, column: 1 });
    expect(e.issues[0]?.message).toMatch(/unique/);
  });

  it('lists every problem, one per line, in file order', () => {
    const e = errorFor('http:\n  port: 0\nlogging:\n  level: loud\ntimers:\n  t1Ms: 1.5\n');
    expect(e.message.split('\n')).toEqual([
      'invalid configuration (3 problems):',
      'config.yaml:2:9 http.port: found 0, expected an integer from 1 to 65535',
      'config.yaml:4:10 logging.level: found "loud", expected one of debug, info, warn, error',
      'config.yaml:6:9 timers.t1Ms: found 1.5, expected an integer from 50 to 10000',
    ]);
  });

  it('reports cross-reference errors with a suggestion', () => {
    const e = errorFor('doors:\n  relays: [{ name: front, output: relay1 }]\n  codes:\n    - { code: "1234", relay: frnt }\n');
    expect(e.issues).toEqual([
      {
        path: 'doors.codes[0].relay',
        message: 'found "frnt", expected one of doors.relays[].name: front (did you mean "front"?)',
        line: 4,
        column: 30,
      },
    ]);
  });

  it('requires an API token when the HTTP API is not on loopback', () => {
    expect(errorFor('http:\n  bind: 0.0.0.0\n').issues[0]?.path).toBe('http.token');
    expect(parseConfigText('http:\n  bind: ::1\n').http.bind).toBe('::1');
    expect(parseConfigText('http:\n  bind: 0.0.0.0\n  token: 0123456789abcdef0\n').http.token).toBe('0123456789abcdef0');
  });

  it('rejects a button calling from an unknown account', () => {
    const e = errorFor('buttons:\n  - input: bell1\n    account: flat\n    targets: ["101"]\n');
    expect(e.issues[0]).toMatchObject({ path: 'buttons[0].account', line: 3, column: 14 });
  });
});

describe('secrets', () => {
  it('reads a secret file trimmed and an environment variable', () => {
    const file = join(dir, 'password');
    writeFileSync(file, '  s3cret\n\n');
    const config = parseConfigText(
      `${account(`      password: { file: ${file} }\n`)}http:\n  token: { env: TOKEN }\n`,
      'c.yaml',
      { env: { TOKEN: 'abcdefghijklmnopq' } },
    );
    expect(config.sip.accounts[0]?.password).toBe('s3cret');
    expect(config.http.token).toBe('abcdefghijklmnopq');
  });

  it('keeps the leading zero of an unquoted door code', () => {
    const config = parseConfigText('doors:\n  codes:\n    - { code: 0123, relay: door }\n    - { code: { env: C }, relay: door }\n', 'c.yaml', {
      env: { C: '987654' },
    });
    expect(config.doors.codes.map((c) => c.code)).toEqual(['0123', '987654']);
  });

  it('keeps numeric user names and extensions as written', () => {
    const config = parseConfigText('sip:\n  accounts:\n    - { registrar: "sip:pbx", username: 0042 }\nbuttons:\n  - { input: bell1, targets: [101, { uri: 102, ringSeconds: 5 }] }\n');
    expect(config.sip.accounts[0]?.username).toBe('0042');
    expect(config.buttons[0]?.targets).toEqual([
      { uri: '101', ringSeconds: 30 },
      { uri: '102', ringSeconds: 5 },
    ]);
  });

  it('never puts a door code, password or token into an error message', () => {
    const code = '9876543210987654321'; // too long: rejected
    const e = errorFor(
      `sip:\n  accounts:\n    - { registrar: "sip:pbx", username: u, password: "" }\ndoors:\n  codes:\n    - { code: "${code}", relay: door }\n    - { code: "55a5", relay: door }\n    - { code: "4711", relay: door }\n    - { code: "4711", relay: nope }\n  codeEntry:\n    terminator: length\nhttp:\n  token: shorttoken\n`,
    );
    expect(e.issues.length).toBeGreaterThanOrEqual(3);
    for (const secret of [code, '55a5', 'shorttoken']) expect(e.message).not.toContain(secret);
    expect(e.message).toContain('doors.codes[0].code: found a value (hidden), expected 1 to 16 digits');
    expect(e.message).toContain('http.token: found a value (hidden), expected at least 16 characters');
  });

  it('does not leak codes from cross-checks either', () => {
    const e = errorFor('doors:\n  codes:\n    - { code: "4711", relay: door }\n    - { code: "4711", relay: door }\n    - { code: "12345", relay: door }\n  codeEntry: { terminator: length }\n');
    expect(e.issues.map((i) => i.path)).toEqual(['doors.codes[1].code', 'doors.codes[2].code']);
    expect(e.message).not.toMatch(/4711|12345/);
    expect(e.message).not.toMatch(/\b[45]\b digits/);
  });

  it('does not echo the source excerpt of a YAML syntax error (it could show a code)', () => {
    const e = errorFor('doors:\n  codes:\n    - { code: "4711", relay: door \n');
    expect(e.message).not.toContain('4711');
  });
});

describe('loadConfig', () => {
  it('gives the default simulation for an empty file', async () => {
    const file = join(dir, 'empty.yaml');
    writeFileSync(file, '');
    await expect(loadConfig(file)).resolves.toEqual(DEFAULT_CONFIG);
  });

  it('gives the defaults for a missing optional file and an error otherwise', async () => {
    const file = join(dir, 'absent.yaml');
    await expect(loadConfig(file, { optional: true })).resolves.toEqual(DEFAULT_CONFIG);
    const error = await loadConfig(file).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(ConfigError);
    expect((error as ConfigError).message).toContain(`${file} cannot read the configuration file (ENOENT)`);
  });

  it('names the file in messages', async () => {
    const file = join(dir, 'bad.yaml');
    writeFileSync(file, 'logging:\n  level: loud\n');
    await expect(loadConfig(file)).rejects.toThrow(`${file}:2:10 logging.level: found "loud"`);
  });

  it.skipIf(process.getuid?.() === 0)('reports an unreadable file', async () => {
    const file = join(dir, 'locked.yaml');
    writeFileSync(file, '');
    chmodSync(file, 0);
    await expect(loadConfig(file)).rejects.toThrow('EACCES');
  });

  it('loads the commented example and it passes validation', async () => {
    const example = new URL('../../src/config/config.example.yaml', import.meta.url).pathname;
    expect(readFileSync(example, 'utf8')).toMatch(/^# Portier configuration example/);
    const secrets: Record<string, string> = { '/etc/portier/sip-password': 'pw\n', '/etc/portier/gate-code': '2468\n' };
    const config = await loadConfig(example, {
      env: { PORTIER_FRONT_CODE: '13579' },
      readSecretFile: (p) => {
        const s = secrets[p];
        if (s === undefined) throw Object.assign(new Error('absent'), { code: 'ENOENT' });
        return s;
      },
    });
    expect(config.sip.accounts[0]).toMatchObject({ id: 'door', username: '2001', password: 'pw', codecs: ['pcma', 'pcmu'] });
    expect(config.doors.codes).toEqual([
      { code: '13579', relay: 'front' },
      { code: '0815', relay: 'front' },
      { code: '2468', relay: 'gate' },
    ]);
    expect(config.hardware.pins.bell1).toEqual({ line: 17, activeLow: true, pull: 'up', debounceMs: 30 });
    expect(config.buttons[0]?.targets[1]).toEqual({ uri: '201', ringSeconds: 20 });
    expect(config.doors.relays[1]).toEqual({ name: 'gate', output: 'relay2', pulseMs: 3000, hold: true });
  });
});
