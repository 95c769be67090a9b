/**
 * The store's schema, as numbered migrations. A migration is never edited once released: change
 * the schema by adding the next one. Times are epoch milliseconds (INTEGER); JSON is TEXT.
 */
export interface Migration {
  version: number;
  name: string;
  sql: string;
}

export const MIGRATIONS: readonly Migration[] = [
  {
    version: 1,
    name: "deployments, runs, states, logs, tasks",
    sql: `
CREATE TABLE work_pools (
  name TEXT PRIMARY KEY,
  concurrency_limit INTEGER,
  paused INTEGER NOT NULL DEFAULT 0,
  created_at INTEGER NOT NULL
);
CREATE TABLE work_queues (
  pool TEXT NOT NULL REFERENCES work_pools(name) ON DELETE CASCADE,
  name TEXT NOT NULL,
  priority INTEGER NOT NULL DEFAULT 1,
  concurrency_limit INTEGER,
  paused INTEGER NOT NULL DEFAULT 0,
  created_at INTEGER NOT NULL,
  PRIMARY KEY (pool, name)
);

CREATE TABLE deployments (
  id INTEGER PRIMARY KEY,
  name TEXT NOT NULL UNIQUE,
  version INTEGER NOT NULL,
  spec TEXT NOT NULL,
  source_file TEXT,
  source_line INTEGER,
  paused INTEGER NOT NULL DEFAULT 0,
  removed_at INTEGER,
  created_at INTEGER NOT NULL,
  updated_at INTEGER NOT NULL
);
CREATE TABLE deployment_versions (
  deployment_id INTEGER NOT NULL REFERENCES deployments(id) ON DELETE CASCADE,
  version INTEGER NOT NULL,
  hash TEXT NOT NULL,
  spec TEXT NOT NULL,
  bundle TEXT,
  created_at INTEGER NOT NULL,
  PRIMARY KEY (deployment_id, version)
);
CREATE TABLE bundles (
  hash TEXT PRIMARY KEY,
  manifest TEXT NOT NULL,
  size INTEGER NOT NULL,
  created_at INTEGER NOT NULL
);

CREATE TABLE flow_runs (
  seq INTEGER PRIMARY KEY,
  id TEXT NOT NULL UNIQUE,
  deployment_id INTEGER REFERENCES deployments(id),
  deployment TEXT,
  version INTEGER,
  parent_id TEXT,
  parameters TEXT NOT NULL DEFAULT '{}',
  tags TEXT NOT NULL DEFAULT '[]',
  work_pool TEXT NOT NULL DEFAULT 'default',
  work_queue TEXT NOT NULL DEFAULT 'default',
  state_type TEXT NOT NULL,
  state_name TEXT NOT NULL,
  state_message TEXT NOT NULL DEFAULT '',
  state_at INTEGER NOT NULL,
  attempt INTEGER NOT NULL DEFAULT 0,
  retries INTEGER NOT NULL DEFAULT 0,
  retries_used INTEGER NOT NULL DEFAULT 0,
  retry_delay_ms INTEGER NOT NULL DEFAULT 0,
  scheduled_at INTEGER NOT NULL,
  started_at INTEGER,
  ended_at INTEGER,
  exit_code INTEGER,
  signal TEXT,
  pid INTEGER,
  pid_started TEXT,
  worker_id TEXT,
  idempotency_key TEXT UNIQUE,
  created_by TEXT NOT NULL DEFAULT 'manual',
  result TEXT,
  created_at INTEGER NOT NULL
);
CREATE TABLE flow_run_tags (
  run_seq INTEGER NOT NULL REFERENCES flow_runs(seq) ON DELETE CASCADE,
  tag TEXT NOT NULL,
  PRIMARY KEY (tag, run_seq)
) WITHOUT ROWID;
CREATE TABLE flow_run_states (
  id INTEGER PRIMARY KEY,
  run_seq INTEGER NOT NULL REFERENCES flow_runs(seq) ON DELETE CASCADE,
  type TEXT NOT NULL,
  name TEXT NOT NULL,
  at INTEGER NOT NULL,
  message TEXT NOT NULL DEFAULT ''
);
CREATE TABLE log_lines (
  id INTEGER PRIMARY KEY,
  run_seq INTEGER NOT NULL,
  at INTEGER NOT NULL,
  stream TEXT NOT NULL,
  line TEXT NOT NULL
);
CREATE TABLE task_runs (
  id INTEGER PRIMARY KEY,
  run_seq INTEGER NOT NULL REFERENCES flow_runs(seq) ON DELETE CASCADE,
  name TEXT NOT NULL,
  key TEXT,
  state TEXT NOT NULL,
  attempts INTEGER NOT NULL DEFAULT 0,
  cached INTEGER NOT NULL DEFAULT 0,
  result TEXT,
  started_at INTEGER,
  ended_at INTEGER
);

CREATE INDEX flow_runs_due ON flow_runs (state_type, scheduled_at)
  WHERE state_type IN ('SCHEDULED', 'PENDING', 'RUNNING', 'CANCELLING', 'PAUSED');
CREATE INDEX flow_runs_by_deployment ON flow_runs (deployment, seq);
CREATE INDEX flow_runs_by_state ON flow_runs (state_type, seq);
CREATE INDEX flow_runs_by_parent ON flow_runs (parent_id) WHERE parent_id IS NOT NULL;
CREATE INDEX flow_run_states_by_run ON flow_run_states (run_seq, id);
CREATE INDEX log_lines_by_run ON log_lines (run_seq, id);
CREATE INDEX task_runs_by_run ON task_runs (run_seq, id);
`,
  },
  {
    version: 2,
    name: "workers and events",
    sql: `
CREATE TABLE workers (
  id TEXT PRIMARY KEY,
  name TEXT NOT NULL,
  pool TEXT NOT NULL,
  host TEXT NOT NULL,
  pid INTEGER,
  concurrency INTEGER NOT NULL,
  status TEXT NOT NULL DEFAULT 'online',
  started_at INTEGER NOT NULL,
  last_heartbeat INTEGER NOT NULL
);
CREATE INDEX workers_by_status ON workers (status, last_heartbeat);
CREATE INDEX flow_runs_by_worker ON flow_runs (worker_id)
  WHERE state_type IN ('PENDING', 'RUNNING', 'CANCELLING', 'PAUSED');

CREATE TABLE events (
  id INTEGER PRIMARY KEY,
  name TEXT NOT NULL,
  resource TEXT,
  payload TEXT NOT NULL DEFAULT '{}',
  at INTEGER NOT NULL
);
CREATE INDEX events_by_name ON events (name, id);
CREATE INDEX events_by_resource ON events (resource, id) WHERE resource IS NOT NULL;
`,
  },
  {
    version: 3,
    name: "claim index",
    // The worker's claim reads due runs of a pool in scheduled_at order. flow_runs_due cannot
    // serve it: SQLite uses a partial index only when the query implies its WHERE, and
    // state_type = 'SCHEDULED' does not imply state_type IN (...). Without this index every
    // claim sorts the whole backlog.
    sql: `
CREATE INDEX flow_runs_claim ON flow_runs (work_pool, scheduled_at) WHERE state_type = 'SCHEDULED';
`,
  },
  {
    version: 4,
    name: "log marks",
    // A remote worker numbers each attempt's lines and resends a batch it is not sure arrived
    // (the server restarted under it). The highest number stored per attempt is enough to drop
    // what is already there, since a worker delivers a run's lines in order, one batch at a time;
    // a unique index over every line would tax the embedded worker's writes for nothing.
    sql: `
CREATE TABLE log_marks (
  run_seq INTEGER NOT NULL REFERENCES flow_runs(seq) ON DELETE CASCADE,
  attempt INTEGER NOT NULL,
  last_n INTEGER NOT NULL,
  PRIMARY KEY (run_seq, attempt)
) WITHOUT ROWID;
`,
  },
  {
    version: 5,
    name: "scheduled runs by deployment, event cursors",
    // The scheduler reads each deployment's planned runs, and the slots that came due since its
    // last tick; listings read each deployment's next run. Without these, each scans every run.
    // A cursor records the last event a consumer (the triggers) handled, to resume after a crash.
    // A flow reports each task run's latest state under its own key. flow_runs_due served no
    // query (a partial index on state_type IN (...) is not used for state_type = 'SCHEDULED');
    // flow_runs_scheduled serves the late-run rule and the scheduler's next wake-up. A run made by
    // a trigger keeps the deployments whose runs led to it (trigger_chain), to stop loops.
    // Listings order runs by when they happened (started, or due), not by when they were made.
    sql: `
CREATE INDEX flow_runs_scheduled_by_deployment ON flow_runs (deployment_id, scheduled_at)
  WHERE state_type = 'SCHEDULED';
CREATE INDEX flow_runs_planned ON flow_runs (scheduled_at) WHERE created_by = 'schedule';
DROP INDEX flow_runs_due;
DROP INDEX flow_runs_by_deployment;
DROP INDEX flow_runs_by_state;
CREATE INDEX flow_runs_by_time ON flow_runs (coalesce(started_at, scheduled_at), seq);
CREATE INDEX flow_runs_by_deployment ON flow_runs (deployment, coalesce(started_at, scheduled_at), seq);
CREATE INDEX flow_runs_by_state ON flow_runs (state_type, coalesce(started_at, scheduled_at), seq);
CREATE INDEX flow_runs_scheduled ON flow_runs (scheduled_at) WHERE state_type = 'SCHEDULED';
CREATE UNIQUE INDEX task_runs_by_key ON task_runs (run_seq, key);
ALTER TABLE flow_runs ADD COLUMN trigger_chain TEXT;
CREATE TABLE event_cursors (
  name TEXT PRIMARY KEY,
  last_id INTEGER NOT NULL
);
`,
  },
  {
    version: 6,
    name: "never-started runs by when they ended",
    // A run that ended without starting (a cancelled future slot) happened when it ended, not
    // at the time it was due: listed by its due time it would sit above runs that truly ran.
    sql: `
DROP INDEX flow_runs_by_time;
DROP INDEX flow_runs_by_deployment;
DROP INDEX flow_runs_by_state;
CREATE INDEX flow_runs_by_time ON flow_runs (coalesce(started_at, ended_at, scheduled_at), seq);
CREATE INDEX flow_runs_by_deployment ON flow_runs (deployment, coalesce(started_at, ended_at, scheduled_at), seq);
CREATE INDEX flow_runs_by_state ON flow_runs (state_type, coalesce(started_at, ended_at, scheduled_at), seq);
`,
  },
  {
    version: 7,
    name: "deployments whose file is invalid",
    // A deployment keeps its last good version while its file is broken: listings mark it, so
    // what runs is not mistaken for what the file says.
    sql: `
ALTER TABLE deployments ADD COLUMN source_invalid INTEGER NOT NULL DEFAULT 0;
`,
  },
  {
    version: 8,
    name: "secrets, variables, run options, rollbacks",
    // Secret values are stored encrypted (AES-GCM, the key kept outside this file); variables are
    // plain text. A run keeps its own name and the options given when it was triggered (timeout,
    // env), which go over its version's. A deployment rolled back to an older version records the
    // hash its files had then: the next deploy of the same files keeps the rollback, a change
    // of them makes a new version.
    sql: `
CREATE TABLE secrets (
  name TEXT PRIMARY KEY,
  value BLOB NOT NULL,
  created_at INTEGER NOT NULL,
  updated_at INTEGER NOT NULL
);
CREATE TABLE variables (
  name TEXT PRIMARY KEY,
  value TEXT NOT NULL,
  created_at INTEGER NOT NULL,
  updated_at INTEGER NOT NULL
);
ALTER TABLE flow_runs ADD COLUMN name TEXT;
ALTER TABLE flow_runs ADD COLUMN options TEXT;
ALTER TABLE deployments ADD COLUMN rolled_back_from TEXT;
`,
  },
  {
    version: 9,
    name: "backfills, and the slot each run is for",
    // A backfill walks a schedule's slots over a past range; `cursor` is the last slot it handled
    // (made a run for, or skipped), moved in the same transaction that makes the slot's run (whose
    // idempotency key names the backfill and the slot), so a backfill killed at any point resumes
    // with no slot twice and none skipped. `slot_at` keeps the time a run is for (its schedule or
    // backfill slot, or when it was first due): scheduled_at moves with retries and, for a
    // backfill's run, is when it was fed. Completed runs by slot serve --only-missing.
    sql: `
CREATE TABLE backfills (
  id TEXT PRIMARY KEY,
  deployment_id INTEGER NOT NULL REFERENCES deployments(id),
  deployment TEXT NOT NULL,
  schedule_index INTEGER NOT NULL,
  schedule TEXT NOT NULL,
  from_at INTEGER NOT NULL,
  to_at INTEGER NOT NULL,
  reverse INTEGER NOT NULL DEFAULT 0,
  only_missing INTEGER NOT NULL DEFAULT 0,
  max_concurrency INTEGER NOT NULL,
  status TEXT NOT NULL,
  total INTEGER NOT NULL,
  cursor INTEGER,
  created INTEGER NOT NULL DEFAULT 0,
  skipped INTEGER NOT NULL DEFAULT 0,
  message TEXT NOT NULL DEFAULT '',
  created_at INTEGER NOT NULL,
  updated_at INTEGER NOT NULL,
  ended_at INTEGER
);
CREATE INDEX backfills_by_status ON backfills (status, created_at);
ALTER TABLE flow_runs ADD COLUMN backfill_id TEXT;
ALTER TABLE flow_runs ADD COLUMN slot_at INTEGER;
CREATE INDEX flow_runs_by_backfill ON flow_runs (backfill_id, state_type) WHERE backfill_id IS NOT NULL;
CREATE INDEX flow_runs_completed_slots ON flow_runs (deployment_id, coalesce(slot_at, scheduled_at))
  WHERE state_type = 'COMPLETED';
`,
  },
  {
    version: 10,
    name: "runs and events by age, for retention",
    // Retention deletes the oldest finished runs, in total and per deployment, and events by
    // time, in small batches: without these, each batch would scan every run (or event) to find
    // the few it deletes. Settings hold what a project sets once for all its deployments (its
    // retention), as JSON by key.
    sql: `
CREATE INDEX flow_runs_by_end ON flow_runs (ended_at) WHERE ended_at IS NOT NULL;
CREATE INDEX flow_runs_by_deployment_end ON flow_runs (deployment, ended_at)
  WHERE ended_at IS NOT NULL;
CREATE INDEX events_by_time ON events (at);
CREATE TABLE settings (
  key TEXT PRIMARY KEY,
  value TEXT NOT NULL
);
`,
  },
  {
    version: 11,
    name: "log levels and fields, task messages, tag slots",
    // A flow's logger gives a line its level and fields; a plain line has none (NULL: its level
    // comes from its stream, so old lines need no rewrite). A task run keeps why it failed.
    // A tag slot is one task attempt's hold on a tag's concurrency limit, across runs; it lives
    // only while its run is RUNNING (transitionRun frees a run's slots when it stops).
    sql: `
ALTER TABLE log_lines ADD COLUMN level TEXT;
ALTER TABLE log_lines ADD COLUMN fields TEXT;
ALTER TABLE task_runs ADD COLUMN state_name TEXT;
ALTER TABLE task_runs ADD COLUMN message TEXT;
ALTER TABLE task_runs ADD COLUMN tags TEXT;
CREATE TABLE tag_slots (
  holder TEXT PRIMARY KEY,
  tag TEXT NOT NULL,
  run_seq INTEGER NOT NULL REFERENCES flow_runs(seq) ON DELETE CASCADE,
  acquired_at INTEGER NOT NULL
);
CREATE INDEX tag_slots_by_tag ON tag_slots (tag);
CREATE INDEX tag_slots_by_run ON tag_slots (run_seq);
`,
  },
  {
    version: 12,
    name: "tags by run",
    // Deleting a run deletes its tags (ON DELETE CASCADE); their key leads with the tag, so
    // without an index by run each delete would read every tag of every run.
    sql: `
CREATE INDEX flow_run_tags_by_run ON flow_run_tags (run_seq);
`,
  },
  {
    version: 13,
    name: "task cache and artifacts",
    // A cached value belongs to a task and its key, not to a run: it outlives the run that made
    // it (a run's deletion keeps it), and `orch cache clear` drops it. Its value is kept as a
    // result is (flow_runs.result, task_runs.result): a small JSON envelope that holds the
    // value, or names its file under .orch/results/. Artifacts go with their run.
    sql: `
CREATE TABLE cache_entries (
  task TEXT NOT NULL,
  key TEXT NOT NULL,
  value TEXT NOT NULL,
  size INTEGER NOT NULL,
  run_id TEXT,
  created_at INTEGER NOT NULL,
  expires_at INTEGER,
  PRIMARY KEY (task, key)
) WITHOUT ROWID;
CREATE TABLE artifacts (
  id INTEGER PRIMARY KEY,
  run_seq INTEGER NOT NULL REFERENCES flow_runs(seq) ON DELETE CASCADE,
  task TEXT,
  key TEXT NOT NULL,
  type TEXT NOT NULL,
  data TEXT NOT NULL,
  description TEXT,
  created_at INTEGER NOT NULL
);
CREATE INDEX artifacts_by_run ON artifacts (run_seq, id);
`,
  },
  {
    version: 14,
    name: "work pool types and job templates",
    // A pool's type says how its runs execute (a process, a container); its job template is the
    // infrastructure's settings, which deployments override with job_variables. A type set means
    // a definition file declares the pool: orch up serves those pools itself.
    sql: `
ALTER TABLE work_pools ADD COLUMN type TEXT;
ALTER TABLE work_pools ADD COLUMN job TEXT;
`,
  },
  {
    version: 15,
    name: "subflows and pauses",
    // A subflow's run keeps its flow's name (it has no deployment to name it). A paused run
    // keeps what its pause asked (pause: key, input schema) and until when it may wait
    // (paused_until, for the pause timeout); resume_inputs keeps each pause's input by key, for
    // the run's next start from the top. PAUSED no longer holds a slot: its process has exited,
    // so the worker index (whose WHERE must repeat the active states exactly) is rebuilt.
    sql: `
ALTER TABLE flow_runs ADD COLUMN flow_name TEXT;
ALTER TABLE flow_runs ADD COLUMN pause TEXT;
ALTER TABLE flow_runs ADD COLUMN paused_until INTEGER;
ALTER TABLE flow_runs ADD COLUMN resume_inputs TEXT;
CREATE INDEX flow_runs_paused ON flow_runs (paused_until) WHERE state_type = 'PAUSED';
DROP INDEX flow_runs_by_worker;
CREATE INDEX flow_runs_by_worker ON flow_runs (worker_id)
  WHERE state_type IN ('PENDING', 'RUNNING', 'CANCELLING');
`,
  },
  {
    version: 16,
    name: "definition problems, start-up notices",
    // What a live view must be able to load rather than only hear about: every problem of each
    // definition file that is invalid now (a file with no deployments too), and what start-up
    // found (runs that crashed while orch was down) until someone acknowledges it.
    sql: `
CREATE TABLE definition_problems (
  file TEXT PRIMARY KEY,
  problems TEXT NOT NULL,
  at INTEGER NOT NULL
) WITHOUT ROWID;
CREATE TABLE notices (
  id INTEGER PRIMARY KEY,
  kind TEXT NOT NULL,
  resource TEXT,
  message TEXT NOT NULL,
  at INTEGER NOT NULL,
  acknowledged_at INTEGER
);
CREATE INDEX notices_open ON notices (id) WHERE acknowledged_at IS NULL;
`,
  },
  {
    version: 17,
    name: "the files each version uses",
    // A version records the files its runs use (path to content hash): inspect tells which of
    // them changed from one version to the next.
    sql: `
ALTER TABLE deployment_versions ADD COLUMN files TEXT;
`,
  },
  {
    version: 18,
    name: "webhooks and file arrivals",
    // Webhooks declared in definition files, by the file that declares them (a file's webhooks
    // are replaced as one when it is deployed). A delivery id already received makes no second
    // event. A file arrival is kept by its watch, path and content hash: a file handled once is
    // not handled again after a restart, while a changed one (new hash) is new; size and mtime
    // let a restart skip hashing a file it already handled.
    sql: `
CREATE TABLE webhooks (
  slug TEXT PRIMARY KEY,
  spec TEXT NOT NULL,
  source_file TEXT NOT NULL
) WITHOUT ROWID;
CREATE INDEX webhooks_by_source ON webhooks (source_file);
CREATE TABLE webhook_deliveries (
  slug TEXT NOT NULL,
  delivery_id TEXT NOT NULL,
  event_id INTEGER NOT NULL,
  at INTEGER NOT NULL,
  PRIMARY KEY (slug, delivery_id)
) WITHOUT ROWID;
CREATE INDEX webhook_deliveries_by_time ON webhook_deliveries (at);
CREATE TABLE file_arrivals (
  watch TEXT NOT NULL,
  path TEXT NOT NULL,
  sha256 TEXT NOT NULL,
  size INTEGER NOT NULL,
  mtime_ms INTEGER NOT NULL,
  event_id INTEGER NOT NULL,
  move_to TEXT,
  moved_at INTEGER,
  at INTEGER NOT NULL,
  PRIMARY KEY (watch, path, sha256)
) WITHOUT ROWID;
CREATE INDEX file_arrivals_by_event ON file_arrivals (event_id);
`,
  },
  {
    version: 19,
    name: "task inputs per attempt, retries that reuse results",
    // Retry from the failure: a task run records which attempt of its flow run it belongs to and
    // a hash of its inputs, so a later attempt can return the result of a task that completed
    // with the same inputs instead of running it. A run retried that way is listed in
    // reuse_results while its attempts reuse (a plain retry removes it).
    sql: `
ALTER TABLE task_runs ADD COLUMN run_attempt INTEGER;
ALTER TABLE task_runs ADD COLUMN inputs_hash TEXT;
CREATE TABLE reuse_results (
  run_seq INTEGER PRIMARY KEY REFERENCES flow_runs(seq) ON DELETE CASCADE,
  from_attempt INTEGER NOT NULL
);
`,
  },
  {
    version: 20,
    name: "trigger windows, deadlines and firings",
    // What a trigger has seen lives in the store, written in the transaction that moves the
    // triggers' event cursor, so a restart (even kill -9) neither loses a window's count nor
    // counts an event twice: the events a trigger counted within its window (slot -1) or saw
    // as one of its after events (slot N), each proactive trigger's open deadline per for_each
    // value, and each trigger's firings (its rate cap looks at the recent ones). A run a trigger
    // starts names the trigger and the event (triggered_by), for run details.
    sql: `
CREATE TABLE trigger_events (
  trigger TEXT NOT NULL,
  bucket TEXT NOT NULL,
  slot INTEGER NOT NULL,
  event_id INTEGER NOT NULL,
  at INTEGER NOT NULL,
  PRIMARY KEY (trigger, bucket, slot, event_id)
) WITHOUT ROWID;
CREATE TABLE trigger_deadlines (
  trigger TEXT NOT NULL,
  bucket TEXT NOT NULL,
  due_at INTEGER NOT NULL,
  since INTEGER NOT NULL,
  seen INTEGER NOT NULL DEFAULT 0,
  after_event INTEGER,
  PRIMARY KEY (trigger, bucket)
) WITHOUT ROWID;
CREATE INDEX trigger_deadlines_due ON trigger_deadlines (due_at);
CREATE TABLE trigger_firings (
  trigger TEXT NOT NULL,
  at INTEGER NOT NULL,
  event_id INTEGER,
  suppressed INTEGER NOT NULL DEFAULT 0
);
CREATE INDEX trigger_firings_by_trigger ON trigger_firings (trigger, at);
CREATE INDEX trigger_firings_by_kind ON trigger_firings (trigger, suppressed, at);
ALTER TABLE flow_runs ADD COLUMN triggered_by TEXT;
`,
  },
  {
    version: 21,
    name: "which file declares a work pool, and whether orch up serves it",
    // A pool no file declares any more is undeclared (its file's deployments and webhooks go
    // the same way), and orch up serves only the pools a definition asks it to.
    sql: `
ALTER TABLE work_pools ADD COLUMN source_file TEXT;
ALTER TABLE work_pools ADD COLUMN embedded INTEGER NOT NULL DEFAULT 0;
`,
  },
  {
    version: 22,
    name: "which PENDING state a remote worker was let start its run's process in",
    // A remote worker asks before it starts a run's process (run-starts.ts): a run lost with its
    // worker after that may have started, and is never handed to a second worker.
    sql: `
ALTER TABLE flow_runs ADD COLUMN start_state INTEGER;
`,
  },
  {
    version: 23,
    name: "the deployments of a file, and those with triggers, found without reading every one",
    // At 10,000 deployments each pass of a deploy marked every file's deployments valid by
    // reading all of them (a file at a time), and arming triggers and file arrivals parsed every
    // spec to find the few with a trigger: tens of milliseconds each on the server's thread.
    sql: `
CREATE INDEX deployments_by_source ON deployments (source_file, source_invalid);
CREATE INDEX deployments_with_triggers ON deployments (name)
  WHERE json_array_length(spec, '$.triggers') > 0;
`,
  },
  {
    version: 24,
    name: "why a trigger's firing failed",
    // A firing whose action failed (its run could not be created...) is counted apart from
    // those that acted, and `triggers ls` says the last failure's reason.
    sql: `
ALTER TABLE trigger_firings ADD COLUMN failure TEXT;
`,
  },
  {
    version: 25,
    name: "runs listed by when they are due; no index of events by run",
    // Fewer pages per state change. The listings' key was coalesce(started_at, ended_at,
    // scheduled_at): a run's start and end rewrote all three listing indexes. listed_at (core's
    // runListedAt) is set when the run is made and moves only when it is retried or ends without
    // starting. Nothing reads events by resource, yet each event wrote an entry there.
    sql: `
DROP INDEX flow_runs_by_time;
DROP INDEX flow_runs_by_deployment;
DROP INDEX flow_runs_by_state;
DROP INDEX events_by_resource;
ALTER TABLE flow_runs ADD COLUMN listed_at INTEGER NOT NULL DEFAULT 0;
UPDATE flow_runs SET listed_at =
  CASE WHEN started_at IS NULL AND ended_at IS NOT NULL THEN ended_at ELSE scheduled_at END;
CREATE INDEX flow_runs_by_time ON flow_runs (listed_at, seq);
CREATE INDEX flow_runs_by_deployment ON flow_runs (deployment, listed_at, seq);
CREATE INDEX flow_runs_by_state ON flow_runs (state_type, listed_at, seq);
`,
  },
  {
    version: 26,
    name: "a trigger's failed firings by time",
    // orch triggers ls counts a trigger's failed firings: along this index, a count reads the
    // failures alone, not every firing of the last days. Failures are few: it costs a firing
    // that acts nothing.
    sql: `
CREATE INDEX trigger_firings_failed ON trigger_firings (trigger, at)
  WHERE suppressed = 0 AND failure IS NOT NULL;
`,
  },
  {
    version: 27,
    name: "fewer pages per run: events by time and by the frequent names unindexed",
    // Every state change writes a page of each b-tree it touches. Nothing needs events by time
    // that their ids do not give (events.ts eventsSince: ids follow time). A run's scheduled,
    // pending and running events, three of its four, are kept out of the index by name: a
    // listing of those names finds them in id order, since every run has them.
    sql: `
DROP INDEX events_by_time;
DROP INDEX events_by_name;
CREATE INDEX events_by_name ON events (name, id)
  WHERE name NOT IN ('flow-run.scheduled', 'flow-run.pending', 'flow-run.running');
`,
  },
  {
    version: 28,
    name: "the source of each task run's code",
    // A retry from the failure runs the deployment's active version (the code as fixed since):
    // a task's kept result is reused only when its code is the same too, so each task run
    // records a hash of its function's source (as the cache's default key includes it).
    sql: `
ALTER TABLE task_runs ADD COLUMN source_hash TEXT;
`,
  },
  {
    version: 29,
    name: "the names of deployments not removed, on their own",
    // An unknown deployment's "did you mean" reads the names of a length that can be close: along
    // the names' unique index each one cost a read of its row (for removed_at), 7-10 ms of the
    // server's thread at 7,000 deployments while a redeploy wrote; this index holds the answer
    // (by length first, so no listing in name order takes it for the names' own index; with
    // removed_at, always null in it, as SQLite reads a row for a column its WHERE names).
    sql: `
CREATE INDEX deployments_live_names ON deployments (length(name), name, removed_at)
  WHERE removed_at IS NULL;
`,
  },
  {
    version: 30,
    name: "the version each attempt of a run ran",
    // flow_runs.version is the latest attempt's: a retry runs the deployment's active version,
    // so the attempts before it ran another. The history row where an attempt starts (RUNNING
    // from PENDING) keeps the version it ran, written with the row at no extra cost; rows of
    // before stay null (not recorded), as no history says for sure which version they ran.
    sql: `
ALTER TABLE flow_run_states ADD COLUMN version INTEGER;
`,
  },
];

/** The newest schema version this build of orch knows. */
export const SCHEMA_VERSION = MIGRATIONS[MIGRATIONS.length - 1]!.version;
