import { ApiClient, ApiClientError } from '../api-client.js';
import { ApiEndpointError, resolveApiEndpoint, type ResolveEndpointOptions } from '../api-endpoint.js';
import { callCommand } from './call-command.js';
import { type ApiCommand, type CommandIo, processIo } from './command-io.js';
import { openCommand } from './open-command.js';
import { statusCommand } from './status-command.js';

/** The subcommands that talk to the running service. */
export const API_COMMANDS: Readonly<Record<string, ApiCommand>> = { call: callCommand, open: openCommand, status: statusCommand };

/** sysexits(3) EX_UNAVAILABLE: the service is not there. */
export const EXIT_UNAVAILABLE = 69;

export interface RunApiCommandOptions extends ResolveEndpointOptions {
  io?: CommandIo;
  json?: boolean;
  fetch?: typeof fetch;
}

/** Runs `portier <name> …` against the service; resolves with the exit code and never throws for expected failures. */
export async function runApiCommand(name: string, args: readonly string[], options: RunApiCommandOptions = {}): Promise<number> {
  const io = options.io ?? processIo;
  const command = API_COMMANDS[name];
  if (!command) throw new Error(`not an API command: ${name}`);
  try {
    const endpoint = await resolveApiEndpoint(options);
    const client = new ApiClient(endpoint, options.fetch ? { fetch: options.fetch } : {});
    return await command(client, args, io, { json: options.json ?? false });
  } catch (error) {
    if (error instanceof ApiEndpointError) {
      io.err(`portier ${name}: ${error.message}`);
      return EXIT_UNAVAILABLE;
    }
    if (error instanceof ApiClientError) {
      const hint = error.code === 'PORTIER_ERR_API_UNAUTHORIZED' ? ' (set PORTIER_TOKEN or http.token)' : '';
      io.err(`portier ${name}: ${error.message}${hint} [${error.code}]`);
      return error.code === 'PORTIER_ERR_API_UNREACHABLE' ? EXIT_UNAVAILABLE : 1;
    }
    throw error;
  }
}
