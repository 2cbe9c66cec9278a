import { UsageError } from './args';
import { COMMANDS } from './commands';
import { EXIT, processIO, type CliIO } from './io';

const VERSION = '0.1.0';

function help(io: CliIO): void {
  const width = Math.max(...COMMANDS.map((c) => c.name.length));
  io.out(`quantdesk ${VERSION}: point-in-time backtesting, sweeps and live monitoring\n\n`);
  io.out('Usage: quantdesk <command> [options]\n\nCommands:\n');
  for (const c of COMMANDS) io.out(`  ${c.name.padEnd(width)}  ${c.summary}\n`);
  io.out("\nRun `quantdesk <command> --help` for a command's options.\n");
}

/** Runs the CLI with `argv` (without node and script) and returns the exit code. */
export async function main(argv: string[], io: CliIO = processIO()): Promise<number> {
  const [name, ...rest] = argv;
  if (name === undefined || name === '--help' || name === '-h' || name === 'help') {
    help(io);
    return EXIT.ok;
  }
  if (name === '--version' || name === '-v') {
    io.out(`${VERSION}\n`);
    return EXIT.ok;
  }
  const entry = COMMANDS.find((c) => c.name === name);
  if (!entry) {
    io.err(`quantdesk: unknown command "${name}". Run \`quantdesk --help\`.\n`);
    return EXIT.badInput;
  }
  // `--strategy-timeout SECONDS` applies to every command that runs user strategies (and, through the
  // environment, to its worker threads): the per-step limit before an endless loop is stopped.
  const at = rest.findIndex((a) => a === '--strategy-timeout' || a.startsWith('--strategy-timeout='));
  if (at >= 0) {
    const inline = rest[at].includes('=');
    const text = inline ? rest[at].slice(rest[at].indexOf('=') + 1) : rest[at + 1];
    const seconds = Number(text);
    if (text === undefined || !(seconds > 0)) {
      io.err(`quantdesk ${name}: --strategy-timeout: expected seconds > 0, got "${text ?? ''}"\n`);
      return EXIT.badInput;
    }
    process.env.QUANTDESK_STRATEGY_TIMEOUT_MS = String(Math.round(seconds * 1000));
    rest.splice(at, inline ? 1 : 2);
  }
  const command = await entry.load();
  if (rest.includes('--help') || rest.includes('-h')) {
    io.out(`${command.usage}\n`);
    return EXIT.ok;
  }
  try {
    return await command.run(rest, io);
  } catch (e) {
    // Each command is its own bundle with its own copy of UsageError: match by name too.
    if (e instanceof UsageError || (e instanceof Error && e.name === 'UsageError')) {
      io.err(`quantdesk ${name}: ${e.message}\n${command.usage}\n`);
      return EXIT.badInput;
    }
    // A bad path or file the user gave (StorePathError and the like), a user strategy that fails to compile, load or
    // run (FILE:LINE:COL: message), or input the engine rejects: its message, no stack, exit 2.
    if (
      e instanceof Error &&
      (e.name === 'InputError' || e.name === 'StrategyCodeError' || e.name === 'BacktestInputError')
    ) {
      io.err(`quantdesk ${name}: ${e.message}\n`);
      return EXIT.badInput;
    }
    io.err(`quantdesk ${name}: ${(e as Error).stack ?? String(e)}\n`);
    return EXIT.failure;
  }
}
