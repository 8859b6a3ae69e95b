import { mkdir } from 'node:fs/promises';
import { dirname } from 'node:path';
import { HttpApi } from '../api/http-api.js';
import { StationControlError, type StationControl, type StationEvent } from '../api/station-control.js';
import { diffConfig, type ConfigDiff } from '../config/diff-config.js';
import type { PortierConfig } from '../config/portier-config.js';
import { EventLog, type PortierEventInput } from '../events/event-log.js';
import { BruteForceGuard } from '../door/brute-force-guard.js';
import type { GpioDriver } from '../hw/gpio/digital-io.js';
import { bruteForceLimits } from '../intercom/door-unlock-controller.js';
import type { Scheduler } from '../intercom/scheduler.js';
import { StationStatus } from '../intercom/station-status.js';
import type { Logger } from '../log/logger.js';
import { StatusReporter } from '../service/status-reporter.js';
import { SystemdNotifier } from '../service/systemd-notifier.js';
import { WatchdogPinger } from '../service/watchdog-pinger.js';
import { TypedEmitter } from '../util/typed-emitter.js';
import { doorStationControl } from './door-station-control.js';
import { resolvePinMap } from './pin-map.js';
import { needsRestart } from './reload-plan.js';
import { pinRequest } from './station-hardware.js';
import { StationRuntime, type StationRuntimeEvents } from './station-runtime.js';

/** Options of {@link DoorStation.start}. */
export interface DoorStationOptions {
  logger: Logger;
  /** Enables the API's `/sim/…` routes (also on whenever the GPIO driver is `sim`). */
  simulation?: boolean;
  /** Environment holding NOTIFY_SOCKET / WATCHDOG_USEC; defaults to `process.env`. */
  env?: Record<string, string | undefined>;
  /** A GPIO driver to use instead of the configured one (tests, benchmarks). */
  gpioDriver?: GpioDriver;
  scheduler?: Scheduler;
  /** Least time between systemd STATUS= lines (default 1000 ms). */
  statusIntervalMs?: number;
}

/** What a reload did. */
export interface ReloadOutcome {
  /** Changed key paths (never values). */
  changed: string[];
  /** Whether the parts that need a restart (SIP, hardware, audio, timers) were restarted now or wait for the call to end. */
  restart: 'none' | 'now' | 'deferred';
}

/** Events of the door station: everything the API streams, plus what displays want. */
export type DoorStationEvents = {
  event: [event: StationEvent];
  led: StationRuntimeEvents['led'];
  registration: StationRuntimeEvents['registration'];
  /** A configuration was applied (after a reload). */
  reloaded: [outcome: ReloadOutcome];
};

/**
 * The door station: the runtime built from the configuration (GPIO, audio, SIP,
 * intercom policy), with the status model, the durable event log, the HTTP API and
 * systemd notifications around it. A reload applies codes, plans, answer policy and
 * LEDs at once and restarts SIP/hardware/audio only when no call is in progress.
 */
export class DoorStation extends TypedEmitter<DoorStationEvents> {
  readonly status: StationStatus;
  readonly control: StationControl;
  private runtime: StationRuntime | undefined;
  private api: HttpApi | undefined;
  private eventLog: EventLog | undefined;
  private readonly notifier: SystemdNotifier;
  private readonly watchdog: WatchdogPinger;
  /** Wrong-code counts and lockout: kept across reloads and runtime restarts, so neither lifts a lockout. */
  private readonly guard: BruteForceGuard;
  private reporter: StatusReporter | undefined;
  private pendingRestart: PortierConfig | undefined;
  private reloads: Promise<unknown> = Promise.resolve();
  /** The configuration the running runtime was started from (a failed restart goes back to it). */
  private startedConfig: PortierConfig;
  private restarting: Promise<void> | undefined;
  private stopping: Promise<void> | undefined;

  private constructor(
    private cfg: PortierConfig,
    private readonly options: DoorStationOptions,
  ) {
    super();
    this.startedConfig = cfg;
    this.status = new StationStatus();
    this.guard = new BruteForceGuard(bruteForceLimits(cfg.doors.bruteForce));
    this.notifier = new SystemdNotifier({ ...(options.env ? { env: options.env } : {}), logger: options.logger });
    this.watchdog = new WatchdogPinger(this.notifier, options.env ? { env: options.env } : {});
    this.control = doorStationControl(this);
  }

  /** Starts everything; resolves once hardware, audio and SIP are up and READY=1 was sent. */
  static async start(config: PortierConfig, options: DoorStationOptions): Promise<DoorStation> {
    const station = new DoorStation(config, options);
    try {
      await station.openEventLog(config);
      await station.startRuntime(config);
      station.api = await HttpApi.fromConfig(config.http, station.control, options.logger);
    } catch (error) {
      await station.stop();
      throw error;
    }
    station.reporter = new StatusReporter(station.status, station.notifier, options.statusIntervalMs !== undefined ? { minIntervalMs: options.statusIntervalMs } : {});
    await station.notifier.ready(station.status.summary());
    station.watchdog.start();
    options.logger.info('door station ready', { accounts: config.sip.accounts.length, buttons: config.buttons.length, relays: config.doors.relays.length });
    return station;
  }

  /** The configuration in effect. */
  get config(): PortierConfig {
    return this.cfg;
  }

  /** The running runtime (hardware, audio, SIP); undefined while a restart is in progress. */
  get current(): StationRuntime | undefined {
    return this.runtime;
  }

  /** Whether the API's simulation routes are on. */
  get simulation(): boolean {
    return this.options.simulation === true || this.runtime?.hardware.simulated === true;
  }

  /** The port the HTTP API listens on, if it runs. */
  get apiPort(): number | undefined {
    return this.api?.port;
  }

  /** Every output off, synchronously: for SIGTERM, crashes and the exit path. */
  failSafe(): void {
    this.runtime?.hardware.driveAllOutputsInactive();
  }

  /**
   * Applies a new, already validated configuration. Door codes, call plans, answer
   * policy, relay timing and LEDs take effect at once (a plan in progress finishes
   * first); SIP, hardware, audio and timer changes restart those parts, deferred until
   * no call is ringing or connected; HTTP and event log changes reopen them.
   */
  reload(next: PortierConfig): Promise<ReloadOutcome> {
    // One at a time: two overlapping reloads each closed the same HTTP API and event log and opened their own, leaking one.
    const run = this.reloads.then(() => this.reloadNow(next));
    this.reloads = run.catch(() => undefined);
    return run;
  }

  private async reloadNow(next: PortierConfig): Promise<ReloadOutcome> {
    if (this.stopping) throw new StationControlError('PORTIER_ERR_UNAVAILABLE', 'the door station is stopping');
    const previous = this.cfg;
    // The wiring is checked before anything changes, as `portier check` does: a reload
    // whose pins cannot be mapped (or give one pin two roles) is refused like a bad file.
    resolvePinMap(next.hardware, pinRequest(next));
    const diff = diffConfig(previous, next);
    if (diff.paths.length === 0) return { changed: [], restart: 'none' };
    await this.notifier.reloading();
    let outcome: ReloadOutcome['restart'] = 'none';
    try {
      this.cfg = next;
      const restart = needsRestart(previous, next, diff);
      if (restart) {
        this.pendingRestart = next;
        outcome = this.runtime?.busy ? 'deferred' : 'now';
        if (outcome === 'now') await this.restartIfPending();
        else {
          // Codes, plans, policy and LEDs still change at once; the rest when the call has ended.
          this.runtime?.update(next, diff);
          this.options.logger.info('part of the configuration change waits for the call to end', { paths: diff.paths.join(', ') });
        }
      } else {
        this.runtime?.update(next, diff);
      }
      await this.applyEdges(previous, next, diff);
    } finally {
      // Also after a failed reload: systemd keeps the unit "reloading" until READY=1.
      await this.notifier.ready(this.status.summary());
    }
    this.options.logger.info('configuration reloaded', { changed: diff.paths.join(', '), restart: outcome });
    const result = { changed: diff.paths, restart: outcome };
    this.emit('reloaded', result);
    return result;
  }

  /** Hangs up, un-registers, turns every output off and closes everything; idempotent. */
  stop(): Promise<void> {
    this.stopping ??= (async () => {
      await this.notifier.stopping('stopping');
      this.watchdog.close();
      this.reporter?.close();
      await this.restarting?.catch(() => undefined);
      await this.reloads;
      this.failSafe();
      await this.runtime?.close();
      this.runtime = undefined;
      await this.api?.close();
      await this.eventLog?.close();
      this.notifier.close();
    })();
    return this.stopping;
  }

  /** Delivers station events to `listener` until the returned function is called. */
  subscribe(listener: (event: StationEvent) => void): () => void {
    this.on('event', listener);
    return () => this.off('event', listener);
  }

  /** Appends to the event log; a failure is logged and shown in the status, never thrown. */
  record(event: PortierEventInput): void {
    const log = this.eventLog;
    if (!log) return;
    log.append(event).catch((error: unknown) => {
      this.options.logger.error('event log append failed', { error: error as Error });
      this.status.recordError('event-log', error);
    });
  }

  private async openEventLog(config: PortierConfig): Promise<void> {
    await mkdir(dirname(config.eventLog.path), { recursive: true });
    this.eventLog = await EventLog.open({
      path: config.eventLog.path,
      maxBytes: config.eventLog.maxBytes,
      onRotateError: (error) => {
        this.options.logger.warn('event log rotation failed; appending to the current file', { error: error as Error });
        this.status.recordError('event-log', error);
      },
    });
  }

  private async startRuntime(config: PortierConfig): Promise<void> {
    const runtime = await StationRuntime.start(config, {
      logger: this.options.logger,
      status: this.status,
      emit: (event) => this.emit('event', event),
      record: (event) => this.record(event),
      guard: this.guard,
      ...(this.options.scheduler ? { scheduler: this.options.scheduler } : {}),
      ...(this.options.gpioDriver ? { gpioDriver: this.options.gpioDriver } : {}),
    });
    runtime.on('led', (...args) => this.emit('led', ...args));
    runtime.on('registration', (...args) => this.emit('registration', ...args));
    runtime.on('idle', () => {
      this.restartIfPending().catch((error: unknown) => this.options.logger.error('deferred restart failed', { error: error as Error }));
    });
    this.runtime = runtime;
    this.startedConfig = config;
  }

  /** Restarts the runtime on the pending configuration when no call is in progress. */
  private async restartIfPending(): Promise<void> {
    if (this.restarting || this.stopping) return this.restarting;
    const next = this.pendingRestart;
    if (!next || this.runtime?.busy) return;
    this.pendingRestart = undefined;
    this.restarting = (async () => {
      this.options.logger.info('restarting SIP, audio and hardware with the new configuration');
      const old = this.runtime;
      this.runtime = undefined;
      await old?.close();
      try {
        await this.startRuntime(next);
      } catch (error) {
        // Without a runtime nothing works, not even the exit button: go back to the last configuration that started.
        this.options.logger.error('restart with the new configuration failed; going back to the previous one', { error: error as Error });
        this.status.recordError('reload', error);
        const previous = this.startedConfig;
        this.cfg = previous;
        await this.startRuntime(previous);
        throw error;
      }
    })().finally(() => {
      this.restarting = undefined;
    });
    return this.restarting;
  }

  /** HTTP API and event log: reopened at once (no call depends on them). */
  private async applyEdges(previous: PortierConfig, next: PortierConfig, diff: ConfigDiff): Promise<void> {
    if (diff.changed('eventLog')) {
      // The new log opens before the old one closes: a door opened in between is still recorded (in one or the other).
      const old = this.eventLog;
      await this.openEventLog(next);
      await old?.close();
    }
    if (diff.changed('http')) {
      await this.api?.close();
      this.api = await HttpApi.fromConfig(next.http, this.control, this.options.logger);
    }
    if (diff.changed('logging') && previous.logging.level !== next.logging.level) {
      this.options.logger.warn('logging.level changes take effect at the next start');
    }
  }
}
