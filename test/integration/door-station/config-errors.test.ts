import { existsSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { killAllCli, startCli } from './cli-process.js';

/** One file per stage of validation: YAML syntax, the schema (every kind of value error), and cross-key rules. */
const FILES: Record<string, { text: string; expected: string[] }> = {
  syntax: {
    text: 'sip:\n  accounts:\n    - id: door\n      id: again\n  listen: [\n',
    expected: [':4:7 YAML syntax error: Map keys must be unique', ':6:1 YAML syntax error: Flow sequence in block collection must be sufficiently indented'],
  },
  schema: {
    text: `sip:
  accounts:
    - id: door
      registrar: pbx.example.org
      username: door
      transport: carrier-pigeon
      registrationExpires: 5
      codecs: []
      ptime: twenty
      passwrd: x
    - { id: side, codecs: [pcmu, pcma, pcmu] }
  listen:
    - { transport: udp, address: not-an-ip, port: 5060 }
audio: loud
hardware:
  longPressMs: 1.5
  pins:
    "9bad": { line: 3 }
buttons:
  - targets: [sip:flat@pbx]
  - input: bell2
    targets:
      -
doors:
  relays:
    - { name: front, output: relay1, hold: "yes" }
  codes:
    - { code: "12ab", relay: front }
    - { code: { file: /nonexistent/portier-code }, relay: front }
    - { code: { env: PORTIER_TEST_UNSET_CODE }, relay: front }
    - { code: { path: x }, relay: front }
incoming:
  allow: [""]
`,
    expected: [
      ':4:18 sip.accounts[0].registrar: found "pbx.example.org", expected a SIP URI (sip:… or sips:…)', // pattern
      ':6:18 sip.accounts[0].transport: found "carrier-pigeon", expected one of udp, tcp, tls', // enum
      ':7:28 sip.accounts[0].registrationExpires: found 5, expected an integer from 60 to 86400', // range
      ':8:15 sip.accounts[0].codecs: found 0 item(s), expected at least 1', // too few items
      ':9:14 sip.accounts[0].ptime: found "twenty", expected one of 10, 20, 30, 40', // wrong type in an enum
      ':10:7 sip.accounts[0].passwrd: unknown key, did you mean "password"?', // unknown key
      'sip.accounts[1].registrar: missing, expected a SIP URI', // required
      'sip.accounts[1].codecs: found 3 items, expected at most 2', // too many items
      ':13:34 sip.listen[0].address: found "not-an-ip", expected an IP address', // test
      ':14:8 audio: found "loud", expected', // a scalar for a mapping
      ':16:16 hardware.longPressMs: found 1.5, expected an integer', // not an integer
      ':18:5 hardware.pins["9bad"]: found key "9bad", expected a logical pin name', // map key
      ':20:5 buttons[0].input: missing, expected a name of letters, digits, - and _',
      ':23:8 buttons[1].targets[0]: found an empty item, expected', // empty list item
      ':26:44 doors.relays[0].hold: found "yes", expected true or false', // boolean
      ':28:15 doors.codes[0].code: found a value (hidden), expected 1 to 16 digits', // a secret is never echoed
      ':29:15 doors.codes[1].code: cannot read secret file "/nonexistent/portier-code" (ENOENT)',
      ':30:15 doors.codes[2].code: environment variable PORTIER_TEST_UNSET_CODE is not set',
      ':31:15 doors.codes[3].code: found a mapping with keys path, expected 1 to 16 digits, { file: path } or { env: NAME }',
      ':33:11 incoming.allow[0]: found an empty string, expected a non-empty string',
    ],
  },
  cross: {
    text: `sip:
  accounts:
    - { id: door, registrar: "sip:pbx", username: door }
    - { id: door, registrar: "sip:pbx", username: door2 }
  listen:
    - { transport: tls, address: 127.0.0.1, port: 5061 }
timers: { t1Ms: 5000, t2Ms: 4000 }
audio: { driver: sim, sim: { source: file } }
buttons:
  - { input: bell1, account: frontdoor, targets: [flat], callLimitSeconds: 10, callLimitWarningSeconds: 10 }
doors:
  relays:
    - { name: front, output: relay1 }
    - { name: front, output: relay2 }
  codes:
    - { code: "1234", relay: frnt }
    - { code: "1234", relay: front }
    - { code: "123", relay: front }
  codeEntry: { terminator: length }
http: { bind: 0.0.0.0 }
`,
    expected: [
      ':2:3 sip.tls.cert: missing, expected a certificate file because sip.listen[0] is tls',
      ':2:3 sip.tls.key: missing, expected a key file because sip.listen[0] is tls',
      ':4:13 sip.accounts[1].id: found "door" again, expected a unique id (first used by sip.accounts[0])',
      ':7:17 timers.t1Ms: found 5000, expected at most timers.t2Ms (4000)',
      ':8:28 audio.sim.file: missing, expected a WAV file path because audio.sim.source is "file"',
      ':10:30 buttons[0].account: found "frontdoor", expected one of sip.accounts[].id: door',
      ':10:105 buttons[0].callLimitWarningSeconds: found 10, expected less than callLimitSeconds (10)',
      ':14:15 doors.relays[1].name: found "front" again, expected a unique relay name',
      ':16:30 doors.codes[0].relay: found "frnt", expected one of doors.relays[].name: front (did you mean "front"?)',
      ':17:15 doors.codes[1].code: the same code as doors.codes[0], expected each code once',
      ':18:15 doors.codes[2].code: a code of a different length than doors.codes[0], expected one length for all codes',
      ':20:7 http.token: missing, expected a token because http.bind (0.0.0.0) is not a loopback address',
    ],
  },
};

describe('configuration errors through portier check and portier run', () => {
  let dir: string;
  beforeAll(() => {
    dir = mkdtempSync(join(tmpdir(), 'portier-config-errors-'));
    for (const [name, f] of Object.entries(FILES)) writeFileSync(join(dir, `${name}.yaml`), f.text);
  });
  afterEach(() => killAllCli());
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  it.each(['check', 'run'])('%s refuses a logical pin the board cannot map, naming the fix (exit 78)', async (command) => {
    const file = join(dir, 'pins.yaml');
    writeFileSync(file, `hardware: { driver: onoff, board: raspberry-pi-generic }\nleds: { status: led1, call: led2 }\neventLog: { path: ${join(dir, 'pins-events.jsonl')} }\n`);
    const result = await startCli([command, '--config', file]).exit;
    expect(result.code).toBe(78);
    expect(result.stderr).toContain("invalid hardware configuration: output 'led2' is not in the board profile raspberry-pi-generic; add hardware.pins.led2.line");
    expect(result.stdout).toBe('');
    // Refused before anything was opened or written.
    expect(existsSync(join(dir, 'pins-events.jsonl'))).toBe(false);
  });

  for (const [name, f] of Object.entries(FILES)) {
    it.each(['check', 'run'])(`%s reports every ${name} problem with file:line:column, key path, value found and what was expected (exit 78)`, async (command) => {
      const file = join(dir, `${name}.yaml`);
      const result = await startCli([command, '--config', file]).exit;
      expect(result.code).toBe(78);
      expect(result.stderr).toMatch(/^invalid configuration \(\d+ problems\):/m);
      for (const line of f.expected) expect(result.stderr).toContain(line.startsWith(':') ? `${file}${line}` : line);
      // Nothing started: no registration, no "ready", nothing on stdout at all.
      expect(result.stdout).toBe('');
      expect(result.stderr).not.toMatch(/door station ready|registration (registered|registering|failed)/);
      // Door codes are never echoed.
      expect(result.stderr).not.toMatch(/12ab|1234/);
    });
  }
});
