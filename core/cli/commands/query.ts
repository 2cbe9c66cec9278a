import { EXIT, type Command } from '../io';

/** Placeholder until the foundation issue lands this command. */
export const queryCommand: Command = {
  name: 'query',
  summary: '(not built yet)',
  usage: 'quantdesk query',
  async run(_args, io) {
    io.err('quantdesk query: not implemented yet\n');
    return EXIT.failure;
  },
};
