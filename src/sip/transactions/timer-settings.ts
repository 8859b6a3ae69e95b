/** RFC 3261 §17 timer values (Table 4), with the RFC 6026 additions. */

/** The base values a deployment may tune; everything else derives from them. */
export interface TimerSettings {
  /** RTT estimate (RFC 3261 §17.1.1.1): 500 ms. */
  t1: number;
  /** Maximum retransmit interval for non-INVITE requests and INVITE responses: 4 s. */
  t2: number;
  /** Maximum duration a message remains in the network: 5 s. */
  t4: number;
  /** Timer D on unreliable transports; the RFC asks for "at least 32 s". */
  timerD: number;
  /** How long an INVITE server transaction waits for the TU before sending 100 Trying itself (§17.2.1). */
  tryingDelay: number;
}

/** The RFC's recommended values. */
export const DEFAULT_TIMER_SETTINGS: Readonly<TimerSettings> = Object.freeze({
  t1: 500,
  t2: 4000,
  t4: 5000,
  timerD: 32_000,
  tryingDelay: 200,
});

/** Fills in defaults; rejects values that would make the timers meaningless. */
export function resolveTimerSettings(partial: Partial<TimerSettings> = {}): TimerSettings {
  const settings = { ...DEFAULT_TIMER_SETTINGS, ...partial };
  for (const [name, value] of Object.entries(settings)) {
    if (!Number.isFinite(value) || value < 0) throw new RangeError(`timer setting ${name} must be a non-negative number, got ${value}`);
  }
  if (settings.t1 === 0) throw new RangeError('timer setting t1 must be positive');
  if (settings.t2 < settings.t1) throw new RangeError(`timer setting t2 (${settings.t2}) must not be below t1 (${settings.t1})`);
  return settings;
}

/**
 * The timer durations (ms) one transaction uses, derived for its transport.
 * A retransmission timer (A, E, G) of 0 is never started; a wait timer (D, I, J, K) of 0
 * means the state is left at once.
 */
export interface TransactionTimers {
  T1: number;
  T2: number;
  /** INVITE request retransmit, initial interval (UDP only). */
  A: number;
  /** INVITE transaction timeout. */
  B: number;
  /** Wait time for response retransmits (INVITE client, Completed). */
  D: number;
  /** Non-INVITE request retransmit, initial interval (UDP only). */
  E: number;
  /** Non-INVITE transaction timeout. */
  F: number;
  /** INVITE response retransmit, initial interval (UDP only). */
  G: number;
  /** Wait time for ACK receipt. */
  H: number;
  /** Wait time for ACK retransmits. */
  I: number;
  /** Wait time for non-INVITE request retransmits. */
  J: number;
  /** Wait time for non-INVITE response retransmits. */
  K: number;
  /** RFC 6026: INVITE server transaction, wait for 2xx retransmissions from the TU. */
  L: number;
  /** RFC 6026: INVITE client transaction, wait for retransmitted or forked 2xx. */
  M: number;
  /** Delay before the automatic 100 Trying. */
  trying: number;
}

/** Derives Table 4 of RFC 3261 (and RFC 6026 §8.11) for a reliable or unreliable transport. */
export function transactionTimers(settings: TimerSettings, reliable: boolean): TransactionTimers {
  const { t1, t2, t4 } = settings;
  const sixtyFourT1 = 64 * t1;
  return {
    T1: t1,
    T2: t2,
    A: reliable ? 0 : t1,
    B: sixtyFourT1,
    D: reliable ? 0 : settings.timerD,
    E: reliable ? 0 : t1,
    F: sixtyFourT1,
    G: reliable ? 0 : t1,
    H: sixtyFourT1,
    I: reliable ? 0 : t4,
    J: reliable ? 0 : sixtyFourT1,
    K: reliable ? 0 : t4,
    L: sixtyFourT1,
    M: sixtyFourT1,
    trying: settings.tryingDelay,
  };
}
