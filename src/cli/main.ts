#!/usr/bin/env node
import { existsSync } from 'node:fs';
import { parseArgs } from 'node:util';
import { DoorStation } from '../app/door-station.js';
import { PinMapError, resolvePinMap } from '../app/pin-map.js';
import { runUntilStopped } from '../app/process-lifecycle.js';
import { pinRequest } from '../app/station-hardware.js';
import { BoardProfileError } from '../hw/board-profile.js';
import { ConfigError } from '../config/config-error.js';
import { DEFAULT_CONFIG_PATH, loadConfig } from '../config/load-config.js';
import { LineLogger } from '../log/logger.js';
import { registrationLine } from '../sim/live-display.js';
import { Simulation } from '../sim/simulation.js';
import { PORTIER_VERSION } from '../version.js';
import { API_COMMANDS, runApiCommand } from './commands/run-api-command.js';

const USAGE = `portier ${PORTIER_VERSION} — SIP door station

Usage:
  portier run   [--config FILE]   run the door station (no config file: a simulation on loopback)
  portier run --simulate [--http-port N]
                                  the simulation even when ${DEFAULT_CONFIG_PATH} exists
  portier check [--config FILE]   validate a configuration and exit
  portier status [--json]         show the running service's status
  portier open [RELAY]            open a door (the first relay when none is named)
  portier call TARGET             call a SIP URI or extension from the door station
  portier --version

status/open/call talk to the running service's HTTP API, found from the http
section of the configuration file, or PORTIER_API (e.g. http://127.0.0.1:8080)
and PORTIER_TOKEN.

Default configuration file: ${DEFAULT_CONFIG_PATH}
`;

async function main(argv: string[]): Promise<number> {
  const { values, positionals } = parseArgs({
    args: argv,
    allowPositionals: true,
    options: {
      config: { type: 'string', short: 'c' },
      simulate: { type: 'boolean' },
      'http-port': { type: 'string' },
      version: { type: 'boolean' },
      help: { type: 'boolean', short: 'h' },
      json: { type: 'boolean' },
    },
  });
  if (values.version) {
    console.log(PORTIER_VERSION);
    return 0;
  }
  const command = positionals[0] ?? 'run';
  if (!values.help && Object.hasOwn(API_COMMANDS, command)) {
    const configPath = values.config ?? (existsSync(DEFAULT_CONFIG_PATH) ? DEFAULT_CONFIG_PATH : undefined);
    return runApiCommand(command, positionals.slice(1), { ...(configPath !== undefined ? { configPath } : {}), json: values.json ?? false });
  }
  if (values.help || !['run', 'check'].includes(command)) {
    process.stdout.write(USAGE);
    return values.help ? 0 : 2;
  }
  try {
    if (command === 'check') {
      const path = values.config ?? DEFAULT_CONFIG_PATH;
      const config = await loadConfig(path);
      // The wiring too: every logical pin the configuration uses must map onto a GPIO line.
      resolvePinMap(config.hardware, pinRequest(config));
      console.log(`${path}: configuration is valid`);
      return 0;
    }
    const httpPort = values['http-port'] !== undefined ? Number(values['http-port']) : undefined;
    if (httpPort !== undefined && !(Number.isInteger(httpPort) && httpPort > 0 && httpPort < 65536)) {
      process.stderr.write(`--http-port: found "${values['http-port']}", expected a port number 1-65535\n`);
      return 2;
    }
    return await run(values.config, { simulate: values.simulate ?? false, httpPort });
  } catch (error) {
    if (error instanceof ConfigError || error instanceof PinMapError || error instanceof BoardProfileError) {
      process.stderr.write(`${error instanceof ConfigError ? '' : 'invalid hardware configuration: '}${error.message}\n`);
      return 78; // EX_CONFIG: systemd will not restart-loop on a broken file.
    }
    throw error;
  }
}

async function run(configPath: string | undefined, flags: { simulate: boolean; httpPort: number | undefined }): Promise<number> {
  const path = flags.simulate ? undefined : (configPath ?? (existsSync(DEFAULT_CONFIG_PATH) ? DEFAULT_CONFIG_PATH : undefined));
  if (path === undefined) return runSimulation(flags.httpPort);
  // A broken file stops here (ConfigError → exit 78) before any pin, socket or device is opened.
  const config = await loadConfig(path);
  resolvePinMap(config.hardware, pinRequest(config));
  const logger = new LineLogger(config.logging.level);
  logger.info(`configuration loaded from ${path}`);
  const station = await DoorStation.start(config, { logger });
  station.on('registration', (account, s) => console.log(registrationLine(account, s)));
  return runUntilStopped(station, { logger, reloadConfig: () => loadConfig(path) });
}

/** `portier run` with no configuration: the demo on loopback, with a live display. */
async function runSimulation(httpPort: number | undefined): Promise<number> {
  const logger = new LineLogger('warn');
  const tty = process.stdin.isTTY ? process.stdin : undefined;
  const sim = await Simulation.start({ logger, write: (line) => console.log(line), ...(httpPort !== undefined ? { httpPort } : {}), ...(tty ? { tty } : {}) });
  const code = await runUntilStopped(sim.station, {
    logger,
    stopRequested: sim.quitRequested,
    onStop: () => console.log('stopping: un-registering'),
  });
  await sim.stop();
  return code;
}

main(process.argv.slice(2)).then(
  (code) => process.exit(code),
  (error: unknown) => {
    process.stderr.write(`portier: ${error instanceof Error ? (error.stack ?? error.message) : String(error)}\n`);
    process.exit(1);
  },
);
