import { existsSync } from 'node:fs';
import { formatDate, formatTime, parseDate } from '../../model/time';
import { barsRange, fundamentalAsOf, universeAsOf } from '../../store/queries';
import { openStore } from '../../store/sqlite-bar-store';
import { parseFlags, UsageError } from '../args';
import { EXIT, type Command } from '../io';

const USAGE = `Usage:
  quantdesk query asof --db DB --symbol S --field F --date D [--json]
      {"symbol","field","date","value","period_end","known_at"}: latest period known by D, latest version; value null if none
  quantdesk query bars --db DB --symbol S [--from D] [--to D] [--adjusted-as-of D] [--json]
      [{"date","open","high","low","close","volume"}] ascending; back-adjusted for actions with ex_date <= D and known_at <= D
  quantdesk query universe --db DB --date D [--name N] [--json]
      ["SYM", ...]: instruments listed on D (delisted names included before their delisting)
Dates are YYYY-MM-DD (00:00 UTC) or ISO datetimes with a zone.`;

function date(flag: string, text: string | undefined): number | undefined {
  if (text === undefined) return undefined;
  const v = parseDate(text);
  if (v === null) throw new UsageError(`--${flag}: "${text}" is not a YYYY-MM-DD date or ISO datetime with zone`);
  return v;
}

/** `quantdesk query asof|bars|universe`. */
export const queryCommand: Command = {
  name: 'query',
  summary: 'Point-in-time queries: a fundamental as of a date, bars (raw or adjusted), the universe',
  usage: USAGE,
  async run(args, io) {
    const { values, positionals } = parseFlags(
      args,
      {
        db: { type: 'string' },
        symbol: { type: 'string' },
        field: { type: 'string' },
        date: { type: 'string' },
        from: { type: 'string' },
        to: { type: 'string' },
        'adjusted-as-of': { type: 'string' },
        name: { type: 'string' },
        json: { type: 'boolean' },
      },
      ['db'],
    );
    const [sub, ...extra] = positionals;
    if (extra.length > 0) throw new UsageError(`unexpected argument "${extra[0]}"`);
    const need = (k: 'symbol' | 'field' | 'date') => {
      const v = values[k];
      if (v === undefined) throw new UsageError(`query ${sub}: missing required option --${k}`);
      return v;
    };
    if (sub !== 'asof' && sub !== 'bars' && sub !== 'universe')
      throw new UsageError(`unknown query "${sub ?? ''}" (asof, bars, universe)`);
    if (!existsSync(values.db!)) {
      io.err(`quantdesk query: no database at ${values.db}\n`);
      return EXIT.badInput;
    }
    const store = openStore(values.db!, { readonly: true });
    try {
      if (sub === 'asof') {
        const symbol = need('symbol');
        const field = need('field');
        const d = date('date', need('date'))!;
        const r = fundamentalAsOf(store, symbol, field, d);
        if (!r.ok) {
          io.err(`quantdesk query: ${r.error.message}\n`);
          return EXIT.badInput;
        }
        const v = r.value;
        const out = {
          symbol,
          field,
          date: formatTime(d),
          value: v.value,
          period_end: v.periodEnd === null ? null : formatDate(v.periodEnd),
          known_at: v.knownAt === null ? null : formatTime(v.knownAt),
        };
        if (values.json) io.out(`${JSON.stringify(out)}\n`);
        else
          io.out(
            v.value === null
              ? `${symbol} ${field} as of ${out.date}: nothing known\n`
              : `${symbol} ${field} as of ${out.date}: ${v.value} (period ${out.period_end}, known ${out.known_at})\n`,
          );
        return EXIT.ok;
      }
      if (sub === 'bars') {
        const symbol = need('symbol');
        const r = barsRange(store, symbol, {
          from: date('from', values.from),
          to: date('to', values.to),
          adjustedAsOf: date('adjusted-as-of', values['adjusted-as-of']),
        });
        if (!r.ok) {
          io.err(`quantdesk query: ${r.error.message}\n`);
          return EXIT.badInput;
        }
        const b = r.value;
        const rows: string[] = [];
        for (let i = 0; i < b.time.length; i++) {
          rows.push(
            values.json
              ? JSON.stringify({
                  date: formatTime(b.time[i]),
                  open: b.open[i],
                  high: b.high[i],
                  low: b.low[i],
                  close: b.close[i],
                  volume: b.volume[i],
                })
              : `${formatTime(b.time[i])}\t${b.open[i]}\t${b.high[i]}\t${b.low[i]}\t${b.close[i]}\t${b.volume[i]}`,
          );
        }
        if (values.json) io.out(`[${rows.join(',')}]\n`);
        else io.out(`date\topen\thigh\tlow\tclose\tvolume\n${rows.map((r) => `${r}\n`).join('')}`);
        return EXIT.ok;
      }
      const d = date('date', need('date'))!;
      const symbols = universeAsOf(store, d, values.name);
      io.out(values.json ? `${JSON.stringify(symbols)}\n` : `${symbols.join('\n')}${symbols.length ? '\n' : ''}`);
      return EXIT.ok;
    } finally {
      store.close();
    }
  },
};
