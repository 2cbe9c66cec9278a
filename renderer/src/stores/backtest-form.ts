import { parseDate } from '../../../core/model/time';
import type { BacktestSpecInput } from '../../../core/backtest/spec';
import { parseValues, type ParamField } from '../lib/param-form';

/** The backtest setup as typed (text fields), beside the strategy's generated params. */
export interface SetupForm {
  readonly symbols: string;
  /** `all` (every listed instrument, point in time) or a stored universe's name; instead of symbols. */
  readonly universe: string;
  readonly start: string;
  readonly end: string;
  readonly capital: string;
  /** Commission in basis points of traded value per fill. */
  readonly commissionBps: string;
  readonly commissionFixed: string;
  readonly slippageBps: string;
  readonly fill: 'next-open' | 'close';
  readonly direction: 'long-short' | 'long-only';
  readonly benchmark: string;
}

/** A setup a first-time user can run as is. */
export const DEFAULT_SETUP: SetupForm = {
  symbols: '',
  universe: '',
  start: '',
  end: '',
  capital: '100000',
  commissionBps: '5',
  commissionFixed: '0',
  slippageBps: '2',
  fill: 'next-open',
  direction: 'long-short',
  benchmark: '',
};

function nonNegative(text: string, label: string, errors: Record<string, string>, key: string): number {
  const n = Number(text.trim());
  if (text.trim() === '' || !Number.isFinite(n) || n < 0) errors[key] = `${label} must be a number ≥ 0`;
  return n;
}

/** `aaa, BBB  ccc` → `['AAA', 'BBB', 'CCC']` (deduplicated, order kept). */
export function parseSymbols(text: string): string[] {
  return [...new Set(text.split(/[\s,;]+/).filter(Boolean).map((s) => s.toUpperCase()))];
}

/**
 * Builds the backtest spec from the setup and the strategy's fields, or explains, per field, what is
 * wrong (`errors` keyed `setup.<field>` or `params.<name>`). The core validates again at the boundary.
 */
export function buildSpec(
  strategy: string | null,
  fields: readonly ParamField[],
  paramTexts: Readonly<Record<string, string>>,
  f: SetupForm,
): { spec: BacktestSpecInput | null; errors: Record<string, string> } {
  const errors: Record<string, string> = {};
  if (!strategy) errors['setup.strategy'] = 'Choose a strategy';
  const p = parseValues(fields, paramTexts);
  for (const [k, v] of Object.entries(p.errors)) errors[`params.${k}`] = v;
  const symbols = parseSymbols(f.symbols);
  const universe = f.universe.trim();
  if (symbols.length === 0 && !universe) errors['setup.symbols'] = 'Enter at least one symbol, or a universe';
  if (symbols.length > 0 && universe) errors['setup.universe'] = 'Give symbols or a universe, not both';
  for (const key of ['start', 'end'] as const) {
    if (f[key].trim() !== '' && parseDate(f[key].trim()) === null) errors[`setup.${key}`] = `${key === 'start' ? 'Start' : 'End'} must be a date YYYY-MM-DD`;
  }
  if (!errors['setup.start'] && !errors['setup.end'] && f.start && f.end && (parseDate(f.start) as number) > (parseDate(f.end) as number))
    errors['setup.end'] = 'End is before start';
  const capital = Number(f.capital.trim());
  if (!Number.isFinite(capital) || capital <= 0) errors['setup.capital'] = 'Capital must be a positive number';
  const bps = nonNegative(f.commissionBps, 'Commission', errors, 'setup.commissionBps');
  const fixed = nonNegative(f.commissionFixed, 'Fixed commission', errors, 'setup.commissionFixed');
  const slip = nonNegative(f.slippageBps, 'Slippage', errors, 'setup.slippageBps');
  if (Object.keys(errors).length > 0) return { spec: null, errors };
  const spec: BacktestSpecInput = {
    strategy: strategy!,
    params: p.values,
    ...(universe ? { universe } : { symbols }),
    capital,
    fill: f.fill,
    direction: f.direction,
    commission: { rate: bps / 10_000, fixed },
    slippageBps: slip,
    ...(f.start.trim() ? { start: f.start.trim() } : {}),
    ...(f.end.trim() ? { end: f.end.trim() } : {}),
    ...(f.benchmark.trim() ? { benchmark: f.benchmark.trim().toUpperCase() } : {}),
  };
  return { spec, errors };
}
