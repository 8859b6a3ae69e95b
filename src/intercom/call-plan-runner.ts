import type { ButtonConfig, CallTargetConfig } from '../config/portier-config.js';
import { PortierError } from '../util/portier-error.js';
import { TypedEmitter } from '../util/typed-emitter.js';
import type { CallPlacer, OutgoingCallEvents, OutgoingCallHandle } from './call-placer.js';
import { type CancelTimer, type Scheduler, systemScheduler } from './scheduler.js';

/** A button's call plan: the button configuration without its input. */
export type CallPlan = Omit<ButtonConfig, 'input'>;

/** States of a {@link CallPlanRunner}. */
export type CallPlanState = 'idle' | 'ringing' | 'connected' | 'ended';

/** Why a run of the plan ended. */
export type CallEndReason =
  | 'no-answer'
  | 'busy'
  | 'failed'
  | 'cancelled'
  | 'remote-hangup'
  | 'local-hangup'
  | 'call-limit'
  | 'door-opened'
  | 'closed';

/** A state the runner entered. */
export type CallPlanStateChange =
  | { state: 'ringing' }
  | { state: 'connected'; target: string }
  | { state: 'ended'; reason: CallEndReason; target?: string };

/** What happened to one target's call attempt. */
export interface CallAttemptEvent {
  target: string;
  cycle: number;
  outcome: 'placed' | 'ringing' | 'failed' | 'timeout';
  status?: number;
}

/** Events of a {@link CallPlanRunner}. */
export type CallPlanEvents = {
  state: [change: CallPlanStateChange];
  attempt: [event: CallAttemptEvent];
  /** The call will be ended by its time limit in `secondsLeft` seconds (play a warning tone). */
  warning: [warning: { kind: 'call-limit'; secondsLeft: number }];
};

/** What a press of the button did. */
export type PressOutcome = 'started' | 'cancelled' | 'ignored';

/** A call-plan operation was used in a state that does not allow it. */
export class CallPlanError extends PortierError {
  constructor(code: 'PORTIER_ERR_CALL_PLAN_STATE' | 'PORTIER_ERR_CALL_PLAN_EMPTY' | 'PORTIER_ERR_CALL_PLAN_CLOSED', message: string) {
    super(code, message);
  }
}

/** Final statuses meaning "this callee will not take the call now" (RFC 3261 §21.4.25, §21.6.1, §21.6.2). */
export const BUSY_STATUSES: ReadonlySet<number> = new Set([486, 600, 603]);
/** Statuses that speak for the callee everywhere (§21.6): that target is not tried again in later cycles. */
const DECLINED_EVERYWHERE: ReadonlySet<number> = new Set([600, 603]);

const TRANSITIONS: Record<CallPlanState, readonly CallPlanState[]> = {
  idle: ['ringing'],
  ringing: ['connected', 'ended'],
  connected: ['ended'],
  ended: ['ringing'],
};

interface Attempt {
  target: CallTargetConfig;
  handle: OutgoingCallHandle;
  cancelRing: CancelTimer;
  detach: () => void;
}

/** Book-keeping of one run (one press), from ringing to ended. */
interface Run {
  cycle: number;
  /** Targets of the current cycle, and (sequential mode) the index of the one ringing. */
  candidates: CallTargetConfig[];
  index: number;
  attempts: Set<Attempt>;
  /** Some target of this cycle rang until its own ring time ran out. */
  rangOut: boolean;
  failures: number[];
  declined: Set<string>;
  timers: CancelTimer[];
  connected?: Attempt;
  doorTimerSet: boolean;
  placing: boolean;
}

export interface CallPlanRunnerOptions {
  plan: CallPlan;
  placer: CallPlacer;
  scheduler?: Scheduler;
}

/**
 * Runs one button's call plan as an explicit state machine:
 * idle → ringing → connected → ended (→ ringing on the next press).
 *
 * Parallel mode rings every target at once and the first answer wins; sequential
 * mode rings one target for its `ringSeconds`, then the next. A busy or failed
 * target moves the plan on; a cycle repeats while `repeat` allows and some target
 * actually rang, and a cycle in which every target failed ends the plan (repeating
 * would fail the same way). `ringTimeoutSeconds` bounds all ringing together.
 */
export class CallPlanRunner extends TypedEmitter<CallPlanEvents> {
  private readonly plan: CallPlan;
  private readonly placer: CallPlacer;
  private readonly scheduler: Scheduler;
  private current: CallPlanState = 'idle';
  private run: Run | undefined;
  private closed = false;

  constructor(options: CallPlanRunnerOptions) {
    super();
    if (options.plan.targets.length === 0) throw new CallPlanError('PORTIER_ERR_CALL_PLAN_EMPTY', 'a call plan needs at least one target');
    this.plan = options.plan;
    this.placer = options.placer;
    this.scheduler = options.scheduler ?? systemScheduler;
  }

  get state(): CallPlanState {
    return this.current;
  }

  /** The target of the established call, if any. */
  get connectedTarget(): string | undefined {
    return this.run?.connected?.target.uri;
  }

  /** A button press: starts the plan, or cancels the ringing when `pressAgainCancels`. */
  press(): PressOutcome {
    if (this.closed) return 'ignored';
    switch (this.current) {
      case 'idle':
      case 'ended':
        this.start();
        return 'started';
      case 'ringing':
        if (!this.plan.pressAgainCancels) return 'ignored';
        this.finish('cancelled');
        return 'cancelled';
      case 'connected':
        // A visitor pressing again while talking is not a request to hang up.
        return 'ignored';
    }
  }

  /** Starts ringing the plan's targets; throws unless idle or ended. */
  start(): void {
    if (this.closed) throw new CallPlanError('PORTIER_ERR_CALL_PLAN_CLOSED', 'the call plan runner is closed');
    this.transition('ringing');
    const run: Run = { cycle: 0, candidates: [], index: 0, attempts: new Set(), rangOut: false, failures: [], declined: new Set(), timers: [], doorTimerSet: false, placing: false };
    this.run = run;
    if (this.plan.ringTimeoutSeconds > 0) {
      run.timers.push(this.scheduler.schedule(this.plan.ringTimeoutSeconds * 1000, () => this.onRingTimeout(run)));
    }
    this.emit('state', { state: 'ringing' });
    this.startCycle(run);
  }

  /** Stops ringing; returns whether there was ringing to stop. */
  cancel(): boolean {
    if (this.current !== 'ringing') return false;
    this.finish('cancelled');
    return true;
  }

  /** Hangs up the established call (or cancels the ringing); returns whether anything was ended. */
  hangUp(): boolean {
    if (this.current === 'ringing') return this.cancel();
    if (this.current !== 'connected') return false;
    this.finish('local-hangup');
    return true;
  }

  /** The door was opened during this call: hang up after `hangUpAfterDoorOpenSeconds` (0 keeps the call). */
  doorOpened(): boolean {
    const run = this.run;
    if (this.current !== 'connected' || !run || this.plan.hangUpAfterDoorOpenSeconds <= 0 || run.doorTimerSet) return false;
    run.doorTimerSet = true;
    run.timers.push(
      this.scheduler.schedule(this.plan.hangUpAfterDoorOpenSeconds * 1000, () => {
        if (this.run === run && this.current === 'connected') this.finish('door-opened');
      }),
    );
    return true;
  }

  /** Ends any ringing or call and refuses further runs; idempotent. */
  close(): void {
    if (this.closed) return;
    if (this.current === 'ringing' || this.current === 'connected') this.finish('closed');
    this.closed = true;
  }

  private transition(to: CallPlanState): void {
    if (!TRANSITIONS[this.current].includes(to)) {
      throw new CallPlanError('PORTIER_ERR_CALL_PLAN_STATE', `call plan cannot go from ${this.current} to ${to}`);
    }
    this.current = to;
  }

  private startCycle(run: Run): void {
    run.cycle += 1;
    run.rangOut = false;
    run.candidates = this.plan.targets.filter((t) => !run.declined.has(t.uri));
    run.index = 0;
    if (run.candidates.length === 0) return this.finish(this.failureReason(run));
    if (this.plan.mode === 'parallel') {
      // While placing, a synchronous failure must not close the cycle before the other targets were rung.
      run.placing = true;
      for (const target of run.candidates) {
        this.place(run, target);
        if (this.run !== run || this.current !== 'ringing') return;
      }
      run.placing = false;
      if (run.attempts.size === 0) this.afterAttempt(run);
    } else {
      this.place(run, run.candidates[0]!);
    }
  }

  private place(run: Run, target: CallTargetConfig): void {
    let handle: OutgoingCallHandle;
    try {
      handle = this.placer.placeCall(target.uri, this.plan.account !== undefined ? { account: this.plan.account } : {});
    } catch {
      this.emit('attempt', { target: target.uri, cycle: run.cycle, outcome: 'failed', status: 0 });
      run.failures.push(0);
      return this.afterAttempt(run);
    }
    const on: { [K in keyof OutgoingCallEvents]: (...args: OutgoingCallEvents[K]) => void } = {
      ringing: () => this.emit('attempt', { target: target.uri, cycle: run.cycle, outcome: 'ringing' }),
      answered: () => this.onAnswered(run, attempt),
      failed: (status) => this.onFailed(run, attempt, status),
      ended: () => this.onFailed(run, attempt, 0),
    };
    const attempt: Attempt = {
      target,
      handle,
      cancelRing: this.scheduler.schedule(target.ringSeconds * 1000, () => this.onTargetRangOut(run, attempt)),
      detach: () => {
        for (const name of Object.keys(on) as Array<keyof OutgoingCallEvents>) handle.off(name, on[name] as never);
      },
    };
    for (const name of Object.keys(on) as Array<keyof OutgoingCallEvents>) handle.on(name, on[name] as never);
    run.attempts.add(attempt);
    this.emit('attempt', { target: target.uri, cycle: run.cycle, outcome: 'placed' });
  }

  private onAnswered(run: Run, attempt: Attempt): void {
    if (this.run !== run || this.current !== 'ringing' || !run.attempts.has(attempt)) return;
    run.attempts.delete(attempt);
    attempt.cancelRing();
    attempt.detach();
    // First answer wins; the other branches are cancelled (RFC 3261 §9).
    for (const other of run.attempts) this.abandon(other);
    run.attempts.clear();
    for (const cancel of run.timers) cancel();
    run.timers = [];
    this.transition('connected');
    run.connected = attempt;
    const hungUpRemotely = () => {
      if (this.run === run && this.current === 'connected') this.finish('remote-hangup');
    };
    attempt.handle.on('ended', hungUpRemotely);
    attempt.handle.on('failed', hungUpRemotely);
    attempt.detach = () => {
      attempt.handle.off('ended', hungUpRemotely);
      attempt.handle.off('failed', hungUpRemotely);
    };
    this.startCallLimit(run);
    this.emit('state', { state: 'connected', target: attempt.target.uri });
  }

  private startCallLimit(run: Run): void {
    const limit = this.plan.callLimitSeconds;
    if (limit <= 0) return;
    const warning = this.plan.callLimitWarningSeconds;
    if (warning > 0 && warning < limit) {
      run.timers.push(this.scheduler.schedule((limit - warning) * 1000, () => this.emit('warning', { kind: 'call-limit', secondsLeft: warning })));
    }
    run.timers.push(
      this.scheduler.schedule(limit * 1000, () => {
        if (this.run === run && this.current === 'connected') this.finish('call-limit');
      }),
    );
  }

  private onFailed(run: Run, attempt: Attempt, status: number): void {
    if (this.run !== run || !run.attempts.delete(attempt)) return;
    attempt.cancelRing();
    attempt.detach();
    run.failures.push(status);
    if (DECLINED_EVERYWHERE.has(status)) run.declined.add(attempt.target.uri);
    this.emit('attempt', { target: attempt.target.uri, cycle: run.cycle, outcome: 'failed', status });
    this.afterAttempt(run);
  }

  private onTargetRangOut(run: Run, attempt: Attempt): void {
    if (this.run !== run || !run.attempts.delete(attempt)) return;
    this.abandon(attempt);
    run.rangOut = true;
    this.emit('attempt', { target: attempt.target.uri, cycle: run.cycle, outcome: 'timeout' });
    this.afterAttempt(run);
  }

  /** One attempt is over without an answer: ring the next target, or close the cycle. */
  private afterAttempt(run: Run): void {
    if (this.run !== run || this.current !== 'ringing') return;
    if (this.plan.mode === 'sequential') {
      run.index += 1;
      const next = run.candidates[run.index];
      if (next) return this.place(run, next);
    } else if (run.placing || run.attempts.size > 0) {
      return;
    }
    if (!run.rangOut) return this.finish(this.failureReason(run));
    if (run.cycle < this.plan.repeat) return this.startCycle(run);
    this.finish('no-answer');
  }

  private onRingTimeout(run: Run): void {
    if (this.run === run && this.current === 'ringing') this.finish('no-answer');
  }

  private failureReason(run: Run): CallEndReason {
    return run.failures.length > 0 && run.failures.every((s) => BUSY_STATUSES.has(s)) ? 'busy' : 'failed';
  }

  /**
   * Cancels an unanswered attempt. A 200 can cross the CANCEL; RFC 3261 §9.1 leaves
   * the call established then, so a late answer is hung up at once (BYE, §15).
   */
  private abandon(attempt: Attempt): void {
    attempt.cancelRing();
    attempt.detach();
    const handle = attempt.handle;
    const lateAnswer = () => {
      stop();
      handle.hangUp();
    };
    const stop = () => {
      handle.off('answered', lateAnswer);
      handle.off('failed', stop);
      handle.off('ended', stop);
    };
    handle.on('answered', lateAnswer);
    handle.on('failed', stop);
    handle.on('ended', stop);
    handle.cancel();
  }

  private finish(reason: CallEndReason): void {
    const run = this.run;
    if (!run) return;
    for (const cancel of run.timers) cancel();
    run.timers = [];
    for (const attempt of run.attempts) this.abandon(attempt);
    run.attempts.clear();
    const connected = run.connected;
    if (connected) {
      connected.detach();
      if (reason !== 'remote-hangup') connected.handle.hangUp();
    }
    this.transition('ended');
    this.emit('state', connected ? { state: 'ended', reason, target: connected.target.uri } : { state: 'ended', reason });
  }
}
