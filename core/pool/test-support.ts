import { build } from 'esbuild';
import { mkdirSync, mkdtempSync, readFileSync, readdirSync, rmSync, statSync } from 'node:fs';
import { join } from 'node:path';

/**
 * Bundles the pool's worker entry to a temporary directory (deleted at process exit) and returns
 * its path: tests and benchmarks use it so they do not depend on a full CLI build. Same options as
 * scripts/build.mjs.
 */
export async function buildWorkerEntry(): Promise<string> {
  return bundleEntry('worker', join(__dirname, 'thread-worker.ts'));
}

/** Bundles the CSV import thread (`core/store/import-worker.ts`) the same way; returns its path. */
export async function buildImportWorkerEntry(): Promise<string> {
  return bundleEntry('import-worker', join(__dirname, '..', 'store', 'import-worker.ts'));
}

/**
 * scripts/build.mjs's externals (scripts/externals.json, the one list). esbuild above all: bundled, its sync API (a user strategy's compile in
 * a pool worker) starts its helper thread from `__filename`, which is then the pool's worker entry; that
 * thread waits for pool jobs while the caller blocks on it, and the worker hangs for good.
 */
const externals = (): string[] =>
  JSON.parse(readFileSync(join(__dirname, '..', '..', 'scripts', 'externals.json'), 'utf8')) as string[];

async function bundleEntry(name: string, source: string): Promise<string> {
  // Inside the repo's node_modules, so the bundle resolves the external native packages.
  const cache = join(__dirname, '..', '..', 'node_modules', '.cache');
  mkdirSync(cache, { recursive: true });
  // Bundles left by killed test processes: drop those older than an hour.
  for (const name of readdirSync(cache)) {
    const dir = join(cache, name);
    if (name.startsWith('qd-worker-') && Date.now() - statSync(dir).mtimeMs > 3_600_000)
      rmSync(dir, { recursive: true, force: true });
  }
  const outdir = mkdtempSync(join(cache, 'qd-worker-'));
  // Removed when the test or bench process exits (worker threads are gone by then).
  process.once('exit', () => rmSync(outdir, { recursive: true, force: true }));
  await build({
    entryPoints: { [name]: source },
    bundle: true,
    platform: 'node',
    format: 'cjs',
    target: 'node20',
    outdir,
    external: externals(),
    logLevel: 'warning',
  });
  // The SDK a sandboxed user strategy evaluates in its context, read beside the bundle (core/sdk/sandbox.ts).
  await build({
    entryPoints: { 'sdk-runtime': join(__dirname, '..', 'sdk', 'index.ts') },
    bundle: true,
    format: 'iife',
    globalName: '__qd_sdk',
    platform: 'neutral',
    mainFields: ['module', 'main'],
    target: 'es2022',
    outdir,
    logLevel: 'warning',
  });
  return join(outdir, `${name}.js`);
}
