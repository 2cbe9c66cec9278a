import { execFileSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { existsSync, mkdirSync, readFileSync, renameSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { TestProject } from 'vitest/node';

const root = join(__dirname, '..');

declare module 'vitest' {
  export interface ProvidedContext {
    /** A store with the default dataset, prepared once; fixtures copy it. */
    seedDb: string;
  }
}

/**
 * Checks the app is built, then prepares one store with the default dataset (`quantdesk init`, a
 * few seconds) for every test to copy. Cached across runs, keyed by the CLI bundle that made it, so
 * a rebuilt CLI (new schema or dataset) prepares a fresh one.
 */
export default function setup(project: TestProject): void {
  for (const need of ['out/cli/index.js', 'out/renderer/index.html']) {
    if (!existsSync(join(root, need))) throw new Error(`e2e: ${need} is missing; run \`npm run build\` first`);
  }
  const key = createHash('sha256')
    .update(readFileSync(join(root, 'out/cli/index.js')))
    .digest('hex')
    .slice(0, 16);
  const cacheDir = join(tmpdir(), 'quantdesk-e2e-cache');
  const seed = join(cacheDir, `seed-${key}.db`);
  if (!existsSync(seed)) {
    mkdirSync(cacheDir, { recursive: true });
    const tmp = join(cacheDir, `seed-${key}.${process.pid}.tmp.db`);
    rmSync(tmp, { force: true });
    execFileSync(process.execPath, [join(root, 'bin/quantdesk.js'), 'init', '--db', tmp], {
      stdio: ['ignore', 'ignore', 'inherit'],
      timeout: 170_000,
    });
    for (const ext of ['-wal', '-shm']) rmSync(`${tmp}${ext}`, { force: true });
    renameSync(tmp, seed);
  }
  project.provide('seedDb', seed);
}
