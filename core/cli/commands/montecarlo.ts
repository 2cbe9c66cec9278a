import { existsSync } from 'node:fs';
import { monteCarloOfStoredRun, MonteCarloInputError } from '../../optimize/montecarlo-run';
import { openStore } from '../../store/sqlite-bar-store';
import { parseFlags, UsageError } from '../args';
import { EXIT, type Command } from '../io';
import { fmt } from './optimize-common';
import { MAX_PATHS } from '../../optimize/montecarlo';

const USAGE = `Usage: quantdesk montecarlo --run ID --db DB [--paths N] [--method trades|returns] [--seed S] [--ruin F] [--block N] [--json]

Monte Carlo robustness of a stored backtest (\`quantdesk runs list\`), reproducible by seed:
  --method trades    (default) resample the run's closed trades with replacement; each trade's return
                     is its P&L over the equity before its entry
  --method returns   circular block bootstrap of the per-bar returns (blocks of --block bars,
                     default sqrt(bars)), which keeps volatility clustering
  --paths N          number of paths (default 1000, at most 1,000,000)      --seed S   PRNG seed (default 1)
  --ruin F           loss fraction counted as ruin (default 0.5: losing half)
--json prints {"method","paths","seed","blockLength","steps","capital","finalEquity","maxDrawdown","cagr",
"ruin","probabilityOfRuin"}, each distribution being {"p5","p25","p50","p75","p95","mean"} (null if undefined).`;

/** \`quantdesk montecarlo\`: bootstrap a stored run's trades or returns. */
export const montecarloCommand: Command = {
  name: 'montecarlo',
  summary: 'Monte Carlo of a stored run: percentiles of final equity, drawdown and CAGR, risk of ruin',
  usage: USAGE,
  async run(args, io) {
    const { values } = parseFlags(
      args,
      {
        run: { type: 'string' },
        db: { type: 'string' },
        paths: { type: 'string' },
        method: { type: 'string' },
        seed: { type: 'string' },
        ruin: { type: 'string' },
        block: { type: 'string' },
        json: { type: 'boolean' },
      },
      ['run', 'db'],
    );
    const paths = intFlag(values.paths as string | undefined, 'paths', 1000, 1);
    if (paths > MAX_PATHS)
      throw new UsageError(`--paths: at most ${MAX_PATHS.toLocaleString('en-US')}, got ${values.paths}`);
    const seed = intFlag(values.seed as string | undefined, 'seed', 1, Number.MIN_SAFE_INTEGER);
    const blockLength = values.block === undefined ? undefined : intFlag(values.block as string, 'block', 1, 1);
    const method = (values.method as string | undefined) ?? 'trades';
    if (method !== 'trades' && method !== 'returns')
      throw new UsageError(`--method: expected trades or returns, got "${method}"`);
    const ruin = values.ruin === undefined ? 0.5 : Number(values.ruin);
    if (!(ruin > 0 && ruin <= 1)) throw new UsageError(`--ruin: expected a fraction in (0, 1], got "${values.ruin}"`);
    if (!existsSync(values.db as string)) {
      io.err(`quantdesk montecarlo: ${values.db}: no such database\n`);
      return EXIT.badInput;
    }
    const store = openStore(values.db as string, { readonly: true });
    try {
      const out = monteCarloOfStoredRun(store, values.run as string, { method, paths, seed, ruin, blockLength });
      if (!out) {
        io.err(`quantdesk montecarlo: no run "${values.run}" in ${values.db}\n`);
        return EXIT.badInput;
      }
      if (values.json) {
        io.out(`${JSON.stringify(out)}\n`);
        return EXIT.ok;
      }
      io.out(
        `${out.paths} paths, ${out.method} (${out.steps} steps${out.method === 'returns' ? `, blocks of ${out.blockLength}` : ''}), seed ${out.seed}\n`,
      );
      io.out('              p5        p25       p50       p75       p95\n');
      for (const [name, d, digits] of [
        ['final equity', out.finalEquity, 0],
        ['max drawdown', out.maxDrawdown, 3],
        ['CAGR', out.cagr, 3],
      ] as const) {
        io.out(
          `${name.padEnd(13)} ${[d.p5, d.p25, d.p50, d.p75, d.p95].map((x) => fmt(x, digits).padStart(9)).join(' ')}\n`,
        );
      }
      io.out(
        `probability of losing ${(out.ruin * 100).toFixed(0)}% or more: ${(out.probabilityOfRuin * 100).toFixed(2)}%\n`,
      );
      return EXIT.ok;
    } catch (e) {
      if (
        e instanceof MonteCarloInputError ||
        (e instanceof Error && /no closed trades|fewer than two/.test(e.message))
      ) {
        io.err(`quantdesk montecarlo: ${e.message}\n`);
        return EXIT.badInput;
      }
      throw e;
    } finally {
      store.close();
    }
  },
};

function intFlag(raw: string | undefined, name: string, fallback: number, min: number): number {
  if (raw === undefined) return fallback;
  const n = Number(raw);
  if (!Number.isInteger(n) || n < min)
    throw new UsageError(`--${name}: expected an integer${min === 1 ? ' >= 1' : ''}, got "${raw}"`);
  return n;
}
