#!/usr/bin/env node
// Builds QuantDesk's bundles. `node scripts/build.mjs cli|bench|renderer|electron|all`.
// bench:    bench/index.ts and each bench module -> out/bench/ (what `npm run bench` runs)
// cli:      core/cli/main.ts and the pool's worker entry -> out/cli/ (plain Node; what `quantdesk` runs)
// renderer: renderer/ -> out/renderer/ (vite; served by Electron and by `quantdesk serve`)
// electron: electron/main, electron/preload, electron/workers -> out/main, out/preload, out/workers
import { build as esbuild } from 'esbuild';
import { existsSync, mkdirSync, readFileSync, renameSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';

/**
 * esbuild, writing each output through a temp file and a rename. Tests that spawn `bin/quantdesk.js`
 * rebuild the CLI first and run in parallel; a plain write lets one test execute a half-written
 * bundle another is producing. A rename is atomic, so a reader sees the old file or the new one.
 */
async function build(options) {
  const result = await esbuild({ ...options, write: false });
  for (const file of result.outputFiles) {
    mkdirSync(dirname(file.path), { recursive: true });
    const tmp = `${file.path}.${process.pid}.tmp`;
    writeFileSync(tmp, file.contents);
    renameSync(tmp, file.path);
  }
  return result;
}

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
const target = process.argv[2] ?? 'all';

// Native or heavy packages stay in node_modules and are required at run time.
// esbuild compiles user strategies at run time: it cannot be bundled (it runs its own binary).
// The one list, also read by the tests' worker bundles (core/pool/test-support.ts).
const external = JSON.parse(readFileSync(new URL('./externals.json', import.meta.url), 'utf8'));

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

// Each CLI command is its own bundle (out/cli/cmd-<file>.js), required by the dispatcher only when
// run: start-up compiles the small dispatcher and one command instead of every command's code.
const COMMANDS_INDEX = 'core/cli/commands/index.ts';
const commandFiles = existsSync(join(root, COMMANDS_INDEX))
  ? [...readFileSync(join(root, COMMANDS_INDEX), 'utf8').matchAll(/import\('\.\/([a-z0-9-]+)'\)/g)].map((m) => m[1])
  : [];
const lazyCommands = {
  name: 'lazy-commands',
  setup(b) {
    // A plain require of the command bundle: an external `import()` would go through the ESM loader,
    // which re-parses the whole file to detect its format and exports (~100 ms on a big command).
    b.onResolve({ filter: /^\.\/[a-z0-9-]+$/ }, (args) =>
      args.kind === 'dynamic-import' && args.importer.endsWith(join('core', 'cli', 'commands', 'index.ts'))
        ? { path: args.path.slice(2), namespace: 'lazy-command' }
        : undefined,
    );
    b.onLoad({ filter: /.*/, namespace: 'lazy-command' }, (args) => ({
      contents: `module.exports = require('./cmd-${args.path}.js');`,
      loader: 'js',
    }));
    b.onResolve({ filter: /^\.\/cmd-[a-z0-9-]+\.js$/ }, (args) => ({ path: args.path, external: true }));
  },
};

/**
 * zod's error messages in English only in the CLI's bundles: `z.locales` re-exports some 50 languages
 * (about 400 KB, half of a command's bundle) that nothing in core reads, and every command start parsed
 * them. User strategies get zod from the SDK runtime, which keeps them all.
 */
const zodEnglishOnly = {
  name: 'zod-english-only',
  setup(b) {
    b.onResolve({ filter: /^\.\.\/locales\/index\.js$/ }, (args) =>
      /[\\/]zod[\\/]v4[\\/]/.test(args.importer) ? { path: args.importer, namespace: 'zod-en' } : undefined,
    );
    b.onLoad({ filter: /.*/, namespace: 'zod-en' }, (args) => ({
      contents: 'export { default as en } from "../locales/en.js";',
      resolveDir: dirname(args.path),
      loader: 'js',
    }));
  },
};

/**
 * The strategy SDK as one script evaluated inside each user strategy's sandbox (core/sdk/sandbox.ts
 * reads `sdk-runtime.js` beside its bundle): zod, the indicators and patterns, nothing of Node.
 */
async function buildSdkRuntime(outdir) {
  await build({
    entryPoints: { 'sdk-runtime': 'core/sdk/index.ts' },
    bundle: true,
    format: 'iife',
    globalName: '__qd_sdk',
    platform: 'neutral',
    mainFields: ['module', 'main'],
    target: 'es2022',
    minify: true,
    outdir: join(root, outdir),
    absWorkingDir: root,
    logLevel: 'warning',
  });
}

/**
 * `quantdesk/sdk` as a package subpath: out/sdk/index.js (CommonJS, zod external) and its type
 * declarations out/sdk/*.d.ts (tsc), so `npm i quantdesk` gives types in the user's own editor.
 */
async function buildSdk() {
  await build({
    ...nodeCommon,
    entryPoints: { index: 'core/sdk/index.ts' },
    outdir: join(root, 'out/sdk'),
    external: [...external, 'zod', 'technicalindicators'],
  });
  const { execFileSync } = await import('node:child_process');
  execFileSync(
    process.execPath,
    [join(root, 'node_modules/typescript/bin/tsc'), '-p', join(root, 'core/sdk/tsconfig.d.json')],
    { stdio: 'inherit', cwd: root },
  );
}

async function buildCli() {
  await buildSdkRuntime('out/cli');
  await build({
    ...nodeCommon,
    entryPoints: present({
      index: 'core/cli/main.ts',
      worker: 'core/pool/thread-worker.ts',
      'import-worker': 'core/store/import-worker.ts',
      ...Object.fromEntries(commandFiles.map((f) => [`cmd-${f}`, `core/cli/commands/${f}.ts`])),
    }),
    outdir: join(root, 'out/cli'),
    plugins: [lazyCommands, zodEnglishOnly],
  });
}

// Benchmarks measure the code users run: bench modules bundled like the CLI (plain Node, CommonJS, every
// call inside a bundle a direct call), not tsx's per-module ESM transform where each imported function is
// read through a getter (W1: 5.1-5.8 ms under tsx vs 4.3-5.2 ms bundled in the same minutes).
const benchSourcePaths = {
  name: 'bench-source-paths',
  setup(b) {
    // Bench modules locate the repo from their own folder: keep `__dirname` and `import.meta.url` the source's.
    b.onLoad({ filter: /\.ts$/ }, (args) => {
      const isBench = args.path.startsWith(join(root, 'bench'));
      if (!isBench && !args.path.startsWith(join(root, 'core'))) return undefined;
      let text = readFileSync(args.path, 'utf8');
      if (
        !text.includes('import.meta.url') &&
        !(isBench && (text.includes('__dirname') || text.includes('require.main')))
      )
        return undefined;
      text = text.replaceAll('import.meta.url', JSON.stringify(pathToFileURL(args.path).href));
      if (isBench) {
        // A module's own "run when executed directly" check would be true for every module in one bundle.
        text = text
          .replaceAll('__dirname', JSON.stringify(dirname(args.path)))
          .replaceAll('require.main === module', 'false');
      }
      return { contents: text, loader: 'ts' };
    });
  },
};

// bench/index.ts's `import('./name')` of each module becomes a require of its own bundle, out/bench/name.js.
const BENCH_INDEX = 'bench/index.ts';
const lazyBenchModules = {
  name: 'lazy-bench-modules',
  setup(b) {
    // A plain require, as for the CLI's commands (an external `import()` would go through the ESM loader).
    b.onResolve({ filter: /^\.\/[a-z0-9-]+$/ }, (args) =>
      args.kind === 'dynamic-import' && args.importer === join(root, BENCH_INDEX)
        ? { path: args.path.slice(2), namespace: 'lazy-bench' }
        : undefined,
    );
    b.onLoad({ filter: /.*/, namespace: 'lazy-bench' }, (args) => ({
      contents: `module.exports = require('./${args.path}.js');`,
      loader: 'js',
    }));
    b.onResolve({ filter: /^\.\/[a-z0-9-]+\.js$/ }, (args) =>
      args.namespace === 'lazy-bench' ? { path: args.path, external: true } : undefined,
    );
  },
};

/**
 * One bundle per bench module, built separately: another engineer's module that is mid-edit and does not
 * compile must not stop `npm run bench -- backtest`. A module that fails is replaced by a bundle that throws
 * the build error when (and only when) it is run.
 */
async function buildBench() {
  const benchOptions = {
    ...nodeCommon,
    // grademark and data-forge are the bench's baselines, loaded as their packages ship; talib is native.
    external: [...external, 'grademark', 'data-forge', 'esbuild', 'talib', 'vite', 'jsdom', '@vitejs/plugin-react'],
    outdir: join(root, 'out', 'bench'),
  };
  const modules = [...readFileSync(join(root, BENCH_INDEX), 'utf8').matchAll(/import\('\.\/([a-z0-9-]+)'\)/g)].map(
    (m) => m[1],
  );
  await build({ ...benchOptions, entryPoints: { index: BENCH_INDEX }, plugins: [lazyBenchModules] });
  // Not a bench module: the print-only child process bench/backtest.ts times as the floor of a whole run.
  await build({ ...benchOptions, entryPoints: { 'print-floor': 'bench/print-floor.ts' } });
  await buildSdkRuntime('out/bench');
  const results = await Promise.allSettled(
    modules.map((name) =>
      build({
        ...benchOptions,
        entryPoints: { [name]: `bench/${name}.ts` },
        plugins: [benchSourcePaths],
        logLevel: 'silent',
      }),
    ),
  );
  results.forEach((r, i) => {
    if (r.status === 'fulfilled') return;
    const message = `bench/${modules[i]}.ts did not build: ${r.reason?.message ?? r.reason}`;
    console.error(message.split('\n').slice(0, 3).join('\n'));
    writeFileSync(join(root, 'out', 'bench', `${modules[i]}.js`), `throw new Error(${JSON.stringify(message)});\n`);
  });
}

async function buildRenderer() {
  const { build: viteBuild } = await import('vite');
  await viteBuild({ configFile: join(root, 'renderer/vite.config.ts'), logLevel: 'warn' });
}

async function buildElectron() {
  await buildSdkRuntime('out/main');
  await buildSdkRuntime('out/workers');
  await build({
    ...nodeCommon,
    entryPoints: present({
      'main/index': 'electron/main/index.ts',
      'workers/sim': 'electron/workers/sim.worker.ts',
      // The CSV import thread, found beside out/main/index.js (core/store/import-thread.ts).
      'main/import-worker': 'core/store/import-worker.ts',
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

const steps = {
  cli: [buildCli],
  bench: [buildBench],
  renderer: [buildRenderer],
  electron: [buildElectron],
  sdk: [buildSdk],
  all: [buildCli, buildElectron, buildRenderer, buildSdk],
};
if (!steps[target]) {
  console.error(`build: unknown target "${target}" (cli, bench, renderer, electron, sdk, all)`);
  process.exit(2);
}
const t0 = Date.now();
for (const step of steps[target]) {
  if (step === buildRenderer && !existsSync(join(root, 'renderer/vite.config.ts'))) continue;
  await step();
}
if (target !== 'cli') console.log(`build ${target}: ${Date.now() - t0} ms`);
