import type { Call } from '../calls/call.js';
import { CallPlanRunner, type CallEndReason, type CallPlan } from '../intercom/call-plan-runner.js';
import type { Logger } from '../log/logger.js';
import { TypedEmitter } from '../util/typed-emitter.js';
import { PhoneCallPlacer } from './phone-call-placer.js';
import type { SipService } from './sip-service.js';

/** Events of one button's call plan, with the Call once one is answered. */
export type CallPlanBindingEvents = {
  ringing: [targets: string[]];
  connected: [call: Call, target: string];
  /** The run ended; `statuses` are the final SIP statuses of the failed attempts (0: no answer at all). */
  ended: [reason: CallEndReason, target: string | undefined, statuses: number[]];
  warning: [secondsLeft: number];
};

/**
 * A button (or the API's call command) bound to its call plan: one CallPlanRunner
 * on its own placer, so the answered Call is known to belong to this plan. A new
 * plan from a reload waits until the plan in progress has ended, so a reload never
 * drops a ringing or connected call.
 */
export class CallPlanBinding extends TypedEmitter<CallPlanBindingEvents> {
  private runner: CallPlanRunner;
  private readonly placer: PhoneCallPlacer;
  private nextPlan: CallPlan | undefined;
  private statuses: number[] = [];
  /** The call answered in the current run. */
  call: Call | undefined;
  private closed = false;

  constructor(
    /** Logical input (`bell1`), or `api` for calls placed through the API. */
    readonly input: string,
    private currentPlan: CallPlan,
    sip: () => SipService,
    private readonly logger: Logger,
  ) {
    super();
    this.placer = new PhoneCallPlacer(sip, logger);
    this.placer.on('answered', (call, target) => {
      this.call = call;
      this.emit('connected', call, target);
    });
    this.runner = this.createRunner(currentPlan);
  }

  get plan(): CallPlan {
    return this.currentPlan;
  }

  /** Whether a run is ringing or connected. */
  get busy(): boolean {
    return this.runner.state === 'ringing' || this.runner.state === 'connected';
  }

  get state(): CallPlanRunner['state'] {
    return this.runner.state;
  }

  /** A press of the button (start, or cancel when the plan says so). */
  press(): ReturnType<CallPlanRunner['press']> {
    return this.runner.press();
  }

  /** Hangs up or cancels; returns whether anything was ended. */
  hangUp(): boolean {
    return this.runner.hangUp();
  }

  /** The door opened during this plan's call (hang up later, per the plan). */
  doorOpened(): void {
    this.runner.doorOpened();
  }

  /** Takes a new plan: at once when idle, otherwise when the run in progress ends. */
  replacePlan(plan: CallPlan): void {
    if (this.busy) this.nextPlan = plan;
    else this.swap(plan);
  }

  /** Ends any run (hanging up) and refuses further presses. Idempotent. */
  close(): void {
    if (this.closed) return;
    this.closed = true;
    this.runner.close();
    this.removeAllListeners();
  }

  private swap(plan: CallPlan): void {
    this.runner.close();
    this.currentPlan = plan;
    this.runner = this.createRunner(plan);
  }

  private createRunner(plan: CallPlan): CallPlanRunner {
    const runner = new CallPlanRunner({ plan, placer: this.placer });
    runner.on('state', (change) => {
      if (change.state === 'ringing') {
        this.statuses = [];
        this.call = undefined;
        this.emit('ringing', plan.targets.map((t) => t.uri));
      } else if (change.state === 'ended') {
        this.call = undefined;
        this.emit('ended', change.reason, change.target, this.statuses);
        if (this.nextPlan && !this.closed) {
          const next = this.nextPlan;
          this.nextPlan = undefined;
          // After the listeners ran: the runner must not be closed inside its own event.
          queueMicrotask(() => !this.closed && this.swap(next));
        }
      }
    });
    runner.on('attempt', (a) => {
      this.logger.debug('call attempt', { input: this.input, target: a.target, cycle: a.cycle, outcome: a.outcome, status: a.status });
      if (a.outcome === 'failed') this.statuses.push(a.status ?? 0);
    });
    runner.on('warning', (w) => this.emit('warning', w.secondsLeft));
    return runner;
  }
}
