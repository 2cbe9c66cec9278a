/**
 * Value types (with their zod schemas) of the monitoring desk's user-facing state: user alert rules
 * (issue 16 item 3), watchlist and screener columns (items 4 and 5), and pane layouts saved as
 * workspaces (item 6). The contract imports these; the renderer may import them (they are `core/model`).
 */
import { z } from 'zod';

const epochMs = z.number().finite();
const name = z.string().trim().min(1).max(100);
const symbol = z
  .string()
  .trim()
  .min(1)
  .max(40)
  // eslint-disable-next-line no-control-regex
  .regex(/^[^\u0000-\u001f\u007f\s]+$/, 'a symbol has no spaces or control characters');
const ident = z
  .string()
  .min(1)
  .max(40)
  .regex(/^[a-z][a-z0-9_-]*$/i, 'letters, digits, _ and -');

// == user alerts ===========================================================================

/** A series a condition reads on each bar: the close, its % change from the previous bar, the volume, or an indicator output. */
export const AlertSeries = z.discriminatedUnion('kind', [
  z.object({ kind: z.literal('price') }).strict(),
  z.object({ kind: z.literal('change') }).strict(),
  z.object({ kind: z.literal('volume') }).strict(),
  z
    .object({
      kind: z.literal('indicator'),
      /** A name of the indicator registry (`core/indicators/registry.ts`): sma, ema, rsi, macd, bbands, ... */
      name: ident,
      params: z.record(z.string().max(40), z.number().finite()).default({}),
      /** The output of a multi-output indicator (`macd`, `bbands`, ...); default its first. */
      output: ident.optional(),
    })
    .strict(),
]);
export type AlertSeries = z.infer<typeof AlertSeries>;

/** A constant or another series. */
export const AlertOperand = z.union([z.number().finite(), AlertSeries]);
export type AlertOperand = z.infer<typeof AlertOperand>;

/**
 * What a rule tests on each closed bar (TradingView's alert conditions):
 * - `crosses-above`: previous left <= previous right and left > right; `crosses-below` the mirror; `crosses` either.
 * - `above` / `below`: left > right / left < right on this bar (level conditions).
 * - `enters-band`: left was outside [lower, upper] on the previous bar and is inside now; `exits-band` the reverse.
 * - `moves-up-pct` / `moves-down-pct` / `moves-pct`: the change of left over `bars` bars, in %, is >= pct, <= -pct, or |.| >= pct.
 */
export const AlertCondition = z.union([
  z
    .object({
      op: z.enum(['crosses-above', 'crosses-below', 'crosses', 'above', 'below']),
      left: AlertSeries,
      right: AlertOperand,
    })
    .strict(),
  z
    .object({ op: z.enum(['enters-band', 'exits-band']), left: AlertSeries, lower: AlertOperand, upper: AlertOperand })
    .strict(),
  z
    .object({
      op: z.enum(['moves-up-pct', 'moves-down-pct', 'moves-pct']),
      left: AlertSeries.default({ kind: 'price' }),
      pct: z.number().positive().max(10_000),
      bars: z.number().int().min(1).max(1_000),
    })
    .strict(),
]);
export type AlertCondition = z.infer<typeof AlertCondition>;

/** A short text of a condition for alert messages: `rsi(14) crosses above 70`. */
export function describeCondition(c: AlertCondition): string {
  const series = (s: AlertOperand): string => {
    if (typeof s === 'number') return String(s);
    if (s.kind === 'indicator') {
      const ps = Object.values(s.params);
      return `${s.name}${ps.length ? `(${ps.join(',')})` : ''}${s.output ? `.${s.output}` : ''}`;
    }
    return s.kind === 'change' ? 'change %' : s.kind;
  };
  if ('right' in c) return `${series(c.left)} ${c.op.replace('-', ' ')} ${series(c.right)}`;
  if ('lower' in c) return `${series(c.left)} ${c.op.replace('-', ' ')} [${series(c.lower)}, ${series(c.upper)}]`;
  const dir = c.op === 'moves-up-pct' ? 'up' : c.op === 'moves-down-pct' ? 'down' : 'up or down';
  return `${series(c.left)} moves ${dir} ${c.pct}% in ${c.bars} bars`;
}

const webhook = z.union([
  z
    .object({
      kind: z.literal('json'),
      url: z.string().url(),
      minSeverity: z.enum(['info', 'warning', 'critical']).optional(),
    })
    .strict(),
  z
    .object({
      kind: z.literal('telegram'),
      token: z.string().min(1).max(200),
      chatId: z.union([z.string().max(100), z.number()]),
      apiUrl: z.string().url().optional(),
      minSeverity: z.enum(['info', 'warning', 'critical']).optional(),
    })
    .strict(),
]);

/** `user-alerts:save`: a new rule, or (with `id`) a replacement of an existing one (which re-arms it). */
export const UserAlertInput = z
  .object({
    id: z.string().min(1).max(64).optional(),
    name: z.string().trim().max(100).default(''),
    symbol,
    condition: AlertCondition,
    /** `once`: the rule stops (status `triggered`) after it fires; `every`: it fires on every bar the condition holds. */
    mode: z.enum(['once', 'every']).default('once'),
    /** Wall-clock time (EpochMs) after which the rule no longer fires (status `expired`); null never. */
    expiresAt: epochMs.nullable().default(null),
    severity: z.enum(['info', 'warning', 'critical']).default('warning'),
    /** Text added to the alert's message. */
    message: z.string().max(500).default(''),
    /** Webhook and Telegram targets of this rule (delivered through the outbox); never shown back in full. Omitted on an edit: kept. */
    webhooks: z.array(webhook).max(5).optional(),
    paused: z.boolean().default(false),
  })
  .strict();
export type UserAlertInput = z.output<typeof UserAlertInput>;

/** A rule's state: `active` (evaluated), `paused`, `triggered` (a `once` rule that fired), `expired`. */
export type UserAlertStatus = 'active' | 'paused' | 'triggered' | 'expired';

/** A rule as listed. Webhooks show only their kind and host (a Telegram URL carries a token). */
export interface UserAlertRule {
  readonly id: string;
  readonly name: string;
  readonly symbol: string;
  readonly condition: AlertCondition;
  readonly mode: 'once' | 'every';
  readonly expiresAt: number | null;
  readonly severity: 'info' | 'warning' | 'critical';
  readonly message: string;
  readonly webhooks: readonly { readonly kind: 'json' | 'telegram'; readonly host: string }[];
  readonly status: UserAlertStatus;
  readonly createdAt: number;
  readonly updatedAt: number;
  readonly fires: number;
  readonly lastFiredAt: number | null;
}

/** One firing of a rule (`user-alerts:history`), newest first. `time` is the bar's time; `firedAt` the wall clock. */
export interface UserAlertFire {
  readonly ruleId: string;
  readonly alertId: string;
  readonly time: number;
  readonly firedAt: number;
  readonly symbol: string;
  /** The left series' value on the bar. */
  readonly value: number;
  /** `live`: a bar of a live or replay session (`book` names it); `import`: a bar stored by an import. */
  readonly source: 'live' | 'import';
  readonly book: string | null;
  readonly message: string;
}

/** `alerts:query` / `alerts:ack-all`: every journaled alert of every book, filtered. */
export const AlertFilterInput = z
  .object({
    /** A journal session (book) name; user alerts are the book `user-alerts`. */
    book: z.string().min(1).max(64).optional(),
    kind: z.string().min(1).max(64).optional(),
    unacknowledged: z.boolean().default(false),
    limit: z.number().int().positive().max(5_000).default(500),
  })
  .strict();
export type AlertFilterInput = z.output<typeof AlertFilterInput>;

/** An alert of any book, as `alerts:query` lists it. */
export interface DeskAlert {
  readonly id: string;
  readonly book: string;
  readonly time: number;
  readonly kind: string;
  readonly severity: 'info' | 'warning' | 'critical';
  readonly symbol: string | null;
  readonly message: string;
  readonly acknowledgedAt: number | null;
}

// == watchlists and screener columns ==========================================================

/**
 * A column of a watchlist or a screen. Every one but `fundamental` is a named feature of `core/features`
 * (the features strategies and models read), evaluated on point-in-time adjusted bars; `fundamental` is
 * the value known at the date (a screen's date, or now for a watchlist).
 */
export const DeskColumn = z.discriminatedUnion('kind', [
  z.object({ kind: z.literal('last') }).strict(),
  z.object({ kind: z.literal('change') }).strict(),
  z.object({ kind: z.literal('volume') }).strict(),
  z.object({ kind: z.literal('rsi'), period: z.number().int().min(2).max(500).default(14) }).strict(),
  z.object({ kind: z.literal('sma-distance'), period: z.number().int().min(2).max(1_000).default(50) }).strict(),
  z.object({ kind: z.literal('high-52w') }).strict(),
  z.object({ kind: z.literal('low-52w') }).strict(),
  z.object({ kind: z.literal('return'), bars: z.number().int().min(1).max(2_000).default(20) }).strict(),
  z
    .object({
      kind: z.literal('indicator'),
      name: ident,
      params: z.record(z.string().max(40), z.number().finite()).default({}),
      output: ident.optional(),
    })
    .strict(),
  z.object({ kind: z.literal('fundamental'), field: ident }).strict(),
  z
    .object({ kind: z.literal('expr'), expr: z.string().min(1).max(1_000), label: z.string().max(60).optional() })
    .strict(),
]);
export type DeskColumn = z.infer<typeof DeskColumn>;

/** The header a column shows (also the key a screen's filters and rank name it by). */
export function columnLabel(c: DeskColumn): string {
  switch (c.kind) {
    case 'last':
      return 'Last';
    case 'change':
      return 'Chg %';
    case 'volume':
      return 'Volume';
    case 'rsi':
      return `RSI(${c.period})`;
    case 'sma-distance':
      return `vs SMA${c.period} %`;
    case 'high-52w':
      return '52w high';
    case 'low-52w':
      return '52w low';
    case 'return':
      return `Ret ${c.bars}b %`;
    case 'indicator': {
      const ps = Object.values(c.params);
      return `${c.name.toUpperCase()}${ps.length ? `(${ps.join(',')})` : ''}${c.output ? `.${c.output}` : ''}`;
    }
    case 'fundamental':
      return c.field;
    case 'expr':
      return c.label || c.expr;
  }
}

/** `watchlists:save`: create (no `id`) or replace a list's name, symbols (in order) and columns. */
export const WatchlistInput = z
  .object({
    id: z.string().min(1).max(64).optional(),
    name,
    symbols: z.array(symbol).max(500).default([]),
    columns: z
      .array(DeskColumn)
      .max(16)
      .default([{ kind: 'last' }, { kind: 'change' }, { kind: 'volume' }]),
  })
  .strict()
  .refine((w) => new Set(w.symbols).size === w.symbols.length, {
    path: ['symbols'],
    message: 'a symbol appears twice',
  });
export type WatchlistInput = z.output<typeof WatchlistInput>;

/** A stored watchlist. */
export interface Watchlist {
  readonly id: string;
  readonly name: string;
  readonly symbols: readonly string[];
  readonly columns: readonly DeskColumn[];
  readonly updatedAt: number;
}

/** Rows of values for a list of symbols: `values[i][j]` is symbol i's column j (null: unknown, e.g. warm-up). */
export interface ColumnTable {
  /** The date the values are as of (EpochMs): a screen's date, or now. */
  readonly asOf: number;
  readonly labels: readonly string[];
  readonly symbols: readonly string[];
  readonly values: readonly (readonly (number | null)[])[];
  /** The bar time each symbol's values were read at (null: no bar at or before `asOf`). */
  readonly barTime: readonly (number | null)[];
}

/** A screen filter: column `column` (an index into the screen's columns) compared with `value` (and `value2` for the ranges). */
export const ScreenFilter = z
  .object({
    column: z.number().int().min(0).max(15),
    op: z.enum(['>', '>=', '<', '<=', 'between', 'outside']),
    value: z.number().finite(),
    value2: z.number().finite().optional(),
  })
  .strict()
  .refine((f) => (f.op !== 'between' && f.op !== 'outside') || f.value2 !== undefined, {
    path: ['value2'],
    message: 'a range needs value2',
  });
export type ScreenFilter = z.infer<typeof ScreenFilter>;

/** A screen: the universe on a date (null: now), columns, filters, the rank column and how many rows. */
export const ScreenDef = z
  .object({
    /** The date to screen as of (EpochMs; bars and fundamentals known by then only); null: now. */
    asOf: epochMs.nullable().default(null),
    /** A named universe (index membership at the date); absent: every instrument listed at the date. */
    universe: z.string().min(1).max(64).optional(),
    columns: z.array(DeskColumn).min(1).max(16),
    filters: z.array(ScreenFilter).max(16).default([]),
    rank: z
      .object({ column: z.number().int().min(0).max(15), order: z.enum(['desc', 'asc']).default('desc') })
      .strict()
      .optional(),
    limit: z.number().int().min(1).max(5_000).default(100),
  })
  .strict()
  .superRefine((s, ctx) => {
    s.filters.forEach((f, i) => {
      if (f.column >= s.columns.length)
        ctx.addIssue({
          code: 'custom',
          path: ['filters', i, 'column'],
          message: `no column ${f.column} (the screen has ${s.columns.length})`,
        });
    });
    if (s.rank && s.rank.column >= s.columns.length)
      ctx.addIssue({ code: 'custom', path: ['rank', 'column'], message: `no column ${s.rank.column}` });
  });
export type ScreenDef = z.output<typeof ScreenDef>;

/** A screen's result: the matching symbols, ranked, with their column values. */
export interface ScreenResult extends ColumnTable {
  /** Symbols screened (the universe at the date). */
  readonly universeSize: number;
}

/** A saved screen. */
export interface SavedScreen {
  readonly id: string;
  readonly name: string;
  readonly screen: ScreenDef;
  readonly updatedAt: number;
}

// == panes and workspaces =====================================================================

/** A pane layout: a view, or a split of two layouts (`ratio` is the first child's share, 0.1..0.9). */
export type PaneLayout =
  | { readonly view: string }
  | { readonly split: 'row' | 'column'; readonly ratio: number; readonly a: PaneLayout; readonly b: PaneLayout };

const viewName = z.string().regex(/^[a-z][a-z-]{0,30}$/, 'a view name');

/** The schema of a {@link PaneLayout}, at most 8 levels deep. */
export const PaneLayoutSchema: z.ZodType<PaneLayout> = z.lazy(() =>
  z.union([
    z.object({ view: viewName }).strict(),
    z
      .object({
        split: z.enum(['row', 'column']),
        ratio: z.number().min(0.1).max(0.9),
        a: PaneLayoutSchema,
        b: PaneLayoutSchema,
      })
      .strict(),
  ]),
);

/** The depth of a layout tree (a single view is 1). */
export function layoutDepth(l: PaneLayout): number {
  return 'view' in l ? 1 : 1 + Math.max(layoutDepth(l.a), layoutDepth(l.b));
}

/** `workspaces:save`: a named layout, and the views torn off into their own windows (Electron). */
export const WorkspaceInput = z
  .object({
    name,
    layout: PaneLayoutSchema,
    windows: z.array(viewName).max(8).default([]),
  })
  .strict()
  .refine((w) => layoutDepth(w.layout) <= 8, { path: ['layout'], message: 'at most 8 nested splits' });
export type WorkspaceInput = z.output<typeof WorkspaceInput>;

/** A stored workspace. The name `current` holds the layout in use (saved as it changes, restored at start). */
export interface Workspace {
  readonly name: string;
  readonly layout: PaneLayout;
  readonly windows: readonly string[];
  readonly updatedAt: number;
}
