import type { HardwareConfig, PinOverride } from '../config/portier-config.js';
import { type BoardProfile, loadBoardProfile } from '../hw/board-profile.js';
import { DEFAULT_DEBOUNCE_MS, type InputSpec, type OutputSpec } from '../hw/gpio/digital-io.js';
import { PortierError } from '../util/portier-error.js';

/** A logical pin name used by the configuration could not be mapped to a GPIO line. */
export class PinMapError extends PortierError {
  constructor(message: string) {
    super('PORTIER_ERR_PIN_MAP', message);
  }
}

/** Logical names the configuration may use, and the board-profile name they stand for. */
const PROFILE_ALIASES: Array<[RegExp, (m: RegExpExecArray) => string]> = [
  [/^bell(\d+)$/, (m) => `button${m[1]}`],
  [/^relay1$/, () => 'door_relay'],
  [/^relay2$/, () => 'aux_relay'],
  [/^(led1|status)$/, () => 'status_led'],
  [/^contact1$/, () => 'door_contact'],
  [/^tamper1$/, () => 'tamper'],
  [/^exit1$/, () => 'exit_button'],
];

/** Board name meaning "no profile file: every line is assigned in process" (simulation). */
export const SIM_BOARD = 'sim';

/** Lines of the 40-pin header the simulated board hands out, in order. */
const SIM_LINES = Array.from({ length: 28 }, (_, i) => i);

/** The pins of one station: logical name → spec, for the names asked for. */
export interface PinMap {
  inputs: Map<string, InputSpec>;
  outputs: Map<string, OutputSpec>;
}

/** Which logical names the station needs; `optional` ones are left out when the board has no such pin. */
export interface PinRequest {
  inputs: string[];
  outputs: string[];
  optionalInputs?: string[];
  optionalOutputs?: string[];
}

/**
 * Maps the configuration's logical pin names onto GPIO lines: `hardware.pins`
 * overrides first, then the board profile (by the same name or its profile alias,
 * `bell1` → `button1`, `relay1` → `door_relay`, …). On the simulated driver a
 * name neither knows gets a free line, so the simulation needs no wiring at all.
 */
export function resolvePinMap(hardware: HardwareConfig, request: PinRequest, loadProfile = loadBoardProfile): PinMap {
  const profile: BoardProfile | undefined = hardware.board === SIM_BOARD ? undefined : loadProfile(hardware.board);
  const sim = hardware.driver === 'sim';
  const used = new Map<number, string>();
  const map: PinMap = { inputs: new Map(), outputs: new Map() };
  const pending: Array<{ name: string; kind: 'input' | 'output' }> = [];

  const claim = (name: string, line: number) => {
    const other = used.get(line);
    if (other !== undefined && other !== name) throw new PinMapError(`GPIO${line} is used by both ${other} and ${name}; set hardware.pins.${name}.line to a free line`);
    used.set(line, name);
  };
  const visit = (name: string, kind: 'input' | 'output', optional: boolean) => {
    if (map.inputs.has(name) || map.outputs.has(name)) return;
    const fromProfile = profileEntry(profile, kind, name);
    const override = hardware.pins[name];
    const spec = kind === 'input' ? inputSpec(name, fromProfile as InputSpec | undefined, override) : outputSpec(name, fromProfile as OutputSpec | undefined, override);
    if (spec) {
      claim(name, spec.line);
      if (kind === 'input') map.inputs.set(name, spec as InputSpec);
      else map.outputs.set(name, spec);
    } else if (sim) {
      pending.push({ name, kind });
    } else if (!optional) {
      const where = profile ? `board profile ${profile.name}` : `board ${hardware.board}`;
      throw new PinMapError(`${kind} '${name}' is not in the ${where}; add hardware.pins.${name}.line (a BCM GPIO number)`);
    }
  };
  for (const name of request.inputs) visit(name, 'input', false);
  for (const name of request.outputs) visit(name, 'output', false);
  for (const name of request.optionalInputs ?? []) visit(name, 'input', true);
  for (const name of request.optionalOutputs ?? []) visit(name, 'output', true);

  // Simulated pins are active-low with pull-ups, so the driver's idle level (1) reads inactive.
  for (const { name, kind } of pending) {
    const line = SIM_LINES.find((l) => !used.has(l));
    if (line === undefined) throw new PinMapError(`no free simulated GPIO line for ${name}`);
    claim(name, line);
    if (kind === 'input') map.inputs.set(name, { name, line, activeLow: true, pull: 'up', debounceMs: DEFAULT_DEBOUNCE_MS });
    else map.outputs.set(name, { name, line, activeLow: false });
  }
  return map;
}

function profileEntry(profile: BoardProfile | undefined, kind: 'input' | 'output', name: string): InputSpec | OutputSpec | undefined {
  if (!profile) return undefined;
  const table: Record<string, InputSpec | OutputSpec> = kind === 'input' ? profile.inputs : profile.outputs;
  if (table[name]) return table[name];
  for (const [pattern, alias] of PROFILE_ALIASES) {
    const m = pattern.exec(name);
    if (m && table[alias(m)]) return table[alias(m)];
  }
  return undefined;
}

function inputSpec(name: string, base: InputSpec | undefined, o: PinOverride | undefined): InputSpec | undefined {
  const line = o?.line ?? base?.line;
  if (line === undefined) return undefined;
  return {
    name,
    line,
    activeLow: o?.activeLow ?? base?.activeLow ?? false,
    pull: o?.pull ?? base?.pull ?? 'none',
    debounceMs: o?.debounceMs ?? base?.debounceMs ?? DEFAULT_DEBOUNCE_MS,
  };
}

function outputSpec(name: string, base: OutputSpec | undefined, o: PinOverride | undefined): OutputSpec | undefined {
  const line = o?.line ?? base?.line;
  if (line === undefined) return undefined;
  return { name, line, activeLow: o?.activeLow ?? base?.activeLow ?? false };
}
