import type { DigitalOutput } from '../gpio/digital-io.js';
import { DeadlineTimer, type NowFn, monotonicNow } from '../input/deadline-timer.js';

/** One step of a pattern: the LED on or off for `ms`. */
export interface LedStep {
  on: boolean;
  ms: number;
}

/** A repeating sequence of steps; a single step (or none) is a steady state. */
export type LedPattern = readonly LedStep[];

/** The built-in patterns. */
export const LED_PATTERNS = {
  off: [],
  on: [{ on: true, ms: 1000 }],
  /** 1 Hz. */
  'slow-blink': [
    { on: true, ms: 500 },
    { on: false, ms: 500 },
  ],
  /** 5 Hz. */
  'fast-blink': [
    { on: true, ms: 100 },
    { on: false, ms: 100 },
  ],
  /** Two short flashes, then a pause (a ring cadence). */
  'double-flash': [
    { on: true, ms: 100 },
    { on: false, ms: 150 },
    { on: true, ms: 100 },
    { on: false, ms: 850 },
  ],
  /** Mostly on with a short dark blink each second. */
  wink: [
    { on: true, ms: 900 },
    { on: false, ms: 100 },
  ],
} as const satisfies Record<string, LedPattern>;

/** Names of the built-in patterns. */
export type LedPatternName = keyof typeof LED_PATTERNS;

/** The door station states an LED shows. */
export type LedState = 'not-registered' | 'registered' | 'calling' | 'in-call' | 'door-open';

/** Default pattern per state; every state looks different on a single LED. */
export const DEFAULT_LED_STATE_PATTERNS: Readonly<Record<LedState, LedPatternName>> = {
  'not-registered': 'slow-blink',
  registered: 'on',
  calling: 'double-flash',
  'in-call': 'wink',
  'door-open': 'fast-blink',
};

/** Options of a {@link LedPatternPlayer}. */
export interface LedPatternPlayerOptions {
  /** Overrides of the state-to-pattern table (from config). */
  statePatterns?: Partial<Record<LedState, LedPatternName>>;
  now?: NowFn;
}

/** Whether the LED is lit `elapsedMs` into a pattern (pure; used by the player and by displays). */
export function ledLevelAt(pattern: LedPattern, elapsedMs: number): boolean {
  if (pattern.length === 0) return false;
  if (pattern.length === 1) return pattern[0]!.on;
  const period = pattern.reduce((sum, s) => sum + s.ms, 0);
  let t = ((elapsedMs % period) + period) % period;
  for (const step of pattern) {
    if (t < step.ms) return step.on;
    t -= step.ms;
  }
  return pattern.at(-1)!.on;
}

/**
 * Plays LED patterns on a DigitalOutput, owning the one step timer. Steps are
 * scheduled from absolute deadlines so a long-running blink does not drift.
 * Switching to the pattern already playing does not restart it.
 */
export class LedPatternPlayer {
  private readonly timer: DeadlineTimer;
  private readonly now: NowFn;
  private readonly statePatterns: Record<LedState, LedPatternName>;
  private current: LedPatternName | undefined;
  private pattern: LedPattern = [];
  private step = 0;
  private stepEndsAt = 0;
  private closed = false;

  constructor(
    private readonly output: DigitalOutput,
    options: LedPatternPlayerOptions = {},
  ) {
    this.now = options.now ?? monotonicNow;
    this.statePatterns = { ...DEFAULT_LED_STATE_PATTERNS, ...options.statePatterns };
    this.timer = new DeadlineTimer(this.now, () => this.advance());
    this.play('off');
  }

  /** The pattern playing now. */
  get patternName(): LedPatternName | undefined {
    return this.current;
  }

  /** Shows a door-station state with its configured pattern. */
  show(state: LedState): void {
    this.play(this.statePatterns[state]);
  }

  /** Plays a named pattern from its first step (unless it is already playing). */
  play(name: LedPatternName): void {
    if (this.closed) return;
    if (name === this.current) return;
    const pattern = LED_PATTERNS[name] as LedPattern;
    if (!pattern) throw new RangeError(`unknown LED pattern '${String(name)}'`);
    this.current = name;
    this.pattern = pattern;
    this.step = 0;
    this.timer.cancel();
    const first = pattern[0];
    this.output.write(first?.on ?? false);
    if (pattern.length > 1) {
      this.stepEndsAt = this.now() + first!.ms;
      this.timer.schedule(this.stepEndsAt);
    }
  }

  /** Turns the LED off and stops the timer; the output stays open (its owner closes it). */
  close(): void {
    if (this.closed) return;
    this.closed = true;
    this.timer.close();
    try {
      this.output.write(false);
    } catch {
      // Output already closed by the driver, which drove it off.
    }
  }

  private advance(): void {
    if (this.closed || this.pattern.length < 2) return;
    const now = this.now();
    // Skip whole steps if the process was stalled, to stay on the pattern's grid.
    while (this.stepEndsAt <= now) {
      this.step = (this.step + 1) % this.pattern.length;
      this.stepEndsAt += this.pattern[this.step]!.ms;
    }
    this.output.write(this.pattern[this.step]!.on);
    this.timer.schedule(this.stepEndsAt);
  }
}
