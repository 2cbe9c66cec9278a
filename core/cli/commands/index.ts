import type { Command } from '../io';

/**
 * A CLI command as the dispatcher lists it: its name and summary without loading it, and `load()`,
 * which imports the command's module on use. Start-up then compiles and runs only the command asked
 * for (the CLI build bundles each command into its own `out/cli/cmd-<file>.js`, see scripts/build.mjs;
 * the loader paths must stay literal `import('./file')` calls for that).
 */
export interface CommandEntry {
  readonly name: string;
  readonly summary: string;
  load(): Promise<Command>;
}

/** Every CLI command, in the order `--help` lists them. Add a command here and in its own file (same summary: a test compares them). */
export const COMMANDS: readonly CommandEntry[] = [
  {
    name: 'init',
    summary: 'Create a database and load the default dataset (synthetic market + real S&P 500 index)',
    load: async () => (await import('./init')).initCommand,
  },
  {
    name: 'import',
    summary: 'Import instruments, bars, fundamentals or corporate actions from CSV',
    load: async () => (await import('./import')).importCommand,
  },
  {
    name: 'query',
    summary: 'Point-in-time queries: a fundamental as of a date, bars (raw or adjusted), the universe',
    load: async () => (await import('./query')).queryCommand,
  },
  {
    name: 'backtest',
    summary: 'run a backtest from a JSON spec; JSON result, HTML report, run registry',
    load: async () => (await import('./backtest')).backtestCommand,
  },
  {
    name: 'runs',
    summary: 'list, show and re-run stored backtests (the run registry)',
    load: async () => (await import('./runs')).runsCommand,
  },
  {
    name: 'serve',
    summary: 'serve the app to a browser over HTTP and WebSocket (token-protected, 127.0.0.1)',
    load: async () => (await import('./serve')).serveCommand,
  },
  {
    name: 'sweep',
    summary: 'Run a parameter sweep (grid or random search) on every core or a cluster',
    load: async () => (await import('./sweep')).sweepCommand,
  },
  {
    name: 'walkforward',
    summary: 'Walk-forward optimisation: in-sample sweeps, out-of-sample runs, efficiency',
    load: async () => (await import('./walkforward')).walkforwardCommand,
  },
  {
    name: 'live',
    summary: 'paper-trade a spec on a live feed (replay, WebSocket, Binance) or replay history through the live path',
    load: async () => (await import('./live')).liveCommand,
  },
  {
    name: 'broker',
    summary: 'Read a broker account (paper, Alpaca, KIS): account, positions, working orders',
    load: async () => (await import('./broker')).brokerCommand,
  },
  {
    name: 'montecarlo',
    summary: 'Monte Carlo of a stored run: percentiles of final equity, drawdown and CAGR, risk of ruin',
    load: async () => (await import('./montecarlo')).montecarloCommand,
  },
  {
    name: 'worker',
    summary: 'Join a simulation cluster: run sweep batches from a Redis queue',
    load: async () => (await import('./worker')).workerCommand,
  },
  {
    name: 'strategies',
    summary: 'List the built-in strategies and their parameters',
    load: async () => (await import('./strategies')).strategiesCommand,
  },
  {
    name: 'signals',
    summary: "Signal analytics: a strategy's entries and their forward returns over 1, 5 and 20 bars",
    load: async () => (await import('./signals')).signalsCommand,
  },
  {
    name: 'outbox',
    summary: 'Deliver or inspect the webhook outbox (alerts waiting, dead letters)',
    load: async () => (await import('./outbox')).outboxCommand,
  },
  {
    name: 'features',
    summary: 'List the feature library; export a feature matrix to Parquet',
    load: async () => (await import('./features')).featuresCommand,
  },
  {
    name: 'models',
    summary: 'Train models walk-forward, list, show, import, predict and explain them',
    load: async () => (await import('./models')).modelsCommand,
  },
  {
    name: 'indicator',
    summary: 'Compute a technical indicator (TA-Lib-equal) over a CSV of bars',
    load: async () => (await import('./indicator')).indicatorCommand,
  },
  {
    name: 'fetch',
    summary: 'Fetch prices (Stooq, Alpha Vantage), DART fundamentals or RSS/Atom news into the store',
    load: async () => (await import('./fetch')).fetchCommand,
  },
  {
    name: 'jobs',
    summary: 'Scheduled jobs: add (cron + time zone), list, run now, history',
    load: async () => (await import('./jobs')).jobsCommand,
  },
  {
    name: 'scheduler',
    summary: 'Run scheduled jobs headless (cron + time zone, catch-up, retries)',
    load: async () => (await import('./scheduler')).schedulerCommand,
  },
  {
    name: 'export',
    summary: 'Export the store to a Parquet lake (hive-partitioned by kind and year)',
    load: async () => (await import('./export')).exportCommand,
  },
  {
    name: 'sql',
    summary: 'Ad-hoc DuckDB SQL over the store and a Parquet lake (table, JSON or CSV)',
    load: async () => (await import('./sql')).sqlCommand,
  },
  {
    name: 'report',
    summary: 'The daily report: signals with success rates, live PnL, data quality, news, failed jobs (HTML)',
    load: async () => (await import('./report')).reportCommand,
  },
];
