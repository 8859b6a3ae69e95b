import { existsSync, readFileSync } from 'node:fs';
import { dirname, isAbsolute, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseDocument } from 'yaml';
import { PortierError } from '../util/portier-error.js';
import { DEFAULT_DEBOUNCE_MS, type InputSpec, type OutputSpec, type Pull } from './gpio/digital-io.js';

/** Logical input names a profile may map (plus `button1`, `button2`…). */
export const INPUT_NAMES = ['exit_button', 'door_contact', 'tamper'] as const;
/** Logical output names a profile may map. */
export const OUTPUT_NAMES = ['door_relay', 'aux_relay', 'status_led', 'chime'] as const;

const BUTTON = /^button[1-9]\d*$/;
/** The 40-pin header exposes BCM GPIO 0-27 on every Pi since the B+. */
const MAX_HEADER_LINE = 27;

/** A board profile: logical pin names mapped to typed pin specs. */
export interface BoardProfile {
  name: string;
  description?: string;
  inputs: Record<string, InputSpec>;
  outputs: Record<string, OutputSpec>;
  /** Files read, child first (for messages). */
  sources: string[];
}

/** A profile that cannot be used; the message names the file, the key and the fix. */
export class BoardProfileError extends PortierError {
  constructor(message: string, options?: { cause?: unknown }) {
    super('PORTIER_ERR_BOARD_PROFILE', message, options);
  }
}

/** Reads a file's text; injectable for tests. */
export type ProfileFileReader = (path: string) => string;

/** Options of {@link loadBoardProfile}. */
export interface LoadBoardProfileOptions {
  /** Where bare names (`raspberry-pi-generic`) and `extends:` are looked up; default the repo's `hw/boards`. */
  boardsDir?: string;
  readFile?: ProfileFileReader;
}

/** The installation's `hw/boards` folder, found upwards from this module (src/hw, dist/src/hw, or the dist/portier.mjs bundle). */
export function defaultBoardsDir(): string {
  let dir = dirname(fileURLToPath(import.meta.url));
  for (let i = 0; i < 4; i++) {
    const candidate = join(dir, 'hw', 'boards');
    if (existsSync(candidate)) return candidate;
    dir = resolve(dir, '..');
  }
  return resolve(dirname(fileURLToPath(import.meta.url)), '..', '..', 'hw', 'boards');
}

/**
 * Loads a board profile by name (`waveshare-rpi-relay-board`) or path, follows
 * `extends:` (child entries override the parent's, `null` removes one), and
 * validates it into InputSpec/OutputSpec maps.
 */
export function loadBoardProfile(nameOrPath: string, options: LoadBoardProfileOptions = {}): BoardProfile {
  const boardsDir = options.boardsDir ?? defaultBoardsDir();
  const readFile = options.readFile ?? ((p: string) => readFileSync(p, 'utf8'));
  const chain: RawProfile[] = [];
  let next: string | undefined = nameOrPath;
  // The first name is relative to the working directory (paths) or boardsDir (bare names);
  // an `extends:` is relative to the file that names it.
  let relDir = process.cwd();
  let namesDir = boardsDir;
  while (next !== undefined) {
    const path = profilePath(next, relDir, namesDir);
    if (chain.some((p) => p.source === path)) {
      throw new BoardProfileError(`board profile ${path}: 'extends' loops back (${chain.map((p) => p.source).join(' -> ')})`);
    }
    let text: string;
    try {
      text = readFile(path);
    } catch (error) {
      throw new BoardProfileError(`board profile '${next}' not found (${path}); profiles live in ${boardsDir}`, { cause: error });
    }
    const raw = parseRaw(text, path);
    chain.push(raw);
    next = raw.extends;
    relDir = namesDir = dirname(path);
  }
  return merge(chain);
}

/** Parses one profile's YAML text (no `extends:` resolution) into a validated profile. */
export function parseBoardProfile(text: string, source = '<text>'): BoardProfile {
  const raw = parseRaw(text, source);
  if (raw.extends !== undefined) throw new BoardProfileError(`${source}: 'extends' needs loadBoardProfile()`);
  return merge([raw]);
}

interface RawProfile {
  source: string;
  name: string;
  description?: string;
  extends?: string;
  inputs: Record<string, InputSpec | null>;
  outputs: Record<string, OutputSpec | null>;
}

const TOP_KEYS = new Set(['name', 'description', 'extends', 'boards', 'inputs', 'outputs']);

function parseRaw(text: string, source: string): RawProfile {
  const doc = parseDocument(text, { prettyErrors: true, uniqueKeys: true });
  if (doc.errors.length > 0) {
    throw new BoardProfileError(`${source}: invalid YAML: ${doc.errors[0]!.message}`, { cause: doc.errors[0] });
  }
  const data: unknown = doc.toJS();
  if (!isRecord(data)) throw new BoardProfileError(`${source}: a board profile is a YAML mapping with name, inputs and outputs`);
  for (const key of Object.keys(data)) {
    if (!TOP_KEYS.has(key)) throw new BoardProfileError(`${source}: unknown key '${key}' (allowed: ${[...TOP_KEYS].join(', ')})`);
  }
  if (typeof data.name !== 'string' || data.name === '') throw new BoardProfileError(`${source}: 'name' must be a non-empty string`);
  if (data.extends !== undefined && typeof data.extends !== 'string') throw new BoardProfileError(`${source}: 'extends' must be a profile name`);
  const raw: RawProfile = {
    source,
    name: data.name,
    inputs: section(data.inputs, 'inputs', source, (name, v, at) => inputSpec(name, v, at)),
    outputs: section(data.outputs, 'outputs', source, (name, v, at) => outputSpec(name, v, at)),
  };
  if (typeof data.description === 'string') raw.description = data.description;
  if (typeof data.extends === 'string') raw.extends = data.extends;
  return raw;
}

function section<T>(
  value: unknown,
  key: 'inputs' | 'outputs',
  source: string,
  parse: (name: string, v: Record<string, unknown>, at: string) => T,
): Record<string, T | null> {
  if (value === undefined || value === null) return {};
  if (!isRecord(value)) throw new BoardProfileError(`${source}: '${key}' must be a mapping of logical name -> pin`);
  const out: Record<string, T | null> = {};
  const known = key === 'inputs' ? ['button1, button2, …', ...INPUT_NAMES] : [...OUTPUT_NAMES];
  for (const [name, v] of Object.entries(value)) {
    const at = `${source}: ${key}.${name}`;
    const ok = key === 'inputs' ? BUTTON.test(name) || (INPUT_NAMES as readonly string[]).includes(name) : (OUTPUT_NAMES as readonly string[]).includes(name);
    if (!ok) throw new BoardProfileError(`${at}: unknown ${key === 'inputs' ? 'input' : 'output'} name (known: ${known.join(', ')})`);
    if (v === null) {
      out[name] = null;
      continue;
    }
    if (!isRecord(v)) throw new BoardProfileError(`${at}: expected a mapping like { line: 17, activeLow: true }`);
    out[name] = parse(name, v, at);
  }
  return out;
}

function inputSpec(name: string, v: Record<string, unknown>, at: string): InputSpec {
  onlyKeys(v, ['line', 'activeLow', 'pull', 'debounceMs'], at);
  const pull = v.pull ?? 'none';
  if (pull !== 'up' && pull !== 'down' && pull !== 'none') throw new BoardProfileError(`${at}.pull: must be up, down or none, got ${String(pull)}`);
  const debounceMs = v.debounceMs ?? DEFAULT_DEBOUNCE_MS;
  if (typeof debounceMs !== 'number' || !Number.isFinite(debounceMs) || debounceMs < 0 || debounceMs > 10_000) {
    throw new BoardProfileError(`${at}.debounceMs: must be a number of milliseconds 0-10000, got ${String(debounceMs)}`);
  }
  return { name, line: line(v.line, at), activeLow: bool(v.activeLow, `${at}.activeLow`), pull: pull as Pull, debounceMs };
}

function outputSpec(name: string, v: Record<string, unknown>, at: string): OutputSpec {
  onlyKeys(v, ['line', 'activeLow'], at);
  return { name, line: line(v.line, at), activeLow: bool(v.activeLow, `${at}.activeLow`) };
}

function line(v: unknown, at: string): number {
  if (typeof v !== 'number' || !Number.isInteger(v) || v < 0 || v > MAX_HEADER_LINE) {
    throw new BoardProfileError(`${at}.line: must be a BCM GPIO number 0-${MAX_HEADER_LINE} (not a header pin number), got ${String(v)}`);
  }
  return v;
}

function bool(v: unknown, at: string): boolean {
  if (v === undefined) return false;
  if (typeof v !== 'boolean') throw new BoardProfileError(`${at}: must be true or false, got ${String(v)}`);
  return v;
}

function onlyKeys(v: Record<string, unknown>, allowed: string[], at: string): void {
  for (const k of Object.keys(v)) {
    if (!allowed.includes(k)) throw new BoardProfileError(`${at}: unknown field '${k}' (allowed: ${allowed.join(', ')})`);
  }
}

function merge(chain: RawProfile[]): BoardProfile {
  // Parent first, so each child overrides what it names.
  const inputs: Record<string, InputSpec> = {};
  const outputs: Record<string, OutputSpec> = {};
  for (const raw of [...chain].reverse()) {
    for (const [k, v] of Object.entries(raw.inputs)) v === null ? delete inputs[k] : (inputs[k] = v);
    for (const [k, v] of Object.entries(raw.outputs)) v === null ? delete outputs[k] : (outputs[k] = v);
  }
  const child = chain[0]!;
  const owners = new Map<number, string>();
  for (const spec of [...Object.values(inputs), ...Object.values(outputs)]) {
    const other = owners.get(spec.line);
    if (other) {
      throw new BoardProfileError(
        `${child.source}: GPIO${spec.line} is mapped to both ${other} and ${spec.name}; give one of them another line (or null to drop it)`,
      );
    }
    owners.set(spec.line, spec.name!);
  }
  const profile: BoardProfile = { name: child.name, inputs, outputs, sources: chain.map((c) => c.source) };
  if (child.description !== undefined) profile.description = child.description;
  return profile;
}

function profilePath(nameOrPath: string, relDir: string, namesDir: string): string {
  if (isAbsolute(nameOrPath)) return nameOrPath;
  if (/[\\/]/.test(nameOrPath) || nameOrPath.endsWith('.yaml')) return resolve(relDir, nameOrPath);
  return join(namesDir, `${nameOrPath}.yaml`);
}

function isRecord(v: unknown): v is Record<string, unknown> {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}
