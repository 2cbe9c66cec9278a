// The fill rules moved to `core/execution/fill-rules.ts` (shared by the backtest and live); this path stays for its importers.
export * from '../execution/fill-rules';
