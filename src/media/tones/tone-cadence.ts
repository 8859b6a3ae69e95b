/** One step of a cadence: the listed frequencies summed for `durationMs` (none = silence). */
export interface ToneSegment {
  frequencies: readonly number[];
  durationMs: number;
  /** Level of each frequency component in dBm0; defaults to the cadence's level. */
  levelsDbm0?: readonly number[];
}

/** A tone as a list of segments played in order, once or forever. */
export interface ToneCadence {
  segments: readonly ToneSegment[];
  repeat: boolean;
  /** Level of each frequency component, in dBm0. */
  levelDbm0: number;
}

/** Builds a cadence of one frequency set switched on and off: `onOffMs` = [on, off, on, off, …]. */
export function onOffCadence(
  frequencies: readonly number[],
  onOffMs: readonly number[],
  options: { repeat?: boolean; levelDbm0?: number } = {},
): ToneCadence {
  return {
    segments: onOffMs.map((durationMs, i) => ({ frequencies: i % 2 === 0 ? frequencies : [], durationMs })),
    repeat: options.repeat ?? true,
    levelDbm0: options.levelDbm0 ?? -10,
  };
}
