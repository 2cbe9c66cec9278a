import { EXIT, type Command } from '../io';

/** Placeholder until the foundation issue lands this command. */
export const importCommand: Command = {
  name: 'import',
  summary: '(not built yet)',
  usage: 'quantdesk import',
  async run(_args, io) {
    io.err('quantdesk import: not implemented yet\n');
    return EXIT.failure;
  },
};
