import type { StationEvent } from '../api/station-control.js';
import { StationControlError } from '../api/station-control.js';
import type { Call } from '../calls/call.js';
import type { DtmfPress } from '../calls/dtmf-press.js';
import type { ConfigDiff } from '../config/diff-config.js';
import type { ButtonConfig, PortierConfig } from '../config/portier-config.js';
import type { BruteForceGuard } from '../door/brute-force-guard.js';
import type { PortierEventInput } from '../events/event-log.js';
import type { GpioDriver } from '../hw/gpio/digital-io.js';
import { AnswerPolicy } from '../intercom/answer-policy.js';
import type { CallEndReason, CallPlan } from '../intercom/call-plan-runner.js';
import { DoorUnlockController } from '../intercom/door-unlock-controller.js';
import { type CancelTimer, type Scheduler, systemScheduler } from '../intercom/scheduler.js';
import type { RegistrationState, StationStatus } from '../intercom/station-status.js';
import type { Logger } from '../log/logger.js';
import type { IncomingInviteSession } from '../sip/sessions/incoming-invite-session.js';
import type { RegistrationStatus } from '../sip/registration/registration-state.js';
import { TypedEmitter } from '../util/typed-emitter.js';
import { CallPlanBinding } from './call-plan-binding.js';
import { DoorOpener, type DoorOpening } from './door-opener.js';
import { PbxSourceTracker } from './pbx-source-tracker.js';
import { TrustedSources } from './trusted-sources.js';
import { answerIncomingCall } from './incoming-call-answerer.js';
import { SipService, targetUri } from './sip-service.js';
import { StationAudio } from './station-audio.js';
import { CHIME_OUTPUT, EXIT_BUTTON_INPUT, StationHardware } from './station-hardware.js';
import { StationLeds, type StationLedsEvents } from './station-leds.js';

/** What the runtime shares with the door station around it. */
export interface StationContext {
  logger: Logger;
  status: StationStatus;
  /** Delivers a station event (API event stream, live display). */
  emit(event: StationEvent): void;
  /** Appends to the durable event log (failures are reported by the context). */
  record(event: PortierEventInput): void;
  scheduler?: Scheduler;
  /** A GPIO driver to use instead of the configured one (tests, benchmarks). */
  gpioDriver?: GpioDriver;
  /** Wrong-code counts and lockout that outlive this runtime (a restart must not lift a lockout). */
  guard?: BruteForceGuard;
}

/** Events of the runtime that the station's displays want. */
export type StationRuntimeEvents = {
  /** No call is ringing or connected any more (deferred reloads wait for this). */
  idle: [];
  led: StationLedsEvents['pattern'];
  registration: [account: string, status: RegistrationStatus];
};

/** Statuses that mean the PBX (or the network to it) did not answer at all. */
const UNREACHABLE = new Set([0, 408, 503]);
/** How long the busy and error feedback plays at the door. */
const FEEDBACK_MS = 3000;
/** How long the chime output is pulsed on a ring. */
const CHIME_MS = 1000;

interface ActiveCall {
  call: Call;
  direction: 'outgoing' | 'incoming';
  peer: string;
  binding?: CallPlanBinding;
  /** Incoming: the address the INVITE came from, for re-deciding door access on a reload. */
  sourceAddress?: string;
}

/** The call plan the API's call command runs (`portier call <target>`): the first button's limits, one target. */
function apiPlan(target: string, buttons: readonly ButtonConfig[]): CallPlan {
  const base = buttons[0];
  return {
    ...(base?.account !== undefined ? { account: base.account } : {}),
    targets: [{ uri: target, ringSeconds: 60 }],
    mode: 'parallel',
    repeat: 1,
    ringTimeoutSeconds: 60,
    pressAgainCancels: false,
    callLimitSeconds: base?.callLimitSeconds ?? 180,
    callLimitWarningSeconds: base?.callLimitWarningSeconds ?? 15,
    hangUpAfterDoorOpenSeconds: base?.hangUpAfterDoorOpenSeconds ?? 0,
  };
}

function planOf(button: ButtonConfig): CallPlan {
  const { input: _input, ...plan } = button;
  return plan;
}

/**
 * Everything of the door station that is built from the configuration's hardware,
 * audio and SIP sections, wired to the intercom policy: buttons ring call plans,
 * incoming calls follow the answer policy, DTMF from a permitted peer opens doors,
 * the exit button opens locally, the door contact and tamper raise alarms, and the
 * LEDs follow the state. Reloadable parts (codes, plans, policy, LEDs) are swapped
 * by `update()`; the rest needs a new runtime (the DoorStation does that when idle).
 */
export class StationRuntime extends TypedEmitter<StationRuntimeEvents> {
  private readonly bindings = new Map<string, CallPlanBinding>();
  private apiBinding: CallPlanBinding | undefined;
  private readonly active = new Map<string, ActiveCall>();
  private readonly pendingIncoming = new Set<Call>();
  private policy: AnswerPolicy;
  private readonly trusted: TrustedSources;
  private readonly pbxSources: PbxSourceTracker;
  private unlock: DoorUnlockController;
  private leds: StationLeds;
  private readonly opener: DoorOpener;
  private readonly scheduler: Scheduler;
  private readonly logger: Logger;
  private contactTimer: CancelTimer | undefined;
  private lockoutTimer: CancelTimer | undefined;
  private closed = false;

  private constructor(
    private cfg: PortierConfig,
    private readonly ctx: StationContext,
    readonly hardware: StationHardware,
    readonly audio: StationAudio,
    readonly sip: SipService,
  ) {
    super();
    this.logger = ctx.logger.child({ component: 'station' });
    this.scheduler = ctx.scheduler ?? systemScheduler;
    this.policy = new AnswerPolicy(cfg.incoming);
    this.trusted = new TrustedSources(cfg.incoming.trustedSources);
    this.pbxSources = new PbxSourceTracker(this.trusted, this.logger);
    this.unlock = this.createUnlock();
    this.leds = this.createLeds();
    this.opener = new DoorOpener(hardware, () => this.cfg.doors.relays, (o) => this.onDoorOpened(o));
    for (const button of cfg.buttons) this.bindings.set(button.input, this.createBinding(button.input, planOf(button)));
    this.wireHardware();
    this.wireSip();
    this.refreshLeds();
  }

  /** Opens hardware (outputs inactive), audio and SIP (registration started), in that order. */
  static async start(config: PortierConfig, ctx: StationContext): Promise<StationRuntime> {
    const hardware = await StationHardware.open(config, { logger: ctx.logger, ...(ctx.gpioDriver ? { driver: ctx.gpioDriver } : {}) });
    let audio: StationAudio | undefined;
    try {
      audio = await StationAudio.open(config.audio, { logger: ctx.logger });
      const sip = await SipService.start(config, { logger: ctx.logger, audio: { source: audio.source, sink: audio.speaker } });
      return new StationRuntime(config, ctx, hardware, audio, sip);
    } catch (error) {
      hardware.close();
      await audio?.close();
      throw error;
    }
  }

  get config(): PortierConfig {
    return this.cfg;
  }

  /** Whether a call is ringing or connected, in either direction. */
  get busy(): boolean {
    return this.active.size > 0 || this.pendingIncoming.size > 0 || this.apiBinding?.busy === true || [...this.bindings.values()].some((b) => b.busy);
  }

  /** The pattern each LED plays now. */
  ledPatterns(): Record<string, string | undefined> {
    return this.leds.patterns();
  }

  /** Applies the parts of a reload that take effect at once; the caller handles the rest. */
  update(next: PortierConfig, diff: ConfigDiff): void {
    this.cfg = next;
    if (diff.changed('incoming')) {
      this.policy = new AnswerPolicy(next.incoming);
      this.trusted.configure(next.incoming.trustedSources);
    }
    if (diff.changed('doors.codes') || diff.changed('doors.codeEntry') || diff.changed('doors.bruteForce')) {
      // In place: calls in progress keep their wrong-code counts, and an active lockout stays.
      this.unlock.reconfigure(next.doors);
    }
    if (diff.changed('buttons') || diff.changed('incoming')) {
      for (const [id, a] of this.active) this.unlock.setPermitted(id, this.permitted(a));
    }
    if (diff.changed('buttons')) {
      for (const button of next.buttons) {
        const binding = this.bindings.get(button.input);
        if (binding) binding.replacePlan(planOf(button));
      }
    }
    if (diff.changed('leds')) {
      this.leds.close();
      this.leds = this.createLeds();
      this.refreshLeds();
    }
  }

  /** Opens a door (API, exit button); throws StationControlError for an unknown relay. */
  openDoor(relay: string | undefined, method: DoorOpening['method'], caller?: string): string {
    return this.opener.open(relay, method, caller);
  }

  /** Calls `target` as if a button was pressed (the API's call command). */
  placeCall(target: string): void {
    if (this.busy) throw new StationControlError('PORTIER_ERR_CALL_IN_PROGRESS', 'a call is already in progress');
    const plan = apiPlan(target, this.cfg.buttons);
    try {
      targetUri(target, this.sip.line(plan.account).account);
    } catch (error) {
      throw new StationControlError('PORTIER_ERR_INVALID_TARGET', `cannot call "${target}": ${(error as Error).message}`);
    }
    this.apiBinding?.close();
    this.apiBinding = this.createBinding('api', plan);
    this.apiBinding.press();
  }

  /** Ends the call or the ringing; throws PORTIER_ERR_NO_CALL when there is none. */
  async hangUp(): Promise<void> {
    let ended = false;
    for (const binding of [...this.bindings.values(), ...(this.apiBinding ? [this.apiBinding] : [])]) ended = binding.hangUp() || ended;
    for (const a of this.active.values()) {
      if (a.binding) continue;
      await a.call.hangUp();
      ended = true;
    }
    for (const call of this.pendingIncoming) {
      await call.hangUp();
      ended = true;
    }
    if (!ended) throw new StationControlError('PORTIER_ERR_NO_CALL', 'there is no call to end');
  }

  /** Simulation: presses or releases an input. */
  simulate(name: string, pressed: boolean): void {
    if (!this.hardware.simulated) throw new StationControlError('PORTIER_ERR_UNAVAILABLE', 'inputs can be simulated only with hardware.driver sim');
    if (!this.hardware.simulate(name, pressed)) {
      throw new StationControlError('PORTIER_ERR_UNKNOWN_INPUT', `no input named ${name}; inputs: ${this.hardware.inputNames.join(', ')}`);
    }
  }

  /** Hangs up, un-registers, turns every output off and closes the devices. Idempotent. */
  async close(): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    this.ctx.status.off('change', this.onStatusChange);
    this.pbxSources.close();
    this.contactTimer?.();
    this.lockoutTimer?.();
    for (const binding of this.bindings.values()) binding.close();
    this.apiBinding?.close();
    this.unlock.close();
    await this.sip.close();
    this.leds.close();
    this.hardware.close();
    await this.audio.close();
    this.removeAllListeners();
  }

  // ---- wiring ------------------------------------------------------------------------------

  private wireHardware(): void {
    const hw = this.hardware;
    for (const name of hw.inputNames) this.ctx.status.setInput(name, hw.readInput(name) ?? false);
    // A door propped open before (re)start sends no edge: time it from now, or it never raises "open too long".
    const contact = this.cfg.doors.contact.input;
    if (contact !== undefined && hw.readInput(contact) === true) this.watchDoorContact(true);
    for (const relay of this.cfg.doors.relays) this.ctx.status.setRelay(relay.name, false);
    hw.on('press', (input) => this.onPress(input, false));
    hw.on('longPress', (input) => this.ctx.emit({ type: 'press', time: now(), input, long: true }));
    hw.on('input', (input, active) => this.onInput(input, active));
    hw.on('relay', (relay, energized) => {
      this.ctx.status.setRelay(relay, energized);
      this.refreshLeds();
    });
  }

  private wireSip(): void {
    for (const [id, line] of this.sip.lines) {
      line.phone.sessions.busyWhen(() => this.busy);
      line.phone.on('incoming', (call, session) => this.onIncoming(call, session));
      this.pbxSources.watch(id, line);
      const registration = line.registration;
      if (!registration) continue;
      this.ctx.status.setRegistration(id, 'registering');
      registration.on('state', (s) => this.onRegistration(id, s));
    }
    this.ctx.status.on('change', this.onStatusChange);
  }

  private readonly onStatusChange = (change: { kind: string }) => {
    if (change.kind === 'registration' || change.kind === 'call') this.refreshLeds();
  };

  private createLeds(): StationLeds {
    const leds = new StationLeds(this.hardware, this.cfg.leds);
    leds.on('pattern', (...args) => this.emit('led', ...args));
    return leds;
  }

  private refreshLeds(): void {
    if (this.closed) return;
    const snapshot = this.ctx.status.snapshot();
    const call = snapshot.call.state;
    const doorOpen = Object.values(snapshot.relays).some((r) => r.energized);
    this.leds.update({ registered: snapshot.health !== 'down', call, doorOpen });
  }

  private createUnlock(): DoorUnlockController {
    const unlock = DoorUnlockController.fromConfig(this.cfg.doors, { scheduler: this.scheduler, logger: this.ctx.logger, ...(this.ctx.guard ? { guard: this.ctx.guard } : {}) });
    // A lockout from before a restart: the status shows it until it ends, as if this runtime had started it.
    const lockedUntil = unlock.lockedUntil();
    if (lockedUntil !== undefined) this.lockoutTimer = this.scheduler.schedule(lockedUntil - this.scheduler.now(), () => this.ctx.status.setCodeLockout(undefined));
    unlock.on('open', (e) => {
      try {
        this.opener.open(e.relay, e.method, e.caller);
      } catch (error) {
        this.ctx.status.recordError('door', error);
        return;
      }
      this.active.get(e.callId)?.binding?.doorOpened();
    });
    unlock.on('rejected', (e) => {
      this.audio.play('error');
      this.alarm('wrong-code', e.callBlocked ? `caller ${e.caller}; further digits on this call are ignored` : `caller ${e.caller}`);
    });
    unlock.on('lockout', (e) => {
      const ms = e.until - this.scheduler.now();
      const until = new Date(Date.now() + ms);
      this.ctx.status.setCodeLockout(until);
      this.lockoutTimer?.();
      this.lockoutTimer = this.scheduler.schedule(ms, () => this.ctx.status.setCodeLockout(undefined));
      this.alarm('code-lockout', `door codes refused until ${until.toISOString()} (caller ${e.caller})`);
    });
    return unlock;
  }

  private createBinding(input: string, plan: CallPlan): CallPlanBinding {
    const binding = new CallPlanBinding(input, plan, () => this.sip, this.ctx.logger);
    const button = input === 'api' ? undefined : input;
    binding.on('ringing', (targets) => {
      // The runner announces ringing before it places the INVITEs: feedback waits a turn so the INVITE goes first.
      setImmediate(() => this.onPlanRinging(binding, targets, button));
    });
    binding.on('connected', (call, target) => {
      this.audio.stopTone('ringback');
      this.track({ call, direction: 'outgoing', peer: target, binding });
      this.ctx.status.setCall({ state: 'connected', direction: 'outgoing', peer: target, ...(button ? { button } : {}) });
      this.ctx.emit({ type: 'call', time: now(), state: 'connected', direction: 'outgoing', peer: target });
    });
    binding.on('ended', (reason, target, statuses) => this.onPlanEnded(binding, reason, target, statuses));
    binding.on('warning', (secondsLeft) => {
      this.logger.info('call time limit near', { secondsLeft });
      this.audio.play('error');
    });
    return binding;
  }

  private onPlanRinging(binding: CallPlanBinding, targets: string[], button: string | undefined): void {
    // The plan may have failed or been answered within that turn: then there is no ringing to show.
    if (this.closed || binding.state !== 'ringing') return;
    const peer = targets.join(', ');
    this.ctx.status.setCall({ state: 'ringing', direction: 'outgoing', peer, ...(button ? { button } : {}) });
    this.ctx.emit({ type: 'call', time: now(), state: 'ringing', direction: 'outgoing', peer });
    this.audio.play('ringback');
    if (button) this.pulseChime();
  }

  private pulseChime(): void {
    const chime = this.hardware.output(CHIME_OUTPUT);
    if (!chime) return;
    chime.write(true);
    this.scheduler.schedule(CHIME_MS, () => {
      try {
        chime.write(false);
      } catch {
        // closed meanwhile: the driver drove it off
      }
    });
  }

  // ---- events ------------------------------------------------------------------------------

  private onPress(input: string, long: boolean): void {
    this.ctx.emit({ type: 'press', time: now(), input, long });
    if (input === EXIT_BUTTON_INPUT) {
      try {
        this.opener.open(undefined, 'exit-button');
      } catch (error) {
        this.ctx.status.recordError('door', error);
      }
      return;
    }
    const binding = this.bindings.get(input);
    if (!binding) return;
    if (!binding.busy && this.busy) {
      this.logger.info('button pressed during another call; ignored', { input });
      return;
    }
    const account = this.sip.line(binding.plan.account);
    if (!binding.busy && account.registration?.status.state === 'failed') {
      // The PBX is known to be unreachable: tell the visitor at once instead of ringing into a void.
      this.unreachable(input, binding.plan.targets.map((t) => t.uri).join(', '), account.registration.status.error?.message);
      return;
    }
    const outcome = binding.press();
    this.logger.info('bell pressed', { input, outcome });
  }

  private onInput(input: string, active: boolean): void {
    this.ctx.status.setInput(input, active);
    if (input === this.cfg.doors.contact.input) this.watchDoorContact(active);
    if (input === this.cfg.tamper.input && active) this.alarm('tamper', `tamper input ${input} active`);
  }

  /** Starts the "open too long" timer when the door contact reads open, stops it when closed. */
  private watchDoorContact(open: boolean): void {
    this.contactTimer?.();
    this.contactTimer = undefined;
    if (!open) return;
    const seconds = this.cfg.doors.contact.openTooLongSeconds;
    this.contactTimer = this.scheduler.schedule(seconds * 1000, () => this.alarm('door-open-too-long', `door open for more than ${seconds} s`));
  }

  private onRegistration(account: string, s: RegistrationStatus): void {
    const state: RegistrationState = s.state === 'unregistering' ? 'unregistered' : s.state;
    const detail =
      s.state === 'registered'
        ? `expires ${s.expires}s, contact ${s.contact}`
        : s.state === 'failed'
          ? `${s.error?.message ?? 'failed'}; retry in ${Math.round((s.retryInMs ?? 0) / 1000)}s`
          : undefined;
    this.ctx.status.setRegistration(account, state, detail);
    this.emit('registration', account, s);
    this.ctx.emit({ type: 'registration', time: now(), account, state, ...(detail !== undefined ? { detail } : {}) });
  }

  private onIncoming(call: Call, session: IncomingInviteSession): void {
    const from = session.remoteIdentity.toString();
    const peer = session.remoteIdentity.uri.toString();
    const source = session.source;
    // From is the caller's claim; it counts only when the INVITE came through the PBX (or a configured source).
    const trustedSource = this.trusted.trusts(source.address);
    const decision = this.policy.decide({ caller: from, trustedSource, headers: session.request.headers });
    this.logger.info('incoming call', { peer, source: `${source.protocol}:${source.address}:${source.port}`, trustedSource, decision: decision.action });
    if (decision.action === 'reject' && decision.reason === 'untrusted-source') {
      this.logger.warn('an allow-listed From sent from an untrusted source; treated as not allowed', { peer, source: source.address, trusted: this.trusted.describe() });
    }
    if (decision.action === 'reject') {
      answerIncomingCall(call, session, decision, { scheduler: this.scheduler, logger: this.logger });
      this.ctx.record({ type: 'call', direction: 'incoming', peer, outcome: 'rejected', reason: `${decision.reason} (${decision.status})` });
      this.ctx.emit({ type: 'call', time: now(), state: 'ended', direction: 'incoming', peer, reason: `rejected ${decision.status}` });
      return;
    }
    this.pendingIncoming.add(call);
    this.ctx.status.setCall({ state: 'ringing', direction: 'incoming', peer });
    this.ctx.emit({ type: 'call', time: now(), state: 'ringing', direction: 'incoming', peer });
    const permittedCaller = this.policy.grantsDoorAccess({ caller: from, trustedSource });
    const cancel = answerIncomingCall(call, session, decision, { scheduler: this.scheduler, logger: this.logger, onRing: () => this.pulseChime() });
    call.on('state', (state) => {
      if (state !== 'connected') return;
      this.pendingIncoming.delete(call);
      this.track({ call, direction: 'incoming', peer: from, sourceAddress: source.address }, permittedCaller);
      this.ctx.status.setCall({ state: 'connected', direction: 'incoming', peer });
      this.ctx.emit({ type: 'call', time: now(), state: 'connected', direction: 'incoming', peer });
    });
    call.on('ended', (info) => {
      cancel();
      const answered = call.connectedAt !== undefined;
      this.pendingIncoming.delete(call);
      this.ctx.record({
        type: 'call',
        direction: 'incoming',
        peer,
        outcome: answered ? 'answered' : info.reason === 'cancelled' ? 'cancelled' : 'failed',
        ...(answered ? { durationMs: Date.now() - call.connectedAt! } : {}),
        reason: info.reason,
      });
      this.ctx.emit({ type: 'call', time: now(), state: 'ended', direction: 'incoming', peer, reason: info.reason });
      this.callGone();
    });
  }

  /** A connected call: its digits go to the door unlock controller, permitted or not. */
  private track(active: ActiveCall, permittedIncoming = false): void {
    const { call } = active;
    const id = call.session.id;
    this.active.set(id, active);
    const permitted = active.binding ? this.permitted(active) : permittedIncoming;
    this.unlock.callEstablished(id, { caller: active.peer, permitted });
    if (!permitted) this.logger.info('call connected without door access', { peer: active.peer });
    call.on('dtmf', (press: DtmfPress) => this.unlock.digit(id, { digit: press.digit, source: press.source }));
    call.on('ended', () => {
      this.unlock.callEnded(id);
      this.active.delete(id);
      this.callGone();
    });
  }

  /** Door access of a connected call: our call to a configured target, or an allow-listed caller from a trusted source. */
  private permitted(active: ActiveCall): boolean {
    if (active.direction === 'outgoing') return this.cfg.buttons.some((b) => b.targets.some((t) => t.uri === active.peer));
    const trustedSource = active.sourceAddress !== undefined && this.trusted.trusts(active.sourceAddress);
    return this.policy.grantsDoorAccess({ caller: active.peer, trustedSource });
  }

  private onPlanEnded(binding: CallPlanBinding, reason: CallEndReason, target: string | undefined, statuses: number[]): void {
    this.audio.stopTone('ringback');
    const peer = target ?? binding.plan.targets.map((t) => t.uri).join(', ');
    const answered = target !== undefined;
    const unreachable = !answered && reason === 'failed' && statuses.length > 0 && statuses.every((s) => UNREACHABLE.has(s));
    if (reason === 'busy') this.audio.play('busy', FEEDBACK_MS);
    if (unreachable) {
      this.unreachable(binding.input, peer, `no answer from the PBX (status ${statuses.join(', ')})`);
    } else {
      const outcome = answered ? 'answered' : reason === 'cancelled' || reason === 'closed' ? 'cancelled' : reason === 'busy' ? 'rejected' : reason === 'no-answer' ? 'unanswered' : 'failed';
      if (outcome === 'failed') this.audio.play('error');
      this.ctx.record({ type: 'call', direction: 'outgoing', peer, outcome, reason });
    }
    this.ctx.emit({ type: 'call', time: now(), state: 'ended', direction: 'outgoing', peer, reason });
    this.callGone();
  }

  /** Feedback when the PBX cannot be reached: error tone, LED, alarm and call event. */
  private unreachable(input: string, peer: string, detail: string | undefined): void {
    this.audio.play('error');
    this.ctx.record({ type: 'call', direction: 'outgoing', peer, outcome: 'failed', reason: 'pbx-unreachable' });
    this.alarm('pbx-unreachable', `${input} pressed; ${detail ?? 'the PBX does not answer'}`);
    this.ctx.status.recordError('sip', { code: 'PORTIER_ERR_PBX_UNREACHABLE', message: detail ?? 'the PBX does not answer' });
  }

  private callGone(): void {
    if (this.busy) return;
    this.ctx.status.setCall({ state: 'idle' });
    this.emit('idle');
  }

  private onDoorOpened(opening: DoorOpening): void {
    this.audio.play('confirmation');
    this.ctx.record({ type: 'door-open', relay: opening.relay, method: opening.method, ...(opening.caller !== undefined ? { caller: opening.caller } : {}) });
    this.ctx.emit({ type: 'door', time: now(), relay: opening.relay, method: opening.method, ...(opening.caller !== undefined ? { caller: opening.caller } : {}) });
  }

  private alarm(alarm: string, detail: string): void {
    this.logger.warn(`alarm: ${alarm}`, { detail });
    this.ctx.record({ type: 'alarm', alarm, detail });
    this.ctx.emit({ type: 'alarm', time: now(), alarm, detail });
  }
}

function now(): string {
  return new Date().toISOString();
}
