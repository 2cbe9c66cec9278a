import { readBarCsv } from '../../indicators/bar-csv';
import { INDICATORS, isIndicatorName, listIndicators, VALUE } from '../../indicators/registry';
import { parseFlags, parseKeyValues, UsageError } from '../args';
import { EXIT, type Command } from '../io';

const USAGE = `Usage: quantdesk indicator NAME --input FILE.csv [--param k=v ...] [--json]
       quantdesk indicator --list [--json]

Computes one indicator over the bars of FILE.csv (header date,open,high,low,close,volume; dates ascending).
Values equal TA-Lib's (same seeding and first valid index); vwap and ichimoku are not in TA-Lib.
--json prints a JSON array with one entry per input row: a number (null during warm-up) for single-output
indicators, an object of the output keys (values or null) for the others. Without --json: CSV on stdout.
Bad file or parameter: exit 2 with FILE:LINE: column: reason (or --param NAME: reason) on stderr.
--list prints the indicators with their parameters (defaults) and output keys.

Indicators: ${Object.keys(INDICATORS).join(', ')}`;

function fmt(v: number): number | null {
  return Number.isNaN(v) ? null : v;
}

/** `quantdesk indicator NAME --input FILE.csv [--param k=v ...] [--json]`. */
export const indicatorCommand: Command = {
  name: 'indicator',
  summary: 'Compute a technical indicator (TA-Lib-equal) over a CSV of bars',
  usage: USAGE,
  async run(args, io) {
    const { values, positionals } = parseFlags(args, {
      input: { type: 'string' },
      param: { type: 'string', multiple: true },
      json: { type: 'boolean' },
      list: { type: 'boolean' },
    });
    if (values.list) {
      const list = listIndicators();
      if (values.json)
        io.out(
          `${JSON.stringify(list.map(({ name, description, defaults, outputs }) => ({ name, description, defaults, outputs })))}\n`,
        );
      else
        for (const i of list)
          io.out(
            `${i.name.padEnd(10)} ${JSON.stringify(i.defaults).padEnd(42)} ${i.outputs.join(',').padEnd(30)} ${i.description}\n`,
          );
      return EXIT.ok;
    }
    const [name, ...extra] = positionals;
    if (name === undefined || extra.length > 0) throw new UsageError('expected exactly one indicator NAME');
    if (!isIndicatorName(name))
      throw new UsageError(`unknown indicator "${name}" (${Object.keys(INDICATORS).join(', ')})`);
    if (values.input === undefined) throw new UsageError('missing required option --input');
    const ind = INDICATORS[name];
    const parsed = ind.params.safeParse(parseKeyValues(values.param));
    if (!parsed.success) {
      for (const issue of parsed.error.issues) {
        const keys = 'keys' in issue && Array.isArray(issue.keys) ? issue.keys.join(',') : issue.path.join('.');
        io.err(`--param ${keys || name}: ${issue.message}\n`);
      }
      return EXIT.badInput;
    }
    const bars = await readBarCsv(values.input);
    if (!bars.ok) {
      io.err(`quantdesk indicator: ${bars.error.message}\n`);
      for (const d of bars.error.details ?? []) io.err(`${d}\n`);
      return bars.error.code === 'not-found' || bars.error.code === 'invalid-input' ? EXIT.badInput : EXIT.failure;
    }
    const cols = ind.batch(bars.value, parsed.data);
    const keys = ind.outputs;
    const n = bars.value.close.length;
    const isSingle = keys.length === 1 && keys[0] === VALUE;
    const parts: string[] = [];
    if (values.json) {
      for (let i = 0; i < n; i++) {
        if (isSingle) parts.push(JSON.stringify(fmt(cols[VALUE][i])));
        else {
          const row: Record<string, number | null> = {};
          for (const k of keys) row[k] = fmt(cols[k][i]);
          parts.push(JSON.stringify(row));
        }
      }
      io.out(`[${parts.join(',')}]\n`);
    } else {
      parts.push(`time,${isSingle ? name : keys.join(',')}\n`);
      for (let i = 0; i < n; i++) {
        let line = new Date(bars.value.time[i]).toISOString();
        for (const k of keys) line += `,${Number.isNaN(cols[k][i]) ? '' : cols[k][i]}`;
        parts.push(`${line}\n`);
      }
      io.out(parts.join(''));
    }
    return EXIT.ok;
  },
};
