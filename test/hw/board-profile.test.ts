import { describe, expect, it } from 'vitest';
import { BoardProfileError, loadBoardProfile, parseBoardProfile } from '../../src/hw/board-profile.js';

const files = (map: Record<string, string>) => (path: string) => {
  const text = map[path];
  if (text === undefined) throw Object.assign(new Error(`ENOENT ${path}`), { code: 'ENOENT' });
  return text;
};

function errorOf(fn: () => unknown): BoardProfileError {
  try {
    fn();
  } catch (error) {
    expect(error).toBeInstanceOf(BoardProfileError);
    return error as BoardProfileError;
  }
  throw new Error('expected a BoardProfileError');
}

describe('board profiles shipped in hw/boards', () => {
  it('loads the generic Raspberry Pi profile into typed pin specs', () => {
    const p = loadBoardProfile('raspberry-pi-generic');
    expect(p.inputs.button1).toEqual({ name: 'button1', line: 17, activeLow: true, pull: 'up', debounceMs: 30 });
    expect(p.inputs.door_contact).toMatchObject({ line: 24, activeLow: false, pull: 'up' });
    expect(p.outputs.door_relay).toEqual({ name: 'door_relay', line: 16, activeLow: false });
    // No line in the I2S range, so a sound HAT still fits.
    const lines = [...Object.values(p.inputs), ...Object.values(p.outputs)].map((s) => s.line);
    expect(lines.filter((l) => l >= 18 && l <= 21)).toEqual([]);
  });

  it('loads the Waveshare relay board over the generic profile with active-low relays on 26/20/21', () => {
    const p = loadBoardProfile('waveshare-rpi-relay-board');
    expect(p.outputs).toMatchObject({
      door_relay: { line: 26, activeLow: true },
      chime: { line: 20, activeLow: true },
      aux_relay: { line: 21, activeLow: true },
    });
    expect(p.outputs.status_led).toMatchObject({ line: 12 });
    expect(p.inputs.button1).toMatchObject({ line: 17 });
    expect(p.sources.map((s) => s.split('/').at(-1))).toEqual(['waveshare-rpi-relay-board.yaml', 'raspberry-pi-generic.yaml']);
  });
});

describe('loadBoardProfile / parseBoardProfile', () => {
  it('applies defaults: inactive-high, no pull, 30 ms debounce', () => {
    const p = parseBoardProfile('name: t\ninputs:\n  tamper: { line: 5 }\n');
    expect(p.inputs.tamper).toEqual({ name: 'tamper', line: 5, activeLow: false, pull: 'none', debounceMs: 30 });
  });

  it('lets a child drop an inherited pin with null', () => {
    const read = files({
      '/b/base.yaml': 'name: base\noutputs:\n  chime: { line: 13 }\n  door_relay: { line: 16 }\n',
      '/b/child.yaml': 'name: child\nextends: base\noutputs:\n  chime: null\n',
    });
    const p = loadBoardProfile('child', { boardsDir: '/b', readFile: read });
    expect(Object.keys(p.outputs)).toEqual(['door_relay']);
    expect(p.name).toBe('child');
  });

  it.each([
    ['name: t\ninputs:\n  buton1: { line: 17 }\n', /inputs\.buton1: unknown input name/],
    ['name: t\noutputs:\n  door_relay: { line: 40 }\n', /door_relay\.line: must be a BCM GPIO number 0-27 \(not a header pin number\)/],
    ['name: t\ninputs:\n  button1: { line: 17, pull: sideways }\n', /button1\.pull: must be up, down or none/],
    ['name: t\ninputs:\n  button1: { line: 17, activeLow: yes }\n', /button1\.activeLow: must be true or false/],
    ['name: t\ninputs:\n  button1: { line: 17, debounce: 30 }\n', /unknown field 'debounce'/],
    ['name: t\ninputs:\n  button1: { line: 17 }\noutputs:\n  chime: { line: 17 }\n', /GPIO17 is mapped to both button1 and chime/],
    ['name: t\ninputs: [1, 2]\n', /'inputs' must be a mapping/],
    ['name: t\ninputs:\n  button1: { line: 17\n', /invalid YAML/],
    ['inputs: {}\n', /'name' must be a non-empty string/],
    ['name: t\npins: {}\n', /unknown key 'pins'/],
  ])('rejects %j with a message naming the problem', (text, message) => {
    const e = errorOf(() => parseBoardProfile(text, 'test.yaml'));
    expect(e.code).toBe('PORTIER_ERR_BOARD_PROFILE');
    expect(e.message).toMatch(message);
    expect(e.message).toMatch(/^test\.yaml/);
  });

  it('reports a missing profile and an extends loop', () => {
    expect(errorOf(() => loadBoardProfile('nope', { boardsDir: '/b', readFile: files({}) })).message).toMatch(
      /board profile 'nope' not found/,
    );
    const read = files({ '/b/a.yaml': 'name: a\nextends: b\n', '/b/b.yaml': 'name: b\nextends: a\n' });
    expect(errorOf(() => loadBoardProfile('a', { boardsDir: '/b', readFile: read })).message).toMatch(/loops back/);
  });
});
