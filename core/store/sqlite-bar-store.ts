import Database from 'better-sqlite3';
import { existsSync, statSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { bindConnection } from './internal';
import { MIGRATIONS } from './migrations';

/** A raw better-sqlite3 handle. Only modules under `core/store/` use it (through `connection(store)` in `./internal`). */
export type Db = Database.Database;

/** Options for {@link openStore}. */
export interface OpenOptions {
  /** Open without write access (pool workers, readers). Migrations are not applied; the file must exist. */
  readonly readonly?: boolean;
}

/**
 * The point-in-time store: one SQLite file in WAL mode, foreign keys on, migrations applied at open.
 * The main process (or the CLI) is the single writer; workers open it read-only.
 * The connection is private: queries live in `core/store/*` as named functions, which reach it
 * through `connection(store)` from `./internal`.
 */
export class Store {
  readonly #db: Db;
  readonly path: string;
  readonly readonly: boolean;

  constructor(path: string, options: OpenOptions = {}) {
    this.path = path;
    this.readonly = options.readonly === true;
    this.#db = new Database(path, {
      readonly: this.readonly,
      fileMustExist: this.readonly,
      nativeBinding: addonPath(),
    });
    if (!this.readonly) {
      this.#db.pragma('journal_mode = WAL');
      // NORMAL in WAL mode: a committed transaction survives a process kill (-9); only an OS crash
      // or power loss can lose the last transactions, never corrupt the file.
      this.#db.pragma('synchronous = NORMAL');
    }
    this.#db.pragma('foreign_keys = ON');
    this.#db.pragma('busy_timeout = 5000');
    this.#db.pragma('cache_size = -65536');
    if (!this.readonly) migrate(this.#db);
  }

  static {
    bindConnection((store) => store.#db);
  }

  /** The schema version applied (the number of migrations). */
  get schemaVersion(): number {
    return this.#db.pragma('user_version', { simple: true }) as number;
  }

  /** Whether the connection is still open (false after {@link close}). */
  get isOpen(): boolean {
    return this.#db.open;
  }

  /** Closes the connection; the object must not be used after. */
  close(): void {
    if (this.#db.open) this.#db.close();
  }
}

/** The database path cannot be opened (a directory, a missing parent, no permission). The CLI exits 2 with its message. */
export class StorePathError extends Error {
  // The CLI matches errors by name (each command is its own bundle): 'InputError' is a clear, stack-free exit 2.
  override name = 'InputError';
}

/**
 * Opens (creating if needed, unless read-only) the store at `path`; `:memory:` works for tests.
 * Throws {@link StorePathError} when `path` is not a regular file or cannot be opened.
 */
export function openStore(path: string, options: OpenOptions = {}): Store {
  if (path !== ':memory:' && !path.startsWith('file:')) {
    try {
      const st = statSync(path);
      if (!st.isFile())
        throw new StorePathError(`--db ${path}: ${st.isDirectory() ? 'is a directory' : 'is not a regular file'}`);
    } catch (e) {
      if (e instanceof StorePathError) throw e;
      const code = (e as NodeJS.ErrnoException).code;
      if (code !== 'ENOENT' || options.readonly)
        throw new StorePathError(`--db ${path}: ${code === 'ENOENT' ? 'no such file' : `cannot open (${code})`}`);
    }
  }
  try {
    return new Store(path, options);
  } catch (e) {
    if ((e as Error).name === 'SqliteError') throw new StorePathError(`--db ${path}: ${(e as Error).message}`);
    throw e;
  }
}

let addon: string | null | undefined;

/**
 * better-sqlite3's compiled addon, by path, under plain Node: without it the first open finds the addon
 * with the `bindings` package (a stack trace and a search of a dozen paths, a few ms of every CLI process).
 * Undefined (the package's own search) under Electron, in an ESM host without `require`, or when the
 * file is not where an npm install puts it.
 */
function addonPath(): string | undefined {
  if (addon !== undefined) return addon ?? undefined;
  addon = null;
  try {
    if (process.versions.electron === undefined && typeof require === 'function') {
      const file = join(
        dirname(require.resolve('better-sqlite3/package.json')),
        'build',
        'Release',
        'better_sqlite3.node',
      );
      if (existsSync(file)) addon = file;
    }
  } catch {
    addon = null;
  }
  return addon ?? undefined;
}

function migrate(db: Db): void {
  const current = db.pragma('user_version', { simple: true }) as number;
  if (current > MIGRATIONS.length) {
    throw new Error(
      `Database schema version ${current} is newer than this QuantDesk (${MIGRATIONS.length}); upgrade the app.`,
    );
  }
  for (let v = current; v < MIGRATIONS.length; v++) {
    db.transaction(() => {
      db.exec(MIGRATIONS[v]);
      db.pragma(`user_version = ${v + 1}`);
    })();
  }
}
