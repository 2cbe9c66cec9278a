import { EXIT, type Command } from '../io';

/** Placeholder until the foundation issue lands this command. */
export const initCommand: Command = {
  name: 'init',
  summary: '(not built yet)',
  usage: 'quantdesk init',
  async run(_args, io) {
    io.err('quantdesk init: not implemented yet\n');
    return EXIT.failure;
  },
};
