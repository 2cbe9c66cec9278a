import type { Command } from '../io';
import { importCommand } from './import';
import { liveCommand } from './live';
import { backtestCommand } from './backtest';
import { runsCommand } from './runs';
import { indicatorCommand } from './indicator';
import { queryCommand } from './query';
import { initCommand } from './init';
import { serveCommand } from './serve';
import { signalsCommand } from './signals';
import { strategiesCommand } from './strategies';
import { workerCommand } from './worker';
import { sweepCommand } from './sweep';
import { walkforwardCommand } from './walkforward';
import { montecarloCommand } from './montecarlo';

/** Every CLI command, in the order `--help` lists them. Add a command here and in its own file. */
export const COMMANDS: readonly Command[] = [initCommand, importCommand, queryCommand, backtestCommand, runsCommand, serveCommand, sweepCommand, walkforwardCommand, liveCommand, montecarloCommand, workerCommand, strategiesCommand, signalsCommand, indicatorCommand];
