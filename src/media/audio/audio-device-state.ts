/**
 * Where an audio device adapter stands. Adapters never throw device failures into
 * their caller: they report `retrying` with the error and when the next attempt is due,
 * and keep trying with capped exponential backoff until closed.
 */
export type AudioDeviceState =
  | { state: 'idle' }
  | { state: 'starting' }
  | { state: 'running' }
  | {
      state: 'retrying';
      error: Error;
      /** Failures in a row so far (1 after the first). */
      attempt: number;
      /** Delay before the next attempt, ms. */
      retryInMs: number;
      /** Monotonic time (the adapter's TimeSource) of the next attempt, ms. */
      retryAtMs: number;
    }
  | { state: 'closed' };

/** The name of an AudioDeviceState, for logs and switches. */
export type AudioDeviceStateName = AudioDeviceState['state'];
