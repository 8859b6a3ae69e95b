/** RFC 4028 session-timer settings; seconds. */
export interface SessionTimerOptions {
  /** The interval we ask for (Session-Expires), default 1800. */
  expires?: number;
  /** The smallest interval we accept (Min-SE), default 90 (RFC 4028's floor; tests may go lower). */
  minSE?: number;
  /** How we refresh: UPDATE (RFC 4028 §10 prefers it; used when the peer allows it) or always re-INVITE. Default 'update'. */
  refreshMethod?: 'update' | 'invite';
}

/** Behaviour of an INVITE session. Times in milliseconds unless stated. */
export interface SessionOptions {
  /** RFC 3261 T1 for the 2xx and reliable-1xx retransmissions (default 500). */
  t1?: number;
  /** RFC 3261 T2 cap of the 2xx retransmission interval (default 4000). */
  t2?: number;
  /** Session timers (RFC 4028); `false` turns them off (no Session-Expires sent or honoured). */
  sessionTimers?: SessionTimerOptions | false;
  /** Hang up (BYE) this long after the session is up; 0 = no limit (default). */
  maxDurationMs?: number;
  /** UAC: offer 100rel in Supported (default true). */
  reliableProvisionals?: boolean;
  /** The 491 back-off (RFC 3261 §14.1); injectable for tests. */
  glareDelayMs?: (ownsCallId: boolean) => number;
  /** Answer to an INFO (default 200); e.g. 415 for a content type the app does not take. */
  infoResponder?: (contentType: string | undefined, body: Buffer) => number;
}

/** SessionOptions with every default filled in. */
export interface ResolvedSessionOptions {
  t1: number;
  t2: number;
  sessionTimers: Required<SessionTimerOptions> | false;
  maxDurationMs: number;
  reliableProvisionals: boolean;
  glareDelayMs: ((ownsCallId: boolean) => number) | undefined;
  infoResponder: ((contentType: string | undefined, body: Buffer) => number) | undefined;
}

/** Fills in defaults and checks ranges. */
export function resolveSessionOptions(options: SessionOptions = {}): ResolvedSessionOptions {
  const t1 = options.t1 ?? 500;
  const t2 = options.t2 ?? 4000;
  if (!(t1 > 0) || !(t2 >= t1)) throw new RangeError(`session t1 (${t1}) must be positive and t2 (${t2}) at least t1`);
  let sessionTimers: Required<SessionTimerOptions> | false = false;
  if (options.sessionTimers !== false) {
    const st = options.sessionTimers ?? {};
    const expires = st.expires ?? 1800;
    const minSE = st.minSE ?? 90;
    if (!Number.isInteger(expires) || !Number.isInteger(minSE) || minSE < 1 || expires < minSE) {
      throw new RangeError(`session timer expires (${expires}) must be an integer ≥ minSE (${minSE}) ≥ 1`);
    }
    sessionTimers = { expires, minSE, refreshMethod: st.refreshMethod ?? 'update' };
  }
  const maxDurationMs = options.maxDurationMs ?? 0;
  if (!(maxDurationMs >= 0)) throw new RangeError(`maxDurationMs must be ≥ 0, got ${maxDurationMs}`);
  return {
    t1,
    t2,
    sessionTimers,
    maxDurationMs,
    reliableProvisionals: options.reliableProvisionals ?? true,
    glareDelayMs: options.glareDelayMs,
    infoResponder: options.infoResponder,
  };
}
