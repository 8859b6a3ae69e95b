import { type ApiCommand, EXIT_USAGE } from './command-io.js';

/** `portier call <target>`: rings a SIP URI or extension from the door station. */
export const callCommand: ApiCommand = async (client, args, io, flags) => {
  const [target, ...rest] = args;
  if (target === undefined || rest.length > 0) {
    io.err('usage: portier call <target>   (a SIP URI or an extension)');
    return EXIT_USAGE;
  }
  const placed = await client.call(target);
  io.out(flags.json ? JSON.stringify(placed) : `calling ${placed.target}`);
  return 0;
};
