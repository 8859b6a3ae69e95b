#!/usr/bin/env node
import { existsSync } from 'node:fs';
import { parseArgs } from 'node:util';
import { SipService } from '../app/sip-service.js';
import { ConfigError } from '../config/config-error.js';
import { DEFAULT_CONFIG } from '../config/default-config.js';
import { DEFAULT_CONFIG_PATH, loadConfig } from '../config/load-config.js';
import type { PortierConfig } from '../config/portier-config.js';
import { LineLogger } from '../log/logger.js';
import { DemoPbx } from '../sim/demo-pbx.js';
import { PORTIER_VERSION } from '../version.js';
import { API_COMMANDS, runApiCommand } from './commands/run-api-command.js';

const USAGE = `portier ${PORTIER_VERSION} — SIP door station

Usage:
  portier run   [--config FILE]   run the door station (no config file: a simulation on loopback)
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
    options: { config: { type: 'string', short: 'c' }, version: { type: 'boolean' }, help: { type: 'boolean', short: 'h' }, json: { type: 'boolean' } },
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
      await loadConfig(path);
      console.log(`${path}: configuration is valid`);
      return 0;
    }
    return await run(values.config);
  } catch (error) {
    if (error instanceof ConfigError) {
      process.stderr.write(`${error.message}\n`);
      return 78; // EX_CONFIG: systemd will not restart-loop on a broken file.
    }
    throw error;
  }
}

async function run(configPath: string | undefined): Promise<number> {
  const path = configPath ?? (existsSync(DEFAULT_CONFIG_PATH) ? DEFAULT_CONFIG_PATH : undefined);
  let config: PortierConfig;
  let demo: DemoPbx | undefined;
  const logger = new LineLogger('info');
  if (path) {
    config = await loadConfig(path);
    logger.info(`configuration loaded from ${path}`);
  } else {
    // No configuration: the simulation. A demo PBX on loopback stands in for the building's PBX.
    const account = DEFAULT_CONFIG.sip.accounts[0]!;
    demo = await DemoPbx.start({ users: { [account.username]: account.password ?? '' }, logger });
    config = {
      ...DEFAULT_CONFIG,
      sip: {
        ...DEFAULT_CONFIG.sip,
        accounts: [{ ...account, registrar: `sip:127.0.0.1:${demo.port}`, domain: demo.realm }],
        listen: [{ transport: 'udp', address: '127.0.0.1', port: 0 }],
      },
    };
    logger.info(`simulation: no configuration file, demo PBX on udp 127.0.0.1:${demo.port}`);
  }
  const sip = await SipService.start(config, logger);
  for (const [id, registration] of sip.registrations) {
    registration.on('state', (s) => {
      const detail = s.state === 'registered' ? ` (expires ${s.expires}s, contact ${s.contact})` : s.state === 'failed' ? ` (${s.error?.message}; retry in ${Math.round((s.retryInMs ?? 0) / 1000)}s)` : '';
      console.log(`[${id}] registration ${s.state}${detail}`);
    });
  }
  await new Promise<void>((resolve) => {
    const stop = () => resolve();
    process.once('SIGINT', stop);
    process.once('SIGTERM', stop);
  });
  console.log('stopping: un-registering');
  await sip.close();
  await demo?.close();
  return 0;
}

main(process.argv.slice(2)).then(
  (code) => process.exit(code),
  (error: unknown) => {
    process.stderr.write(`portier: ${error instanceof Error ? (error.stack ?? error.message) : String(error)}\n`);
    process.exit(1);
  },
);
