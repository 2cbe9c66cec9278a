import type { Completion, CompletionContext, CompletionResult } from '@codemirror/autocomplete';

/** What the SDK exports, for completion after `import … from 'quantdesk/sdk'` (mirrors core/sdk/index.ts). */
const TOP: Completion[] = [
  {
    label: 'defineStrategy',
    type: 'function',
    detail: '({ kind?, name, description, params, init, onBar | weights })',
    info: 'Defines a strategy: the default export of a strategy file.',
  },
  {
    label: 'indicators',
    type: 'namespace',
    detail: 'streaming indicators',
    info: 'Each returns an object whose next(...) gives the value, NaN in warm-up.',
  },
  {
    label: 'patterns',
    type: 'namespace',
    detail: 'candlestick pattern streams',
    info: "patterns.stream('hammer').next(bar) → boolean",
  },
  { label: 'crossedAbove', type: 'function', detail: '(prevA, prevB, a, b) → boolean' },
  { label: 'crossedBelow', type: 'function', detail: '(prevA, prevB, a, b) → boolean' },
  { label: 'SwingTracker', type: 'class', detail: 'new SwingTracker(strength): swings, barsSince(), timeNumber()' },
  { label: 'ichimokuTargets', type: 'function', detail: '(swings) → { v, n, e, nt } | null' },
  { label: 'TIME_NUMBERS', type: 'constant', detail: '[9, 17, 26, 33, 42, 65, 76]' },
  { label: 'z', type: 'namespace', detail: 'zod: parameter schemas' },
];

const INDICATORS: Completion[] = [
  ['sma', '(period) → next(value)'],
  ['ema', '(period) → next(value)'],
  ['wma', '(period) → next(value)'],
  ['rsi', '(period = 14) → next(value)'],
  ['atr', '(period = 14) → next(bar)'],
  ['adx', '(period = 14) → next(bar)'],
  ['cci', '(period = 14) → next(bar)'],
  ['williamsr', '(period = 14) → next(bar)'],
  ['bbands', '(period = 20, stddev = 2) → next(value): { upper, middle, lower }'],
  ['macd', '(fast = 12, slow = 26, signal = 9) → next(value): { macd, signal, hist }'],
  ['stoch', '(period = 14, smoothK = 3, smoothD = 3) → next(bar): { k, d }'],
  ['obv', '() → next(bar)'],
  ['vwap', '() → next(bar)'],
  ['ichimoku', '(conversion = 9, base = 26, spanB = 52) → next(bar): { conversion, base, spanA, spanB }'],
].map(([label, detail]) => ({ label, detail, type: 'function' }));

const MEMBERS: Record<string, Completion[]> = {
  indicators: INDICATORS,
  patterns: [
    { label: 'stream', type: 'function', detail: '(name) → next(bar): boolean' },
    { label: 'names', type: 'property', detail: 'every pattern name' },
  ],
  bar: ['index', 'time', 'open', 'high', 'low', 'close', 'volume'].map((label) => ({ label, type: 'property' })),
  view: [
    { label: 'date', type: 'property', detail: 'EpochMs of the decision' },
    { label: 'universe', type: 'property', detail: 'symbols listed at the date' },
    { label: 'close', type: 'method', detail: '(symbol) → number' },
    { label: 'bar', type: 'method', detail: "(symbol, 'open'|'high'|'low'|'close'|'volume') → number" },
    { label: 'rawClose', type: 'method', detail: '(symbol) → number' },
    { label: 'closeLag', type: 'method', detail: '(symbol, days) → number' },
    { label: 'volatility', type: 'method', detail: '(symbol, days) → number' },
    { label: 'fundamental', type: 'method', detail: '(symbol, field) → number (point in time)' },
  ],
  z: ['object', 'number', 'string', 'boolean', 'enum'].map((label) => ({ label, type: 'function' })),
};

/** SDK-aware completion: top-level exports, and members after `indicators.`, `patterns.`, `bar.`, `view.`, `z.`. */
export function sdkCompletions(ctx: CompletionContext): CompletionResult | null {
  const member = ctx.matchBefore(/([A-Za-z_$][\w$]*)\.([\w$]*)$/);
  if (member) {
    const dot = member.text.indexOf('.');
    const list = MEMBERS[member.text.slice(0, dot)];
    if (list) return { from: member.from + dot + 1, options: list, validFor: /^[\w$]*$/ };
    return null;
  }
  const word = ctx.matchBefore(/[A-Za-z_$][\w$]*$/);
  if (!word && !ctx.explicit) return null;
  return { from: word ? word.from : ctx.pos, options: TOP, validFor: /^[\w$]*$/ };
}
