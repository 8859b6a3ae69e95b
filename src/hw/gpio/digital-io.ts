/**
 * The one interface between Portier and digital GPIO pins.
 *
 * Everything above this file speaks in logical values: `true` means *active*
 * (button pressed, relay energized, LED lit, door open), whatever the wiring.
 * The physical level (0/1 on the pin) appears only in the drivers, and is
 * converted in exactly one place: {@link levelOf} / {@link isActiveLevel}.
 */

/** Bias of an input line. */
export type Pull = 'up' | 'down' | 'none';

/** A physical pin level. */
export type Level = 0 | 1;

/** How to open an input line. */
export interface InputSpec {
  /** BCM GPIO number (the SoC line), never a header pin number or a sysfs number. */
  line: number;
  /** `true` when the input is active at physical level 0 (e.g. a button to GND with a pull-up). */
  activeLow: boolean;
  pull: Pull;
  /** Stable-state debounce window; 0 passes every edge through. */
  debounceMs: number;
  /** Logical name for messages (`button1`, `door_contact`…). */
  name?: string;
}

/** How to open an output line. */
export interface OutputSpec {
  /** BCM GPIO number. */
  line: number;
  /** `true` when the load is active at physical level 0 (e.g. most relay HATs). */
  activeLow: boolean;
  name?: string;
}

/** Events of a digital input. */
export type DigitalInputEvents = {
  /** The debounced logical value changed; `atMs` is when the new state began (driver clock). */
  change: [value: boolean, atMs: number];
  /** The driver lost the line (read error); the input keeps its last value. */
  error: [error: Error];
};

/** Events of a digital output. */
export type DigitalOutputEvents = {
  /** The logical value changed (for status displays). */
  change: [active: boolean, atMs: number];
};

/** The minimal listener surface of a typed emitter, so fakes need not subclass TypedEmitter. */
export interface Listenable<E extends Record<string, unknown[]>> {
  on<K extends keyof E>(event: K, fn: (...args: E[K]) => void): this;
  off<K extends keyof E>(event: K, fn: (...args: E[K]) => void): this;
  once<K extends keyof E>(event: K, fn: (...args: E[K]) => void): this;
}

/** A debounced input line with logical values. */
export interface DigitalInput extends Listenable<DigitalInputEvents> {
  readonly spec: Readonly<InputSpec>;
  /** The current debounced logical value. */
  read(): boolean;
  /** Stops events and releases the line; idempotent. */
  close(): void;
}

/** An output line with logical values; inactive from open to close. */
export interface DigitalOutput extends Listenable<DigitalOutputEvents> {
  readonly spec: Readonly<OutputSpec>;
  write(active: boolean): void;
  /** The last value written (logical). */
  read(): boolean;
  /** Drives the line inactive and releases it; idempotent. */
  close(): void;
}

/** Names of the drivers that implement {@link GpioDriver}. */
export type GpioDriverName = 'sim' | 'onoff' | 'rpio';

/** Opens input and output lines on one GPIO backend. */
export interface GpioDriver {
  readonly name: GpioDriverName;
  openInput(spec: InputSpec): DigitalInput;
  openOutput(spec: OutputSpec): DigitalOutput;
  /**
   * Best-effort, synchronous: drives every open output inactive. For the app's
   * SIGTERM/SIGINT handler and for `process.on('exit')`; never throws.
   */
  driveAllOutputsInactive(): void;
  /** Closes every open line (outputs inactive first); idempotent. */
  close(): void;
}

/** The physical level that represents `active` on a line with this polarity. */
export function levelOf(active: boolean, activeLow: boolean): Level {
  return active !== activeLow ? 1 : 0;
}

/** Whether a physical level means *active* on a line with this polarity. */
export function isActiveLevel(level: Level | number, activeLow: boolean): boolean {
  return (level !== 0) !== activeLow;
}

/** Default stable-state debounce window for buttons and contacts. */
export const DEFAULT_DEBOUNCE_MS = 30;

/** A short label for a pin in messages: `button1 (GPIO17)` or `GPIO17`. */
export function pinLabel(spec: { line: number; name?: string }): string {
  return spec.name ? `${spec.name} (GPIO${spec.line})` : `GPIO${spec.line}`;
}
