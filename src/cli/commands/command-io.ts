import type { ApiClient } from '../api-client.js';

/** Where a CLI command writes. */
export interface CommandIo {
  out(line: string): void;
  err(line: string): void;
}

/** A subcommand that talks to the running service; resolves with the exit code. */
export type ApiCommand = (client: ApiClient, args: readonly string[], io: CommandIo, flags: { json: boolean }) => Promise<number>;

/** Exit code for wrong usage. */
export const EXIT_USAGE = 2;

/** Writes to the process's stdout and stderr. */
export const processIo: CommandIo = {
  out: (line) => process.stdout.write(line + '\n'),
  err: (line) => process.stderr.write(line + '\n'),
};
