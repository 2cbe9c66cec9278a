import { listStrategies } from '../../strategies';
import { parseFlags, UsageError } from '../args';
import { EXIT, type Command } from '../io';

const USAGE = `Usage: quantdesk strategies [NAME] [--json]

Lists the built-in strategies with their parameters and defaults; NAME shows one.
--json prints [{"name","description","kind","params"}] on stdout, params being the JSON Schema of the
strategy's parameters (properties with type, default, minimum, maximum, enum, description).`;

interface Prop {
  type?: string;
  default?: unknown;
  minimum?: number;
  maximum?: number;
  enum?: unknown[];
  description?: string;
}

/** `quantdesk strategies [NAME] [--json]`. */
export const strategiesCommand: Command = {
  name: 'strategies',
  summary: 'List the built-in strategies and their parameters',
  usage: USAGE,
  async run(args, io) {
    const { values, positionals } = parseFlags(args, { json: { type: 'boolean' } });
    if (positionals.length > 1) throw new UsageError('expected at most one NAME');
    let list = listStrategies();
    if (positionals.length === 1) {
      list = list.filter((s) => s.name === positionals[0]);
      if (list.length === 0) {
        io.err(`quantdesk strategies: unknown strategy "${positionals[0]}" (${listStrategies().map((s) => s.name).join(', ')})\n`);
        return EXIT.badInput;
      }
    }
    if (values.json) {
      io.out(`${JSON.stringify(list)}\n`);
      return EXIT.ok;
    }
    for (const s of list) {
      io.out(`${s.name}  (${s.kind})\n  ${s.description}\n`);
      const props = (s.params.properties ?? {}) as Record<string, Prop>;
      for (const [name, p] of Object.entries(props)) {
        const bits = [p.enum ? p.enum.join('|') : (p.type ?? 'any')];
        if (p.default !== undefined) bits.push(`default ${JSON.stringify(p.default)}`);
        if (p.minimum !== undefined) bits.push(`min ${p.minimum}`);
        if (p.maximum !== undefined) bits.push(`max ${p.maximum}`);
        io.out(`    ${name.padEnd(18)} ${bits.join(', ')}${p.description ? `  ${p.description}` : ''}\n`);
      }
      io.out('\n');
    }
    return EXIT.ok;
  },
};
