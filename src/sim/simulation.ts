import { join } from 'node:path';
import { DoorStation } from '../app/door-station.js';
import type { Logger } from '../log/logger.js';
import { DemoFlatPhone, demoFlatScript } from './demo-flat-phone.js';
import { DemoPbx } from './demo-pbx.js';
import { KEYBOARD_HELP, KeyboardInput } from './keyboard-input.js';
import { LiveDisplay, type DisplayWriter } from './live-display.js';
import { DEMO_DOOR_CODE, DEMO_DOOR_PASSWORD, DEMO_FLAT_PASSWORD, simulationConfig } from './simulation-config.js';

/** Options of {@link Simulation.start}. */
export interface SimulationOptions {
  logger: Logger;
  write: DisplayWriter;
  /** Port of the HTTP API (default 8080). */
  httpPort?: number;
  /** Where the event log goes (default {@link simulationStateDir}). */
  stateDir?: string;
  /** A terminal for single-key control; without one the HTTP API drives the simulation. */
  tty?: NodeJS.ReadStream;
  env?: Record<string, string | undefined>;
}

/** `$XDG_STATE_HOME/portier-sim` when set, else `.portier-sim` in the working directory: writable without privileges. */
export function simulationStateDir(env: Record<string, string | undefined> = process.env, cwd = process.cwd()): string {
  return env.XDG_STATE_HOME ? join(env.XDG_STATE_HOME, 'portier-sim') : join(cwd, '.portier-sim');
}

/** How long a key "press" holds the simulated button (well past the 30 ms debounce). */
const KEY_PRESS_MS = 200;

/**
 * The whole story on one machine (`portier run` with no configuration): a demo PBX
 * (registrar) on loopback, the demo flat phone registered at it, and the door
 * station on simulated GPIO and audio, with a live display and keyboard control.
 *
 * The bell calls the flat phone's own address directly: the demo PBX is a registrar
 * only, so the door shows a real registration, while the call itself needs no proxy
 * (the Kamailio tests cover calls through a real one).
 */
export class Simulation {
  private keyboard: KeyboardInput | undefined;
  private quit!: () => void;
  /** Resolves when the user asked to quit (`q`). */
  readonly quitRequested = new Promise<void>((resolve) => (this.quit = resolve));

  private constructor(
    readonly station: DoorStation,
    readonly pbx: DemoPbx,
    readonly flat: DemoFlatPhone,
    readonly display: LiveDisplay,
  ) {}

  static async start(options: SimulationOptions): Promise<Simulation> {
    const { logger } = options;
    const pbx = await DemoPbx.start({ users: { door: DEMO_DOOR_PASSWORD, flat: DEMO_FLAT_PASSWORD }, logger });
    let flat: DemoFlatPhone | undefined;
    try {
      flat = await DemoFlatPhone.start({
        registrar: `sip:127.0.0.1:${pbx.port}`,
        domain: pbx.realm,
        username: 'flat',
        password: DEMO_FLAT_PASSWORD,
        script: demoFlatScript(DEMO_DOOR_CODE),
        logger,
      });
      const stateDir = options.stateDir ?? simulationStateDir(options.env);
      const config = simulationConfig({
        pbxPort: pbx.port,
        domain: pbx.realm,
        flatUri: flat.uri,
        httpPort: options.httpPort ?? 8080,
        eventLogPath: join(stateDir, 'events.jsonl'),
      });
      const station = await DoorStation.start(config, { logger, simulation: true, ...(options.env ? { env: options.env } : {}) });
      const display = new LiveDisplay(station, options.write);
      const sim = new Simulation(station, pbx, flat, display);
      flat.on('step', (text) => display.line(text));
      display.line(`simulation: demo PBX on udp 127.0.0.1:${pbx.port}, flat phone at ${flat.uri}, HTTP API on http://127.0.0.1:${station.apiPort}`);
      display.line(`simulation: door code ${DEMO_DOOR_CODE}# (the flat keys it after answering); event log ${config.eventLog.path}`);
      if (options.tty) {
        sim.keyboard = new KeyboardInput(options.tty, sim.keyActions());
        display.line(KEYBOARD_HELP);
      } else {
        display.line(`no terminal: drive it with curl -X POST http://127.0.0.1:${station.apiPort}/sim/input/bell1/press (and /release)`);
      }
      return sim;
    } catch (error) {
      await flat?.close();
      await pbx.close();
      throw error;
    }
  }

  /** Stops the door station (un-registers), then the flat and the PBX. Idempotent. */
  async stop(): Promise<void> {
    this.keyboard?.close();
    await this.station.stop();
    this.display.close();
    await this.flat.close();
    await this.pbx.close();
  }

  private keyActions() {
    const control = this.station.control;
    const report = (error: unknown) => this.display.line(`error: ${(error as Error).message}`);
    const tap = (input: string) => {
      try {
        control.setSimulatedInput(input, true);
        setTimeout(() => {
          try {
            control.setSimulatedInput(input, false);
          } catch (error) {
            report(error);
          }
        }, KEY_PRESS_MS).unref();
      } catch (error) {
        report(error);
      }
    };
    const toggles = new Map<string, boolean>();
    const toggle = (input: string) => {
      const next = !(toggles.get(input) ?? false);
      toggles.set(input, next);
      try {
        control.setSimulatedInput(input, next);
      } catch (error) {
        report(error);
      }
    };
    return {
      pressBell: () => tap('bell1'),
      pressExit: () => tap('exit_button'),
      toggleDoorContact: () => toggle('contact1'),
      toggleTamper: () => toggle('tamper1'),
      hangUp: () => void control.hangUp().catch(report),
      quit: () => this.quit(),
    };
  }
}
