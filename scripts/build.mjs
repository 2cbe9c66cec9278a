#!/usr/bin/env node
// Builds QuantDesk's bundles. `node scripts/build.mjs cli|renderer|electron|all`.
// cli:      core/cli/main.ts and the pool's worker entry -> out/cli/ (plain Node; what `quantdesk` runs)
// renderer: renderer/ -> out/renderer/ (vite; served by Electron and by `quantdesk serve`)
// electron: electron/main, electron/preload, electron/workers -> out/main, out/preload, out/workers
import { build } from 'esbuild';
import { existsSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
const target = process.argv[2] ?? 'all';

// Native or heavy packages stay in node_modules and are required at run time.
const external = ['better-sqlite3', 'bullmq', 'ioredis', 'msgpackr', 'msgpackr-extract', 'electron', 'playwright-core'];

const nodeCommon = {
  bundle: true,
  platform: 'node',
  format: 'cjs',
  target: 'node20',
  sourcemap: true,
  external,
  logLevel: 'warning',
  absWorkingDir: root,
};

/** Entries that exist; later issues add worker entries without touching this list's callers. */
function present(entries) {
  return Object.fromEntries(Object.entries(entries).filter(([, src]) => existsSync(join(root, src))));
}

async function buildCli() {
  await build({
    ...nodeCommon,
    entryPoints: present({
      index: 'core/cli/main.ts',
      worker: 'core/pool/thread-worker.ts',
    }),
    outdir: join(root, 'out/cli'),
  });
}

async function buildRenderer() {
  const { build: viteBuild } = await import('vite');
  await viteBuild({ configFile: join(root, 'renderer/vite.config.ts'), logLevel: 'warn' });
}

async function buildElectron() {
  await build({
    ...nodeCommon,
    entryPoints: present({
      'main/index': 'electron/main/index.ts',
      'workers/sim': 'electron/workers/sim.worker.ts',
    }),
    outdir: join(root, 'out'),
  });
  // The preload runs sandboxed: one CommonJS file that may require only 'electron'.
  if (existsSync(join(root, 'electron/preload/index.ts'))) {
    await build({
      ...nodeCommon,
      entryPoints: { 'preload/index': 'electron/preload/index.ts' },
      outdir: join(root, 'out'),
      external: ['electron'],
      platform: 'node',
    });
  }
}

const steps = { cli: [buildCli], renderer: [buildRenderer], electron: [buildElectron], all: [buildCli, buildElectron, buildRenderer] };
if (!steps[target]) {
  console.error(`build: unknown target "${target}" (cli, renderer, electron, all)`);
  process.exit(2);
}
const t0 = Date.now();
for (const step of steps[target]) {
  if (step === buildRenderer && !existsSync(join(root, 'renderer/vite.config.ts'))) continue;
  await step();
}
if (target !== 'cli') console.log(`build ${target}: ${Date.now() - t0} ms`);
