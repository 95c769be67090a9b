import { OrchError, type TriggeredBy } from "../core/index.ts";
import { recordEvent } from "./events.ts";
import type { Store } from "./open-store.ts";
import { insertHistory } from "./run-history.ts";
import { newRunId } from "./run-ids.ts";
import type { RunOptions } from "./run-options.ts";
import type { RunRow } from "./run-row.ts";
import { sqlite } from "./sqlite.ts";

export interface NewRun {
  deploymentId?: number | null;
  deployment?: string | null;
  version?: number | null;
  parentId?: string | null;
  parameters?: Record<string, unknown>;
  tags?: string[];
  workPool?: string;
  workQueue?: string;
  retries?: number;
  retryDelayMs?: number;
  scheduledAt?: number;
  idempotencyKey?: string | null;
  createdBy?: string;
  message?: string;
  /** The deployments whose runs led a trigger to this run. */
  triggerChain?: string[];
  /** The backfill making this run. */
  backfillId?: string;
  /** The time the run is for, when not its first due time (a backfill's slot). */
  slotAt?: number;
  /** A subflow's name. */
  flowName?: string | null;
  name?: string | null;
  /** Options over its version's (timeout, env). */
  options?: RunOptions | null;
  /** The trigger that starts it, and the event that fired the trigger. */
  triggeredBy?: TriggeredBy;
}

/**
 * Create a run in SCHEDULED, with its first state-history row and event. With an idempotency
 * key that already exists, returns the existing run and creates nothing.
 */
export function createRun(store: Store, input: NewRun): RunRow {
  return store.tx(() => existingRun(store, input) ?? insertRun(store, input));
}

/** The run that already holds `input`'s idempotency key, if any. */
export function existingRun(store: Store, input: NewRun): RunRow | null {
  if (!input.idempotencyKey) return null;
  return sqlite(store)
    .query("SELECT * FROM flow_runs WHERE idempotency_key = ?")
    .get(input.idempotencyKey) as RunRow | null;
}

/**
 * Insert a new run in SCHEDULED with its tags, first state-history row and event, in the
 * caller's transaction; its idempotency key, if any, must be free. Returns the run as stored,
 * made here rather than read back (a read by id cost a twentieth of a POST of a run). createRun
 * checks the key first; planning, which makes runs by the ten thousand, reads a schedule's taken
 * slots at once and inserts without a savepoint for each run.
 */
export function insertRun(store: Store, input: NewRun): RunRow {
  return writeRun(store, input, newRunRow(store, input));
}

/** The run `input` makes, SCHEDULED, as it would be stored (its seq 0 until it is). */
export function newRunRow(store: Store, input: NewRun): RunRow {
  const now = store.clock.now();
  const scheduledAt = input.scheduledAt ?? now;
  return {
    seq: 0,
    id: newRunId(),
    deployment_id: input.deploymentId ?? null,
    deployment: input.deployment ?? null,
    version: input.version ?? null,
    parent_id: input.parentId ?? null,
    parameters: JSON.stringify(input.parameters ?? {}),
    tags: JSON.stringify(input.tags ?? []),
    work_pool: input.workPool ?? "default",
    work_queue: input.workQueue ?? "default",
    state_type: "SCHEDULED",
    state_name: "Scheduled",
    state_message: input.message ?? "",
    state_at: now,
    attempt: 0,
    retries: input.retries ?? 0,
    retries_used: 0,
    retry_delay_ms: input.retryDelayMs ?? 0,
    scheduled_at: scheduledAt,
    started_at: null,
    ended_at: null,
    listed_at: scheduledAt,
    exit_code: null,
    signal: null,
    pid: null,
    pid_started: null,
    worker_id: null,
    idempotency_key: input.idempotencyKey ?? null,
    created_by: input.createdBy ?? "manual",
    result: null,
    created_at: now,
    trigger_chain: input.triggerChain ? JSON.stringify(input.triggerChain) : null,
    backfill_id: input.backfillId ?? null,
    slot_at: input.slotAt ?? scheduledAt,
    flow_name: input.flowName ?? null,
    pause: null,
    paused_until: null,
    resume_inputs: null,
    name: input.name ?? null,
    options:
      input.options && Object.keys(input.options).length ? JSON.stringify(input.options) : null,
    triggered_by: input.triggeredBy ? JSON.stringify(input.triggeredBy) : null,
  };
}

/**
 * Write a new run (`made`, from newRunRow) with its tags, first state-history row and event
 * (SCHEDULED, as made); `stored`: the row as it is to be stored when a first step moved it on in
 * memory (makeRun), whose own history row and event the caller records.
 */
export function writeRun(store: Store, input: NewRun, made: RunRow, stored = made): RunRow {
  const tags = input.tags ?? [];
  const row = stored;
  // Why no RETURNING: it costs several times the insert itself here (an insert then a read
  // by rowid is 3-4x quicker), and planning a large project creates runs by the ten thousand.
  const { lastInsertRowid } = sqlite(store)
    .query(
      `INSERT INTO flow_runs (id, deployment_id, deployment, version, parent_id, parameters, tags,
         work_pool, work_queue, state_type, state_name, state_message, state_at, retries,
         retry_delay_ms, scheduled_at, idempotency_key, created_by, created_at, trigger_chain,
         backfill_id, slot_at, flow_name, name, options, triggered_by, listed_at, worker_id)
       VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`,
    )
    .run(
      row.id,
      row.deployment_id,
      row.deployment,
      row.version,
      row.parent_id,
      row.parameters,
      row.tags,
      row.work_pool,
      row.work_queue,
      row.state_type,
      row.state_name,
      row.state_message,
      row.state_at,
      row.retries,
      row.retry_delay_ms,
      row.scheduled_at,
      row.idempotency_key,
      row.created_by,
      row.created_at,
      row.trigger_chain,
      row.backfill_id,
      row.slot_at,
      row.flow_name,
      row.name,
      row.options,
      row.triggered_by ?? null,
      row.listed_at,
      row.worker_id,
    );
  const seq = Number(lastInsertRowid);
  if (tags.length) {
    const tagInsert = sqlite(store).query(
      "INSERT OR IGNORE INTO flow_run_tags (run_seq, tag) VALUES (?, ?)",
    );
    for (const tag of tags) tagInsert.run(seq, tag);
  }
  const scheduled = { ...made, seq };
  insertHistory(store, seq, "SCHEDULED", "Scheduled", made.state_at, made.state_message);
  recordEvent(
    store,
    "flow-run.scheduled",
    made.id,
    { deployment: made.deployment },
    made.state_at,
    scheduled,
  );
  return scheduled;
}

/** A run by full id, or null. */
export function getRun(store: Store, id: string): RunRow | null {
  return sqlite(store).query("SELECT * FROM flow_runs WHERE id = ?").get(id) as RunRow | null;
}

/** A run by id or unambiguous id prefix; throws E_NOT_FOUND or E_AMBIGUOUS. */
export function getRunOrThrow(store: Store, idOrPrefix: string): RunRow {
  const exact = getRun(store, idOrPrefix);
  if (exact) return exact;
  if (!/^[0-9a-f-]{1,36}$/i.test(idOrPrefix)) {
    throw new OrchError("E_NOT_FOUND", `no flow run ${JSON.stringify(idOrPrefix)}`);
  }
  const rows = sqlite(store)
    .query("SELECT * FROM flow_runs WHERE id >= ? AND id < ? ORDER BY id LIMIT 2")
    .all(idOrPrefix.toLowerCase(), `${idOrPrefix.toLowerCase()}\u{10FFFF}`) as RunRow[];
  if (rows.length === 1) return rows[0]!;
  if (rows.length === 0) throw new OrchError("E_NOT_FOUND", `no flow run with id ${idOrPrefix}`);
  throw new OrchError(
    "E_AMBIGUOUS",
    `run id prefix ${idOrPrefix} matches more than one run; give more characters`,
  );
}
