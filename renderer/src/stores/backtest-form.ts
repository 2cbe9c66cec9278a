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
  /** Position sizing (`spec.sizing`): method and the settings it reads. */
  readonly sizingMethod: SizingMethod;
  readonly sizingFraction: string;
  readonly sizingQty: string;
  readonly sizingTargetVol: string;
  readonly sizingLookback: string;
  readonly sizingMaxWeight: string;
  readonly wholeUnits: boolean;
  readonly closeAtEnd: boolean;
  readonly endFill: 'close' | 'open';
  readonly intrabar: 'conservative' | 'optimistic';
  readonly adjustment: 'pit' | 'raw';
  /** `spec.signalPrices`: the prices strategies see (fills are always traded prices). */
  readonly signalPrices: 'adjusted' | 'raw';
  /** `spec.types` with a universe, comma-separated (empty: stocks). */
  readonly types: string;
  readonly barsPerYear: string;
  readonly warmup: string;
  /** Spec-level protective exits (`spec.exits`), each off, in percent or in ATR multiples. */
  readonly stopLoss: ExitForm;
  readonly takeProfit: ExitForm;
  readonly trailingStop: ExitForm;
}

export const SIZING_METHODS = ['all-in', 'fixed-fraction', 'fixed-qty', 'volatility-target', 'equal-weight'] as const;
export type SizingMethod = (typeof SIZING_METHODS)[number];

/** One protective exit as typed: `value` is a percent (`pct`) or an ATR multiple (`atr`, over `period` bars). */
export interface ExitForm {
  readonly kind: 'off' | 'pct' | 'atr';
  readonly value: string;
  readonly period: string;
}
export const EXIT_KEYS = ['stopLoss', 'takeProfit', 'trailingStop'] as const;
const EXIT_OFF: ExitForm = { kind: 'off', value: '', period: '14' };

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
  sizingMethod: 'all-in',
  sizingFraction: '1',
  sizingQty: '1',
  sizingTargetVol: '0.15',
  sizingLookback: '20',
  sizingMaxWeight: '1',
  wholeUnits: true,
  closeAtEnd: false,
  endFill: 'close',
  intrabar: 'conservative',
  adjustment: 'pit',
  signalPrices: 'adjusted',
  types: '',
  barsPerYear: '252',
  warmup: '0',
  stopLoss: EXIT_OFF,
  takeProfit: EXIT_OFF,
  trailingStop: EXIT_OFF,
};

function nonNegative(text: string, label: string, errors: Record<string, string>, key: string): number {
  const n = Number(text.trim());
  if (text.trim() === '' || !Number.isFinite(n) || n < 0) errors[key] = `${label} must be a number ≥ 0`;
  return n;
}

/** `aaa, BBB  ccc` → `['AAA', 'BBB', 'CCC']` (deduplicated, order kept). */
export function parseSymbols(text: string): string[] {
  return [
    ...new Set(
      text
        .split(/[\s,;]+/)
        .filter(Boolean)
        .map((s) => s.toUpperCase()),
    ),
  ];
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
    if (f[key].trim() !== '' && parseDate(f[key].trim()) === null)
      errors[`setup.${key}`] = `${key === 'start' ? 'Start' : 'End'} must be a date YYYY-MM-DD`;
  }
  if (
    !errors['setup.start'] &&
    !errors['setup.end'] &&
    f.start &&
    f.end &&
    (parseDate(f.start) as number) > (parseDate(f.end) as number)
  )
    errors['setup.end'] = 'End is before start';
  const capital = Number(f.capital.trim());
  if (!Number.isFinite(capital) || capital <= 0) errors['setup.capital'] = 'Capital must be a positive number';
  const bps = nonNegative(f.commissionBps, 'Commission', errors, 'setup.commissionBps');
  const fixed = nonNegative(f.commissionFixed, 'Fixed commission', errors, 'setup.commissionFixed');
  const slip = nonNegative(f.slippageBps, 'Slippage', errors, 'setup.slippageBps');
  const extra = buildExtras(f, errors);
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
    ...extra,
  };
  return { spec, errors };
}

function positive(
  text: string,
  label: string,
  errors: Record<string, string>,
  key: string,
  opts: { int?: boolean; min?: number; max?: number } = {},
): number {
  const t = text.trim();
  const n = Number(t);
  const min = opts.min ?? 0;
  const bad =
    t === '' ||
    !Number.isFinite(n) ||
    (opts.min === undefined ? n <= 0 : n < min) ||
    (opts.max !== undefined && n > opts.max) ||
    (opts.int && !Number.isInteger(n));
  if (bad) {
    const range = opts.min === undefined ? 'greater than 0' : `at least ${min}`;
    errors[key] =
      `${label} must be ${opts.int ? 'a whole number' : 'a number'} ${range}${opts.max !== undefined ? ` and at most ${opts.max}` : ''}`;
  }
  return n;
}

/** The spec fields beyond the basics, each only when it differs from the engine's default (a short spec reads better). */
function buildExtras(f: SetupForm, errors: Record<string, string>): Partial<BacktestSpecInput> {
  const out: Record<string, unknown> = {};
  const d = DEFAULT_SETUP;
  const m = f.sizingMethod;
  if (m !== 'all-in') {
    const sizing: Record<string, unknown> = { method: m };
    if (m === 'fixed-fraction')
      sizing.fraction = positive(f.sizingFraction, 'Fraction', errors, 'setup.sizingFraction', { max: 10 });
    if (m === 'fixed-qty') sizing.qty = positive(f.sizingQty, 'Quantity', errors, 'setup.sizingQty');
    if (m === 'volatility-target') {
      sizing.targetVol = positive(f.sizingTargetVol, 'Target volatility', errors, 'setup.sizingTargetVol');
      sizing.lookback = positive(f.sizingLookback, 'Lookback', errors, 'setup.sizingLookback', { int: true, min: 2 });
      sizing.maxWeight = positive(f.sizingMaxWeight, 'Max weight', errors, 'setup.sizingMaxWeight');
    }
    out.sizing = sizing;
  }
  if (f.wholeUnits !== d.wholeUnits) out.wholeUnits = f.wholeUnits;
  if (f.closeAtEnd !== d.closeAtEnd) out.closeAtEnd = f.closeAtEnd;
  if (f.endFill !== d.endFill) out.endFill = f.endFill;
  if (f.intrabar !== d.intrabar) out.intrabar = f.intrabar;
  if (f.adjustment !== d.adjustment) out.adjustment = f.adjustment;
  if (f.signalPrices !== d.signalPrices) out.signalPrices = f.signalPrices;
  const types = f.types
    .split(',')
    .map((t) => t.trim().toLowerCase())
    .filter((t) => t !== '');
  if (types.length > 0) out.types = types;
  const bpy = positive(f.barsPerYear, 'Bars per year', errors, 'setup.barsPerYear');
  if (bpy !== 252) out.barsPerYear = bpy;
  const warm = positive(f.warmup, 'Warm-up', errors, 'setup.warmup', { int: true, min: 0 });
  if (warm !== 0) out.warmup = warm;
  const exits: Record<string, unknown> = {};
  for (const key of EXIT_KEYS) {
    const e = f[key];
    if (e.kind === 'off') continue;
    const label = key === 'stopLoss' ? 'Stop-loss' : key === 'takeProfit' ? 'Take-profit' : 'Trailing stop';
    const max = e.kind === 'pct' && key !== 'takeProfit' ? 99.99 : undefined;
    const v = positive(e.value, e.kind === 'pct' ? `${label} %` : `${label} ATR multiple`, errors, `setup.${key}`, {
      max,
    });
    if (e.kind === 'pct') exits[key] = { pct: v };
    else
      exits[key] = {
        atr: v,
        period: positive(e.period, `${label} ATR period`, errors, `setup.${key}`, { int: true, min: 1 }),
      };
  }
  if (Object.keys(exits).length > 0) out.exits = exits;
  return out as Partial<BacktestSpecInput>;
}

/** A loaded spec file as the form shows it: the strategy, its params (as field texts) and the setup. */
export interface FormFromSpec {
  readonly strategy: string;
  readonly params: Readonly<Record<string, unknown>>;
  readonly setup: SetupForm;
}

const isObj = (v: unknown): v is Record<string, unknown> => typeof v === 'object' && v !== null && !Array.isArray(v);
const numText = (v: unknown, fallback: string) => (typeof v === 'number' && Number.isFinite(v) ? String(v) : fallback);

/**
 * Reads a spec (a parsed JSON file) into the form, or says what is wrong with it, naming the field.
 * Fields the form does not know are refused rather than dropped silently, so a saved file round-trips.
 */
export function specToForm(raw: unknown): { ok: true; form: FormFromSpec } | { ok: false; error: string } {
  if (!isObj(raw)) return { ok: false, error: 'the file is not a JSON object (a backtest spec)' };
  const known = new Set([
    'strategy',
    'params',
    'symbols',
    'universe',
    'start',
    'end',
    'capital',
    'fill',
    'commission',
    'slippageBps',
    'direction',
    'sizing',
    'wholeUnits',
    'closeAtEnd',
    'endFill',
    'intrabar',
    'benchmark',
    'adjustment',
    'signalPrices',
    'types',
    'barsPerYear',
    'warmup',
    'exits',
  ]);
  const unknown = Object.keys(raw).filter((k) => !known.has(k));
  if (unknown.length) return { ok: false, error: `${unknown[0]}: not a field of a backtest spec` };
  if (typeof raw.strategy !== 'string' || raw.strategy === '')
    return { ok: false, error: 'strategy: expected a strategy name' };
  if (raw.params !== undefined && !isObj(raw.params)) return { ok: false, error: 'params: expected an object' };
  if (raw.symbols !== undefined && !(Array.isArray(raw.symbols) && raw.symbols.every((s) => typeof s === 'string')))
    return { ok: false, error: 'symbols: expected a list of symbols' };
  const d = DEFAULT_SETUP;
  const str = (v: unknown) => (typeof v === 'string' ? v : '');
  const pick = <T extends string>(v: unknown, options: readonly T[], fallback: T, field: string): T | string =>
    v === undefined
      ? fallback
      : options.includes(v as T)
        ? (v as T)
        : `${field}: expected one of ${options.join(', ')}`;
  const picks = {
    fill: pick(raw.fill, ['next-open', 'close'] as const, d.fill, 'fill'),
    direction: pick(raw.direction, ['long-short', 'long-only'] as const, d.direction, 'direction'),
    endFill: pick(raw.endFill, ['close', 'open'] as const, d.endFill, 'endFill'),
    intrabar: pick(raw.intrabar, ['conservative', 'optimistic'] as const, d.intrabar, 'intrabar'),
    adjustment: pick(raw.adjustment, ['pit', 'raw'] as const, d.adjustment, 'adjustment'),
    signalPrices: pick(raw.signalPrices, ['adjusted', 'raw'] as const, d.signalPrices, 'signalPrices'),
  };
  if (raw.types !== undefined && !(Array.isArray(raw.types) && raw.types.every((t) => typeof t === 'string')))
    return { ok: false, error: 'types: expected a list of instrument types' };
  for (const v of Object.values(picks)) if (v.includes(':')) return { ok: false, error: v };
  let sizing: Record<string, unknown> = { method: 'all-in' };
  if (typeof raw.sizing === 'string') sizing = { method: raw.sizing };
  else if (isObj(raw.sizing)) sizing = raw.sizing;
  else if (raw.sizing !== undefined) return { ok: false, error: 'sizing: expected a method name or an object' };
  if (!SIZING_METHODS.includes(sizing.method as SizingMethod))
    return { ok: false, error: `sizing.method: expected one of ${SIZING_METHODS.join(', ')}` };
  const commission = isObj(raw.commission) ? raw.commission : {};
  const exitsRaw = isObj(raw.exits) ? raw.exits : {};
  const exit = (key: (typeof EXIT_KEYS)[number]): ExitForm | string => {
    const e = exitsRaw[key];
    if (e === undefined) return EXIT_OFF;
    if (!isObj(e)) return `exits.${key}: expected {"pct": n} or {"atr": k, "period": n}`;
    if (typeof e.pct === 'number') return { kind: 'pct', value: String(e.pct), period: '14' };
    if (typeof e.atr === 'number') return { kind: 'atr', value: String(e.atr), period: numText(e.period, '14') };
    return `exits.${key}: expected {"pct": n} or {"atr": k, "period": n}`;
  };
  const exits = EXIT_KEYS.map(exit);
  for (const e of exits) if (typeof e === 'string') return { ok: false, error: e };
  const [stopLoss, takeProfit, trailingStop] = exits as ExitForm[];
  const setup: SetupForm = {
    symbols: Array.isArray(raw.symbols) ? (raw.symbols as string[]).join(', ') : '',
    universe: str(raw.universe),
    start: str(raw.start),
    end: str(raw.end),
    capital: numText(raw.capital, d.capital),
    commissionBps:
      typeof commission.rate === 'number'
        ? String(Number((commission.rate * 10_000).toPrecision(12)))
        : raw.commission === undefined
          ? '0'
          : d.commissionBps,
    commissionFixed: numText(commission.fixed, '0'),
    slippageBps: numText(raw.slippageBps, '0'),
    fill: picks.fill as SetupForm['fill'],
    direction: picks.direction as SetupForm['direction'],
    benchmark: str(raw.benchmark),
    sizingMethod: sizing.method as SizingMethod,
    sizingFraction: numText(sizing.fraction, d.sizingFraction),
    sizingQty: numText(sizing.qty, d.sizingQty),
    sizingTargetVol: numText(sizing.targetVol, d.sizingTargetVol),
    sizingLookback: numText(sizing.lookback, d.sizingLookback),
    sizingMaxWeight: numText(sizing.maxWeight, d.sizingMaxWeight),
    wholeUnits: typeof raw.wholeUnits === 'boolean' ? raw.wholeUnits : d.wholeUnits,
    closeAtEnd: typeof raw.closeAtEnd === 'boolean' ? raw.closeAtEnd : d.closeAtEnd,
    endFill: picks.endFill as SetupForm['endFill'],
    intrabar: picks.intrabar as SetupForm['intrabar'],
    adjustment: picks.adjustment as SetupForm['adjustment'],
    signalPrices: picks.signalPrices as SetupForm['signalPrices'],
    types: Array.isArray(raw.types) ? (raw.types as string[]).join(', ') : '',
    barsPerYear: numText(raw.barsPerYear, d.barsPerYear),
    warmup: numText(raw.warmup, d.warmup),
    stopLoss,
    takeProfit,
    trailingStop,
  };
  return { ok: true, form: { strategy: raw.strategy, params: isObj(raw.params) ? raw.params : {}, setup } };
}

/** A saved form draft (localStorage): the setup and the strategy's param texts. Unknown or broken drafts give null. */
export function readDraft(
  text: string | null,
): { strategy: string; paramTexts: Record<string, string>; setup: SetupForm } | null {
  if (!text) return null;
  try {
    const v = JSON.parse(text) as unknown;
    if (!isObj(v) || typeof v.strategy !== 'string' || !isObj(v.setup) || !isObj(v.paramTexts)) return null;
    const setup = { ...DEFAULT_SETUP } as Record<string, unknown>;
    for (const [k, x] of Object.entries(v.setup)) {
      if (!(k in DEFAULT_SETUP)) continue;
      const def = (DEFAULT_SETUP as unknown as Record<string, unknown>)[k];
      if (typeof x === typeof def) setup[k] = x;
    }
    const paramTexts = Object.fromEntries(
      Object.entries(v.paramTexts).filter(([, x]) => typeof x === 'string'),
    ) as Record<string, string>;
    return { strategy: v.strategy, paramTexts, setup: setup as unknown as SetupForm };
  } catch {
    return null;
  }
}
