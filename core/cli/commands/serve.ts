import { existsSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { parseFlags, UsageError } from '../args';
import { EXIT, type Command } from '../io';
import { bundledDataset, ensureDefaultDataset } from '../../api/first-run';
import { startServer } from '../../serve/server';
import { deadlineAfterSignal, exitSoonAfterSignal } from './worker';

const USAGE = `quantdesk serve --db DB [--port P] [--host H] [--static DIR] [--load-default]

Serves the built renderer and the API contract over a WebSocket, for a browser on this machine.
Prints one line on stdout: "QuantDesk serving at http://127.0.0.1:PORT/?token=TOKEN".
Requests without the token get 401. Stops cleanly on SIGINT/SIGTERM.

  --db DB        SQLite store to serve (created and migrated if missing)
  --port P       port (default 0: a free one)
  --host H       interface to bind (default 127.0.0.1; anything else exposes the host to the network)
  --static DIR   built renderer (default: out/renderer of this install)
  --load-default load the default dataset into an empty store, in the background (the page shows
                 its progress; progress also goes to stderr)`;

/** Finds `out/renderer` of this install: next to the bundled CLI (`out/cli`), or above the source tree. */
export function defaultStaticDir(): string {
  let dir = typeof __dirname === 'string' ? __dirname : process.cwd();
  for (let i = 0; i < 6; i++) {
    if (existsSync(join(dir, 'package.json')) && existsSync(join(dir, 'bin', 'quantdesk.js')))
      return join(dir, 'out', 'renderer');
    const up = dirname(dir);
    if (up === dir) break;
    dir = up;
  }
  return resolve('out', 'renderer');
}

/** `quantdesk serve`: runs until SIGINT/SIGTERM (or `signal` aborts, for tests), then exits 0. */
export const serveCommand: Command = {
  name: 'serve',
  summary: 'serve the app to a browser over HTTP and WebSocket (token-protected, 127.0.0.1)',
  usage: USAGE,
  run(args, io) {
    const ac = new AbortController();
    const stop = () => ac.abort();
    process.once('SIGINT', stop);
    process.once('SIGTERM', stop);
    deadlineAfterSignal(ac.signal, io, 'serve');
    return runServe(args, io, ac.signal)
      .then((code) => {
        exitSoonAfterSignal(ac.signal, code);
        return code;
      })
      .finally(() => {
        process.off('SIGINT', stop);
        process.off('SIGTERM', stop);
      });
  },
};

/** The body of `quantdesk serve`, stoppable by `signal` (tests use this instead of process signals). */
export async function runServe(
  args: string[],
  io: Parameters<Command['run']>[1],
  signal: AbortSignal,
): Promise<number> {
  const { values, positionals } = parseFlags(
    args,
    {
      db: { type: 'string' },
      port: { type: 'string' },
      host: { type: 'string' },
      static: { type: 'string' },
      'load-default': { type: 'boolean' },
    },
    ['db'],
  );
  if (positionals.length > 0) throw new UsageError(`unexpected argument "${positionals[0]}"`);
  const port = values.port === undefined ? 0 : Number(values.port);
  if (!Number.isInteger(port) || port < 0 || port > 65535)
    throw new UsageError(`--port: expected an integer 0-65535, got "${values.port}"`);
  const host = values.host ?? '127.0.0.1';
  const staticDir = values.static !== undefined ? resolve(values.static) : defaultStaticDir();
  if (!existsSync(join(staticDir, 'index.html'))) {
    io.err(
      `quantdesk serve: warning: the renderer is not built (${staticDir}/index.html missing); run \`npm run build:renderer\`. The API still works.\n`,
    );
  }
  let server;
  try {
    server = await startServer({ dbPath: resolve(values.db!), port, host, staticDir });
  } catch (e) {
    io.err(`quantdesk serve: cannot start on ${host}:${port}: ${(e as Error).message}\n`);
    return EXIT.failure;
  }
  if (host !== '127.0.0.1' && host !== 'localhost' && host !== '::1') {
    io.err(
      `quantdesk serve: warning: bound to ${host}; anyone on that network who learns the token can use this host.\n`,
    );
  }
  io.out(`QuantDesk serving at ${server.url}\n`);
  const loading = new AbortController();
  let firstRun: Promise<unknown> = Promise.resolve();
  if (values['load-default']) {
    const services = server.services;
    const report = (s: { message: string }) => io.err(`quantdesk serve: ${s.message}\n`);
    let step: string | undefined;
    const source = bundledDataset();
    firstRun = ensureDefaultDataset(
      services,
      (store, options) =>
        source.load(store, {
          signal: options.signal,
          onProgress: (p) => {
            options.onProgress?.(p);
            const now = typeof p === 'object' ? p.step : undefined;
            if (now !== undefined && now !== step)
              io.err(`quantdesk serve: loading the default dataset: ${(step = now)}\n`);
          },
        }),
      { signal: loading.signal, isInterrupted: source.isInterrupted },
    ).then(report);
  }
  if (!signal.aborted) await new Promise<void>((r) => signal.addEventListener('abort', () => r(), { once: true }));
  io.err('quantdesk serve: shutting down\n');
  // Stop a first-start load between files and let it finish its transaction before the store closes.
  loading.abort();
  await firstRun;
  await server.close();
  return EXIT.ok;
}
