/**
 * Numbered schema migrations, applied in order at open inside one transaction each and recorded
 * in `PRAGMA user_version`. Never edit a migration that has shipped: append a new one.
 *
 * Time columns are integers in EpochMs (UTC). Facts that can be revised carry `known_at` (when the
 * fact became public) beside their own date; a read "as of D" sees only rows with `known_at <= D`.
 */
export const MIGRATIONS: readonly string[] = [
  // 1: the point-in-time store
  `
  CREATE TABLE instruments (
    id INTEGER PRIMARY KEY,
    symbol TEXT NOT NULL UNIQUE,
    name TEXT NOT NULL DEFAULT '',
    sector TEXT NOT NULL DEFAULT '',
    currency TEXT NOT NULL DEFAULT 'USD',
    listed_on INTEGER,
    delisted_on INTEGER
  );
  CREATE TABLE bars (
    instrument_id INTEGER NOT NULL REFERENCES instruments(id),
    ts INTEGER NOT NULL,
    open REAL NOT NULL,
    high REAL NOT NULL,
    low REAL NOT NULL,
    close REAL NOT NULL,
    volume REAL NOT NULL,
    PRIMARY KEY (instrument_id, ts)
  ) WITHOUT ROWID;
  CREATE INDEX bars_ts ON bars(ts);
  CREATE TABLE corporate_actions (
    id INTEGER PRIMARY KEY,
    instrument_id INTEGER NOT NULL REFERENCES instruments(id),
    kind TEXT NOT NULL CHECK (kind IN ('split', 'dividend')),
    ex_date INTEGER NOT NULL,
    value REAL NOT NULL,
    known_at INTEGER NOT NULL,
    UNIQUE (instrument_id, kind, ex_date, known_at)
  );
  CREATE TABLE fundamentals (
    instrument_id INTEGER NOT NULL REFERENCES instruments(id),
    field TEXT NOT NULL,
    period_end INTEGER NOT NULL,
    known_at INTEGER NOT NULL,
    value REAL NOT NULL,
    PRIMARY KEY (instrument_id, field, period_end, known_at)
  ) WITHOUT ROWID;
  CREATE INDEX fundamentals_field_known ON fundamentals(field, known_at);
  CREATE TABLE universes (
    id INTEGER PRIMARY KEY,
    name TEXT NOT NULL,
    instrument_id INTEGER NOT NULL REFERENCES instruments(id),
    valid_from INTEGER NOT NULL,
    valid_to INTEGER,
    known_at INTEGER NOT NULL
  );
  CREATE INDEX universes_name ON universes(name, valid_from);
  CREATE TABLE imports (
    id INTEGER PRIMARY KEY,
    kind TEXT NOT NULL,
    source TEXT NOT NULL,
    sha256 TEXT NOT NULL,
    rows INTEGER NOT NULL,
    changed INTEGER NOT NULL,
    imported_at INTEGER NOT NULL
  );
  CREATE TABLE runs (
    id TEXT PRIMARY KEY,
    kind TEXT NOT NULL,
    status TEXT NOT NULL,
    spec TEXT NOT NULL,
    engine_version TEXT NOT NULL,
    data_fingerprint TEXT NOT NULL,
    metrics TEXT,
    summary TEXT,
    created_at INTEGER NOT NULL,
    finished_at INTEGER
  );
  CREATE INDEX runs_created ON runs(created_at);
  CREATE TABLE run_results (
    run_id TEXT NOT NULL REFERENCES runs(id) ON DELETE CASCADE,
    idx INTEGER NOT NULL,
    params TEXT NOT NULL,
    metrics TEXT NOT NULL,
    payload TEXT,
    PRIMARY KEY (run_id, idx)
  ) WITHOUT ROWID;
  CREATE TABLE orders (
    id TEXT PRIMARY KEY,
    ts INTEGER NOT NULL,
    session TEXT NOT NULL,
    symbol TEXT NOT NULL,
    side TEXT NOT NULL,
    type TEXT NOT NULL,
    qty REAL NOT NULL,
    limit_price REAL,
    stop_price REAL,
    parent_id TEXT,
    status TEXT NOT NULL,
    payload TEXT
  );
  CREATE TABLE order_events (
    seq INTEGER PRIMARY KEY,
    order_id TEXT NOT NULL,
    ts INTEGER NOT NULL,
    status TEXT NOT NULL,
    payload TEXT
  );
  CREATE TABLE fills (
    seq INTEGER PRIMARY KEY,
    ts INTEGER NOT NULL,
    session TEXT NOT NULL,
    order_id TEXT NOT NULL,
    symbol TEXT NOT NULL,
    side TEXT NOT NULL,
    qty REAL NOT NULL,
    price REAL NOT NULL,
    commission REAL NOT NULL
  );
  CREATE TABLE alerts (
    seq INTEGER PRIMARY KEY,
    id TEXT NOT NULL UNIQUE,
    ts INTEGER NOT NULL,
    session TEXT NOT NULL,
    kind TEXT NOT NULL,
    severity TEXT NOT NULL,
    symbol TEXT,
    message TEXT NOT NULL,
    payload TEXT,
    acknowledged_at INTEGER
  );
  CREATE TABLE outbox (
    seq INTEGER PRIMARY KEY,
    alert_id TEXT NOT NULL,
    target TEXT NOT NULL,
    body TEXT NOT NULL,
    attempts INTEGER NOT NULL DEFAULT 0,
    next_attempt_at INTEGER NOT NULL,
    delivered_at INTEGER,
    last_error TEXT
  );
  `,
  // 2: live journal additions: position snapshots (compared with fills on restore) and per-session state
  `
  CREATE TABLE positions (
    session TEXT NOT NULL,
    symbol TEXT NOT NULL,
    qty REAL NOT NULL,
    avg_cost REAL NOT NULL,
    realized REAL NOT NULL,
    updated_at INTEGER NOT NULL,
    PRIMARY KEY (session, symbol)
  ) WITHOUT ROWID;
  CREATE TABLE live_state (
    session TEXT NOT NULL,
    key TEXT NOT NULL,
    value TEXT NOT NULL,
    PRIMARY KEY (session, key)
  ) WITHOUT ROWID;
  CREATE INDEX fills_session ON fills(session, seq);
  CREATE INDEX orders_session ON orders(session, ts);
  CREATE INDEX alerts_session ON alerts(session, seq);
  CREATE INDEX outbox_due ON outbox(delivered_at, next_attempt_at);
  `,
  // 3: the data fingerprint kept in the store (see core/store/fingerprint.ts). `value` is the hash chain
  // of the imports that changed data (NULL: recompute from the imports log on first read, for stores
  // migrated from 2); `changes` counts row writes to market tables, bumped by the triggers below so a
  // write that bypasses the import service still moves the fingerprint. Seeded with the changes the
  // imports log records, which is what the triggers would have counted.
  `
  CREATE TABLE meta (
    key TEXT PRIMARY KEY,
    value TEXT,
    changes INTEGER NOT NULL DEFAULT 0
  ) WITHOUT ROWID;
  INSERT INTO meta(key, value, changes) VALUES ('data', NULL, (SELECT coalesce(sum(changed), 0) FROM imports));
  CREATE TRIGGER data_ins_instruments AFTER INSERT ON instruments BEGIN UPDATE meta SET changes = changes + 1 WHERE key = 'data'; END;
  CREATE TRIGGER data_upd_instruments AFTER UPDATE ON instruments BEGIN UPDATE meta SET changes = changes + 1 WHERE key = 'data'; END;
  CREATE TRIGGER data_del_instruments AFTER DELETE ON instruments BEGIN UPDATE meta SET changes = changes + 1 WHERE key = 'data'; END;
  CREATE TRIGGER data_ins_bars AFTER INSERT ON bars BEGIN UPDATE meta SET changes = changes + 1 WHERE key = 'data'; END;
  CREATE TRIGGER data_upd_bars AFTER UPDATE ON bars BEGIN UPDATE meta SET changes = changes + 1 WHERE key = 'data'; END;
  CREATE TRIGGER data_del_bars AFTER DELETE ON bars BEGIN UPDATE meta SET changes = changes + 1 WHERE key = 'data'; END;
  CREATE TRIGGER data_ins_corporate_actions AFTER INSERT ON corporate_actions BEGIN UPDATE meta SET changes = changes + 1 WHERE key = 'data'; END;
  CREATE TRIGGER data_upd_corporate_actions AFTER UPDATE ON corporate_actions BEGIN UPDATE meta SET changes = changes + 1 WHERE key = 'data'; END;
  CREATE TRIGGER data_del_corporate_actions AFTER DELETE ON corporate_actions BEGIN UPDATE meta SET changes = changes + 1 WHERE key = 'data'; END;
  CREATE TRIGGER data_ins_fundamentals AFTER INSERT ON fundamentals BEGIN UPDATE meta SET changes = changes + 1 WHERE key = 'data'; END;
  CREATE TRIGGER data_upd_fundamentals AFTER UPDATE ON fundamentals BEGIN UPDATE meta SET changes = changes + 1 WHERE key = 'data'; END;
  CREATE TRIGGER data_del_fundamentals AFTER DELETE ON fundamentals BEGIN UPDATE meta SET changes = changes + 1 WHERE key = 'data'; END;
  CREATE TRIGGER data_ins_universes AFTER INSERT ON universes BEGIN UPDATE meta SET changes = changes + 1 WHERE key = 'data'; END;
  CREATE TRIGGER data_upd_universes AFTER UPDATE ON universes BEGIN UPDATE meta SET changes = changes + 1 WHERE key = 'data'; END;
  CREATE TRIGGER data_del_universes AFTER DELETE ON universes BEGIN UPDATE meta SET changes = changes + 1 WHERE key = 'data'; END;
  `,
  // Instrument types (issue 11): stock (default), etf, fund, index, future, option, crypto, fx, bond. An
  // index is a benchmark, never a holding. Stores that already hold the default dataset's S&P 500 (its
  // sector is "Index") get it marked as one.
  `
  ALTER TABLE instruments ADD COLUMN type TEXT NOT NULL DEFAULT 'stock';
  UPDATE instruments SET type = 'index' WHERE sector = 'Index';
  `,
  // broker connectivity (core/live/brokers/gateway.ts): orders sent to a real broker keyed by our client order id
  // (journaled as an intent BEFORE the request goes out, so a restart looks it up instead of resending), the
  // broker's executions keyed by execution id, and every stream update's id (duplicates are dropped by it).
  `
  CREATE TABLE broker_orders (
    client_order_id TEXT PRIMARY KEY,
    session TEXT NOT NULL,
    broker TEXT NOT NULL,
    source_order_id TEXT,
    broker_order_id TEXT,
    ts INTEGER NOT NULL,
    symbol TEXT NOT NULL,
    side TEXT NOT NULL,
    type TEXT NOT NULL,
    qty REAL NOT NULL,
    limit_price REAL,
    stop_price REAL,
    status TEXT NOT NULL,
    filled_qty REAL NOT NULL DEFAULT 0,
    avg_price REAL,
    reason TEXT,
    last_seq REAL,
    updated_at INTEGER NOT NULL
  );
  CREATE INDEX broker_orders_session ON broker_orders(session, ts);
  CREATE TABLE broker_fills (
    exec_id TEXT PRIMARY KEY,
    client_order_id TEXT NOT NULL,
    session TEXT NOT NULL,
    ts INTEGER NOT NULL,
    symbol TEXT NOT NULL,
    side TEXT NOT NULL,
    qty REAL NOT NULL,
    price REAL NOT NULL
  );
  CREATE INDEX broker_fills_session ON broker_fills(session, ts);
  CREATE TABLE broker_events (
    event_id TEXT NOT NULL,
    session TEXT NOT NULL,
    ts INTEGER NOT NULL,
    PRIMARY KEY (session, event_id)
  ) WITHOUT ROWID;
  `,
  // outbox dead letters (issue 15): a delivery that failed its last allowed attempt is parked here
  // (dead_at set, never retried on its own) and shown in the Live view; `quantdesk outbox drain --retry-dead` requeues it.
  `
  ALTER TABLE outbox ADD COLUMN dead_at INTEGER;
  `,
  // Model registry (core/models/registry.ts): one row per trained or imported model version with its lineage
  // (spec, data fingerprint, feature-set hash, code version), out-of-sample metrics overall and per window,
  // global importance and the artifact (window models as JSON, or an ONNX file's bytes); model_events records
  // explicit actions on a version (promote to champion, retire) append-only.
  `
  CREATE TABLE models (
    id TEXT PRIMARY KEY,
    kind TEXT NOT NULL,
    name TEXT,
    spec TEXT NOT NULL,
    lineage TEXT NOT NULL,
    metrics TEXT,
    windows TEXT NOT NULL,
    importance TEXT,
    artifact BLOB NOT NULL,
    created_at INTEGER NOT NULL
  );
  CREATE TABLE model_events (
    seq INTEGER PRIMARY KEY AUTOINCREMENT,
    model_id TEXT NOT NULL REFERENCES models(id),
    ts INTEGER NOT NULL,
    action TEXT NOT NULL,
    note TEXT
  );
  CREATE INDEX model_events_model ON model_events(model_id, seq);
  `,
  // data platform (issue 19): news with sentiment and symbol links, DART company codes, scheduled jobs
  // and their run history. News `known_at` is when we fetched it; `published_at` is the feed's own claim.
  `
  CREATE TABLE news (
    id INTEGER PRIMARY KEY,
    dedup_key TEXT NOT NULL UNIQUE,
    feed TEXT NOT NULL,
    title TEXT NOT NULL,
    link TEXT NOT NULL DEFAULT '',
    summary TEXT NOT NULL DEFAULT '',
    published_at INTEGER,
    known_at INTEGER NOT NULL,
    lang TEXT NOT NULL DEFAULT 'en',
    sentiment REAL,
    sentiment_score REAL
  );
  CREATE INDEX news_known ON news(known_at);
  CREATE TABLE news_symbols (
    news_id INTEGER NOT NULL REFERENCES news(id),
    instrument_id INTEGER NOT NULL REFERENCES instruments(id),
    matched TEXT NOT NULL,
    PRIMARY KEY (news_id, instrument_id)
  ) WITHOUT ROWID;
  CREATE INDEX news_symbols_instrument ON news_symbols(instrument_id);
  CREATE TABLE dart_corps (
    corp_code TEXT PRIMARY KEY,
    corp_name TEXT NOT NULL,
    stock_code TEXT NOT NULL DEFAULT '',
    modify_date TEXT NOT NULL DEFAULT ''
  ) WITHOUT ROWID;
  CREATE INDEX dart_corps_stock ON dart_corps(stock_code);
  CREATE TABLE jobs (
    id INTEGER PRIMARY KEY,
    name TEXT NOT NULL UNIQUE,
    cron TEXT NOT NULL,
    timezone TEXT NOT NULL,
    command TEXT NOT NULL,
    max_retries INTEGER NOT NULL DEFAULT 3,
    backoff_ms INTEGER NOT NULL DEFAULT 60000,
    enabled INTEGER NOT NULL DEFAULT 1,
    created_at INTEGER NOT NULL,
    last_slot_at INTEGER
  );
  CREATE TABLE job_runs (
    id INTEGER PRIMARY KEY,
    job_id INTEGER NOT NULL REFERENCES jobs(id),
    slot_at INTEGER,
    attempt INTEGER NOT NULL,
    trigger TEXT NOT NULL,
    started_at INTEGER NOT NULL,
    ended_at INTEGER,
    status TEXT NOT NULL CHECK (status IN ('running', 'ok', 'failed', 'abandoned')),
    rows_changed INTEGER,
    error TEXT,
    pid INTEGER,
    host TEXT NOT NULL DEFAULT ''
  );
  CREATE INDEX job_runs_job ON job_runs(job_id, started_at);
  `,
  // data quality findings (issue 19): one row per instrument, check and date; `found_at` when a check first saw it.
  `
  CREATE TABLE dq_findings (
    id INTEGER PRIMARY KEY,
    instrument_id INTEGER NOT NULL REFERENCES instruments(id),
    check_name TEXT NOT NULL,
    ts INTEGER NOT NULL,
    severity TEXT NOT NULL,
    value REAL,
    detail TEXT NOT NULL,
    found_at INTEGER NOT NULL,
    UNIQUE (instrument_id, check_name, ts)
  );
  CREATE INDEX dq_findings_found ON dq_findings(found_at);
  `,
  // daily reports (issue 19): one row per report written, for the Reports view
  `
  CREATE TABLE reports (
    id INTEGER PRIMARY KEY,
    kind TEXT NOT NULL,
    day INTEGER NOT NULL,
    path TEXT NOT NULL,
    created_at INTEGER NOT NULL,
    summary TEXT NOT NULL
  );
  CREATE INDEX reports_day ON reports(kind, day);
  `,
  // user strategies (issue 13): every source a run or `strategies add` used, by sha256 (kept so a
  // run can be re-run after its file changed); the stored strategies' version history by name; and
  // which source each run ran.
  `
  CREATE TABLE strategy_sources (
    hash TEXT PRIMARY KEY,
    name TEXT NOT NULL,
    file TEXT NOT NULL,
    source TEXT NOT NULL,
    created_at INTEGER NOT NULL
  ) WITHOUT ROWID;
  CREATE TABLE user_strategies (
    name TEXT NOT NULL,
    version INTEGER NOT NULL,
    hash TEXT NOT NULL REFERENCES strategy_sources(hash),
    added_at INTEGER NOT NULL,
    PRIMARY KEY (name, version)
  ) WITHOUT ROWID;
  CREATE TABLE run_strategy_sources (
    run_id TEXT PRIMARY KEY,
    hash TEXT NOT NULL REFERENCES strategy_sources(hash)
  ) WITHOUT ROWID;
  `,
  // Issue 17 (runs you can manage): a user's name, tags and note for a run, in their own table so the runs
  // table stays as the engine wrote it; deleted with the run (ON DELETE CASCADE, and explicitly by deleteRun).
  `
  CREATE TABLE run_labels (
    run_id TEXT PRIMARY KEY REFERENCES runs(id) ON DELETE CASCADE,
    name TEXT NOT NULL DEFAULT '',
    tags TEXT NOT NULL DEFAULT '[]',
    note TEXT NOT NULL DEFAULT '',
    updated_at INTEGER NOT NULL
  ) WITHOUT ROWID;
  `,
  // Issue 16 (the monitoring desk): the books (live sessions run side by side) as the user configured them, and
  // desk-wide state (desk risk limits, the desk kill switch). Each book's orders, fills and alerts are the journal's,
  // under the journal session `desk:<book>`.
  `
  CREATE TABLE desk_books (
    name TEXT PRIMARY KEY,
    config TEXT NOT NULL,
    state TEXT NOT NULL,
    created_at INTEGER NOT NULL,
    updated_at INTEGER NOT NULL
  ) WITHOUT ROWID;
  CREATE TABLE desk_state (
    key TEXT PRIMARY KEY,
    value TEXT NOT NULL
  ) WITHOUT ROWID;
  `,
  // Issue 16 (the monitoring desk, items 3-6): user alert rules and their firings, watchlists, saved screens,
  // and pane workspaces. The alerts a rule raises go to the journal's alerts table (book "user-alerts").
  `
  CREATE TABLE user_alert_rules (
    id TEXT PRIMARY KEY,
    name TEXT NOT NULL DEFAULT '',
    symbol TEXT NOT NULL,
    condition TEXT NOT NULL,
    mode TEXT NOT NULL,
    expires_at INTEGER,
    severity TEXT NOT NULL,
    message TEXT NOT NULL DEFAULT '',
    webhooks TEXT NOT NULL DEFAULT '[]',
    paused INTEGER NOT NULL DEFAULT 0,
    triggered INTEGER NOT NULL DEFAULT 0,
    stored_cursor INTEGER,
    created_at INTEGER NOT NULL,
    updated_at INTEGER NOT NULL
  ) WITHOUT ROWID;
  CREATE TABLE user_alert_fires (
    seq INTEGER PRIMARY KEY,
    rule_id TEXT NOT NULL,
    alert_id TEXT NOT NULL,
    ts INTEGER NOT NULL,
    fired_at INTEGER NOT NULL,
    symbol TEXT NOT NULL,
    value REAL,
    source TEXT NOT NULL,
    book TEXT,
    message TEXT NOT NULL
  );
  CREATE INDEX user_alert_fires_rule ON user_alert_fires(rule_id, seq);
  CREATE TABLE watchlists (
    id TEXT PRIMARY KEY,
    name TEXT NOT NULL,
    symbols TEXT NOT NULL,
    columns TEXT NOT NULL,
    position INTEGER NOT NULL,
    updated_at INTEGER NOT NULL
  ) WITHOUT ROWID;
  CREATE TABLE saved_screens (
    id TEXT PRIMARY KEY,
    name TEXT NOT NULL UNIQUE,
    screen TEXT NOT NULL,
    updated_at INTEGER NOT NULL
  ) WITHOUT ROWID;
  CREATE TABLE workspaces (
    name TEXT PRIMARY KEY,
    layout TEXT NOT NULL,
    windows TEXT NOT NULL DEFAULT '[]',
    updated_at INTEGER NOT NULL
  ) WITHOUT ROWID;
  `,
  // User features (`quantdesk features add`): versions by name; sources live in strategy_sources by hash.
  `
  CREATE TABLE user_features (
    name TEXT NOT NULL,
    version INTEGER NOT NULL,
    hash TEXT NOT NULL REFERENCES strategy_sources(hash),
    added_at INTEGER NOT NULL,
    PRIMARY KEY (name, version)
  ) WITHOUT ROWID;
  `,
  // Issue 16 (desk latency): a book's open-alert count and its alert list read the latest non-signal alerts of a
  // session; with every strategy signal journaled as an alert too, the plain (session, seq) index made each such
  // read walk all of the session's signals. A partial index holds only the other alerts.
  `
  CREATE INDEX alerts_session_other ON alerts(session, seq) WHERE kind <> 'signal';
  `,
  // Issue 14 (registry writes): run payloads in a rowid table. run_results is WITHOUT ROWID, so each payload sits
  // in the key's B-tree and SQLite reads a whole overflowing row for every key comparison: storing or finding a
  // run read megabytes of the large runs stored before it. New payloads go here (their run_results.payload is
  // NULL); older rows keep theirs and are read from there.
  `
  CREATE TABLE run_payloads (
    run_id TEXT NOT NULL REFERENCES runs(id) ON DELETE CASCADE,
    idx INTEGER NOT NULL,
    payload BLOB NOT NULL,
    PRIMARY KEY (run_id, idx)
  );
  `,
];
