'use strict';
/**
 * V8's code cache for the CLI's bundles (Node 20 has no `module.enableCompileCache`): a command's bundle
 * is compiled from the bytes V8 saved on an earlier run instead of parsed again (a backtest's bundle is
 * about 1 MB, most of it zod, and parsing it was a third of the process). The cache lives beside the bundles
 * (`out/cli/.v8-cache/`), is keyed by each bundle's size, mtime and the Node version, is written once
 * (through a temp file and a rename, so a killed process leaves no half file) after the run that lacked it,
 * and is ignored on any error: V8 itself rejects data that does not match, and the bundle is then compiled
 * as usual. `QUANTDESK_NO_CODE_CACHE=1` turns it off.
 */
const fs = require('node:fs');
const path = require('node:path');
const vm = require('node:vm');
const Module = require('node:module');

const DYNAMIC_IMPORT = /(^|[^\w$.])import\(\s*["'`]/;

function makeRequire(mod) {
  const req = (id) => mod.require(id);
  req.resolve = (request, options) => Module._resolveFilename(request, mod, false, options);
  req.main = require.main;
  req.cache = Module._cache;
  return req;
}

exports.install = function install(dir) {
  const cacheDir = path.join(dir, '.v8-cache');
  const pending = [];
  const compile = Module.prototype._compile;
  Module.prototype._compile = function (content, filename) {
    // A bundle with a dynamic import() (of an ESM-only package) compiles as usual: a vm.Script would need
    // Node's experimental main-context loader for it, and print a warning on every run.
    if (path.dirname(filename) !== dir || !filename.endsWith('.js') || DYNAMIC_IMPORT.test(content))
      return compile.call(this, content, filename);
    let script;
    let cacheFile;
    try {
      const st = fs.statSync(filename);
      cacheFile = path.join(
        cacheDir,
        `${path.basename(filename)}-${st.size}-${Math.floor(st.mtimeMs)}-${process.version}.bin`,
      );
      let cachedData;
      try {
        cachedData = fs.readFileSync(cacheFile);
      } catch {
        cachedData = undefined;
      }
      script = new vm.Script(Module.wrap(content), { filename, cachedData });
      if (cachedData === undefined || script.cachedDataRejected) pending.push({ script, cacheFile });
    } catch {
      return compile.call(this, content, filename);
    }
    const fn = script.runInThisContext({ displayErrors: true });
    return fn.call(this.exports, this.exports, makeRequire(this), this, filename, path.dirname(filename));
  };
  process.once('exit', () => {
    for (const { script, cacheFile } of pending) {
      try {
        fs.mkdirSync(cacheDir, { recursive: true });
        const tmp = `${cacheFile}.${process.pid}.tmp`;
        fs.writeFileSync(tmp, script.createCachedData());
        fs.renameSync(tmp, cacheFile);
        // The caches of earlier builds of this bundle are dead weight.
        const base = `${path.basename(cacheFile).split('.js-')[0]}.js-`;
        for (const f of fs.readdirSync(cacheDir))
          if (f.startsWith(base) && f !== path.basename(cacheFile) && !f.endsWith('.tmp'))
            fs.rmSync(path.join(cacheDir, f), { force: true });
      } catch {
        // A read-only install or a full disk: run without the cache.
      }
    }
  });
};
