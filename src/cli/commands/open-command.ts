import { type ApiCommand, EXIT_USAGE } from './command-io.js';

/** `portier open [relay]`: opens a door (the first relay when none is named). */
export const openCommand: ApiCommand = async (client, args, io, flags) => {
  if (args.length > 1) {
    io.err('usage: portier open [relay]');
    return EXIT_USAGE;
  }
  const opened = await client.openDoor(args[0]);
  io.out(flags.json ? JSON.stringify(opened) : `opened ${opened.relay}`);
  return 0;
};
