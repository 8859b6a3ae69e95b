import type { PortierConfig } from '../config/portier-config.js';
import { silentLogger, type Logger } from '../log/logger.js';
import { createGpioDriver } from '../hw/gpio/create-gpio-driver.js';
import { type DigitalInput, type DigitalOutput, type GpioDriver, levelOf } from '../hw/gpio/digital-io.js';
import { SimGpioDriver } from '../hw/gpio/sim-gpio-driver.js';
import { ButtonInput } from '../hw/input/button-input.js';
import { RelayController, type RelayChangeReason } from '../hw/output/relay-controller.js';
import { TypedEmitter } from '../util/typed-emitter.js';
import { PinMapError, resolvePinMap, type PinMap, type PinRequest } from './pin-map.js';

/** Logical input of the request-to-exit button (the board profiles' name). */
export const EXIT_BUTTON_INPUT = 'exit_button';
/** Logical output of the optional chime. */
export const CHIME_OUTPUT = 'chime';

/** Events of the station's hardware, in logical names. */
export type StationHardwareEvents = {
  /** A debounced press of a button input (bells and the exit button). */
  press: [input: string, atMs: number];
  longPress: [input: string, atMs: number];
  /** Any input changed its debounced value (buttons, door contact, tamper). */
  input: [input: string, active: boolean];
  relay: [relay: string, energized: boolean, reason: RelayChangeReason];
};

/** Options of {@link StationHardware.open}. */
export interface StationHardwareOptions {
  logger?: Logger;
  /** A driver to use instead of creating the configured one (tests, benchmarks). */
  driver?: GpioDriver;
}

/** Which pins a configuration needs; throws PinMapError when one logical pin is given two roles. */
export function pinRequest(config: PortierConfig): PinRequest {
  checkPinRoles(config);
  const sim = config.hardware.driver === 'sim';
  const inputs = [...new Set(config.buttons.map((b) => b.input))];
  const outputs = [...new Set(config.doors.relays.map((r) => r.output))];
  for (const name of [config.doors.contact.input, config.tamper.input]) if (name !== undefined && !inputs.includes(name)) inputs.push(name);
  for (const name of Object.values(config.leds)) if (name !== undefined && !outputs.includes(name)) outputs.push(name);
  // The simulation always has an exit button and a chime to show; a real board has them when wired.
  const optionalInputs = inputs.includes(EXIT_BUTTON_INPUT) ? [] : [EXIT_BUTTON_INPUT];
  const optionalOutputs = outputs.includes(CHIME_OUTPUT) ? [] : [CHIME_OUTPUT];
  return sim ? { inputs: [...inputs, ...optionalInputs], outputs: [...outputs, ...optionalOutputs] } : { inputs, outputs, optionalInputs, optionalOutputs };
}

/**
 * Refuses a logical pin used for two roles where that would move a door relay or
 * open a door without anyone asking: a relay output shared with an LED (its blink
 * pattern would pulse the strike), the chime (a ring would) or another relay, and
 * an input shared between bells, the exit button, the door contact and tamper
 * (prying the cover off would open the door). Same-name typos are the case the pin
 * map cannot catch: it only sees two different names landing on one GPIO line.
 */
function checkPinRoles(config: PortierConfig): void {
  const outputs = new Map<string, string>();
  const claimOutput = (name: string | undefined, key: string) => {
    if (name === undefined) return;
    const other = outputs.get(name);
    if (other !== undefined) throw new PinMapError(`${key}: found "${name}", which is already ${other}; expected an output of its own`);
    outputs.set(name, key);
  };
  config.doors.relays.forEach((r, i) => claimOutput(r.output, `doors.relays[${i}].output`));
  const chimeHolder = outputs.get(CHIME_OUTPUT);
  if (chimeHolder !== undefined) {
    throw new PinMapError(`${chimeHolder}: found "${CHIME_OUTPUT}", the chime output pulsed on every ring; expected an output of its own`);
  }
  for (const role of ['status', 'call', 'door'] as const) {
    const name = config.leds[role];
    // LEDs may share a line with each other (only relays are claimed so far); never with a relay.
    if (name !== undefined && outputs.has(name)) claimOutput(name, `leds.${role}`);
  }

  const inputs = new Map<string, string>([[EXIT_BUTTON_INPUT, 'the exit button (opens the door)']]);
  const claimInput = (name: string | undefined, key: string) => {
    if (name === undefined) return;
    const other = inputs.get(name);
    if (other !== undefined) throw new PinMapError(`${key}: found "${name}", which is already ${other}; expected an input of its own`);
    inputs.set(name, key);
  };
  const bells = new Set<string>();
  config.buttons.forEach((b, i) => {
    // Two buttons on one input ring the same plan; that is no second role.
    if (!bells.has(b.input)) claimInput(b.input, `buttons[${i}].input`);
    bells.add(b.input);
  });
  claimInput(config.doors.contact.input, 'doors.contact.input');
  claimInput(config.tamper.input, 'tamper.input');
}

/**
 * The door station's GPIO: the driver, debounced inputs (buttons as press/long
 * press, contacts as levels), relay controllers and the other outputs, by logical
 * name. Every output starts de-energized, and `driveAllOutputsInactive()` is the
 * synchronous fail-safe for signal and crash paths.
 */
export class StationHardware extends TypedEmitter<StationHardwareEvents> {
  readonly relays = new Map<string, RelayController>();
  private readonly buttons = new Map<string, ButtonInput>();
  private readonly inputs = new Map<string, DigitalInput>();
  private readonly outputs = new Map<string, DigitalOutput>();
  private closed = false;

  private constructor(
    readonly driver: GpioDriver,
    readonly pins: PinMap,
    private readonly logger: Logger,
  ) {
    super();
  }

  /** Creates the configured driver, maps the pins and opens every line (outputs inactive). */
  static async open(config: PortierConfig, options: StationHardwareOptions = {}): Promise<StationHardware> {
    const logger = (options.logger ?? silentLogger).child({ component: 'hw' });
    const pins = resolvePinMap(config.hardware, pinRequest(config));
    const driver = options.driver ?? (await createGpioDriver(config.hardware.driver, { logger }));
    const hw = new StationHardware(driver, pins, logger);
    try {
      hw.openLines(config);
    } catch (error) {
      hw.close();
      throw error;
    }
    return hw;
  }

  /** Whether the driver is the in-process simulation. */
  get simulated(): boolean {
    return this.driver instanceof SimGpioDriver;
  }

  /** Names of the open inputs. */
  get inputNames(): string[] {
    return [...this.inputs.keys()];
  }

  /** The open output named `name` (relays, LEDs, chime). */
  output(name: string): DigitalOutput | undefined {
    return this.outputs.get(name);
  }

  /** The debounced value of an input. */
  readInput(name: string): boolean | undefined {
    return this.inputs.get(name)?.read();
  }

  /** Simulation: sets a simulated input; returns false when there is no such input. */
  simulate(name: string, active: boolean): boolean {
    const spec = this.pins.inputs.get(name);
    if (!spec || !(this.driver instanceof SimGpioDriver) || !this.inputs.has(name)) return false;
    this.driver.simulate(spec.line, active);
    return true;
  }

  /** Synchronous fail-safe: every output off (signal handlers, uncaught exceptions). Never throws. */
  driveAllOutputsInactive(): void {
    try {
      this.driver.driveAllOutputsInactive();
    } catch {
      // Best effort by contract; nothing more can be done here.
    }
  }

  /** Releases relays (off), buttons and every line, then the driver. Idempotent. */
  close(): void {
    if (this.closed) return;
    this.closed = true;
    for (const relay of this.relays.values()) relay.close();
    for (const button of this.buttons.values()) button.close();
    this.driver.close();
    this.removeAllListeners();
  }

  private openLines(config: PortierConfig): void {
    // Outputs first, so a relay is held inactive before any input can ask for it.
    for (const [name, spec] of this.pins.outputs) this.outputs.set(name, this.driver.openOutput(spec));
    for (const relay of config.doors.relays) {
      const output = this.outputs.get(relay.output)!;
      const controller = new RelayController(output);
      controller.on('change', (energized, _at, reason) => this.emit('relay', relay.name, energized, reason));
      this.relays.set(relay.name, controller);
    }
    const buttonNames = new Set([...config.buttons.map((b) => b.input), EXIT_BUTTON_INPUT]);
    for (const [name, spec] of this.pins.inputs) {
      // A simulated wire nobody has set starts at the inactive level whatever the polarity (a door contact
      // is closed at boot); one set before opening (a test's door propped open at start-up) keeps its level.
      if (this.driver instanceof SimGpioDriver && this.driver.levelOf(spec.line) === undefined) {
        this.driver.simulateLevel(spec.line, levelOf(false, spec.activeLow));
      }
      const input = this.driver.openInput(spec);
      this.inputs.set(name, input);
      input.on('change', (active) => this.emit('input', name, active));
      input.on('error', (error) => this.logger.error('input line failed', { input: name, error }));
      if (!buttonNames.has(name)) continue;
      const button = new ButtonInput(input, { longPressMs: config.hardware.longPressMs });
      button.on('press', (atMs) => this.emit('press', name, atMs));
      button.on('longPress', (atMs) => this.emit('longPress', name, atMs));
      this.buttons.set(name, button);
    }
  }
}
