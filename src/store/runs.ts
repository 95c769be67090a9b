import {
  decideTransition,
  iso,
  isTerminal,
  OrchError,
  type ProposedState,
  type Proposer,
  type RunJson,
  type StateJson,
  type StateName,
  type StateType,
} from "../core/index.ts";
import { recordEvent } from "./events.ts";
import type { Store } from "./open-store.ts";
import { sqlite } from "./sqlite.ts";

/** A flow run as stored. */
export interface RunRow {
  seq: number;
  id: string;
  deployment_id: number | null;
  deployment: string | null;
  version: number | null;
  parent_id: string | null;
  parameters: string;
  tags: string;
  work_pool: string;
  work_queue: string;
  state_type: StateType;
  state_name: StateName;
  state_message: string;
  state_at: number;
  attempt: number;
  retries: number;
  retries_used: number;
  retry_delay_ms: number;
  scheduled_at: number;
  started_at: number | null;
  ended_at: number | null;
  exit_code: number | null;
  signal: string | null;
  pid: number | null;
  pid_started: string | null;
  worker_id: string | null;
  idempotency_key: string | null;
  created_by: string;
  result: string | null;
  created_at: number;
  /** For a run a trigger made: JSON list of the deployments whose runs led to it. */
  trigger_chain: string | null;
}

/** The JSON shape of a stored run. */
export function runToJson(row: RunRow): RunJson {
  return {
    id: row.id,
    deployment: row.deployment,
    state: row.state_type,
    state_name: row.state_name,
    state_message: row.state_message,
    parameters: JSON.parse(row.parameters),
    tags: JSON.parse(row.tags),
    attempt: row.attempt,
    scheduled_at: iso(row.scheduled_at),
    started_at: iso(row.started_at),
    ended_at: iso(row.ended_at),
    exit_code: row.exit_code,
    signal: row.signal,
    worker: row.worker_id,
    version: row.version,
    parent_id: row.parent_id,
    work_pool: row.work_pool,
    work_queue: row.work_queue,
    created_by: row.created_by,
    created_at: iso(row.created_at),
  };
}

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
}

/**
 * Create a run in SCHEDULED, with its first state-history row and event. With an idempotency
 * key that already exists, returns the existing run and creates nothing.
 */
export function createRun(store: Store, input: NewRun): RunRow {
  return store.tx(() => {
    if (input.idempotencyKey) {
      const existing = sqlite(store)
        .query("SELECT * FROM flow_runs WHERE idempotency_key = ?")
        .get(input.idempotencyKey) as RunRow | null;
      if (existing) return existing;
    }
    const now = store.clock.now();
    const id = crypto.randomUUID();
    const tags = input.tags ?? [];
    const row = sqlite(store)
      .query(
        `INSERT INTO flow_runs (id, deployment_id, deployment, version, parent_id, parameters, tags,
           work_pool, work_queue, state_type, state_name, state_message, state_at, retries,
           retry_delay_ms, scheduled_at, idempotency_key, created_by, created_at, trigger_chain)
         VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, 'SCHEDULED', 'Scheduled', ?, ?, ?, ?, ?, ?, ?, ?, ?)
         RETURNING *`,
      )
      .get(
        id,
        input.deploymentId ?? null,
        input.deployment ?? null,
        input.version ?? null,
        input.parentId ?? null,
        JSON.stringify(input.parameters ?? {}),
        JSON.stringify(tags),
        input.workPool ?? "default",
        input.workQueue ?? "default",
        input.message ?? "",
        now,
        input.retries ?? 0,
        input.retryDelayMs ?? 0,
        input.scheduledAt ?? now,
        input.idempotencyKey ?? null,
        input.createdBy ?? "manual",
        now,
        input.triggerChain ? JSON.stringify(input.triggerChain) : null,
      ) as RunRow;
    const tagInsert = sqlite(store).query(
      "INSERT OR IGNORE INTO flow_run_tags (run_seq, tag) VALUES (?, ?)",
    );
    for (const tag of tags) tagInsert.run(row.seq, tag);
    insertHistory(store, row.seq, "SCHEDULED", "Scheduled", now, input.message ?? "");
    recordEvent(store, "flow-run.scheduled", row.id, { deployment: row.deployment });
    return row;
  });
}

/** Facts a worker reports with a state: the process it started, how it ended. */
export interface RunOutcome {
  pid?: number | null;
  pidStarted?: string | null;
  workerId?: string | null;
  exitCode?: number | null;
  signal?: string | null;
  result?: unknown;
}

export interface TransitionResult {
  run: RunRow;
  /** Whether a state was recorded (false for a no-op repeat). */
  changed: boolean;
  /** Why the proposed state was replaced, when it was. */
  replaced?: string;
}

/**
 * Move a run to a proposed state under the orchestration rules, in one transaction: the run's
 * columns, a state-history row and an event. Refused transitions throw E_ILLEGAL_TRANSITION and
 * write nothing. This is the only code that changes a run's state.
 */
export function transitionRun(
  store: Store,
  runId: string,
  proposed: ProposedState,
  outcome: RunOutcome = {},
  by: Proposer = "system",
): TransitionResult {
  return store.tx(() => {
    const run = getRunOrThrow(store, runId);
    const decision = decideTransition(
      {
        type: run.state_type,
        name: run.state_name,
        attempt: run.attempt,
        retriesLeft: run.retries - run.retries_used,
        retryDelayMs: run.retry_delay_ms,
      },
      proposed,
      by,
    );
    if (decision.verdict === "noop") return { run, changed: false };
    if (decision.verdict === "reject") {
      throw new OrchError("E_ILLEGAL_TRANSITION", `run ${run.id}: ${decision.reason}`);
    }
    const { state } = decision;
    const now = store.clock.now();
    const next: RunRow = {
      ...run,
      state_type: state.type,
      state_name: state.name,
      state_message: state.message,
      state_at: now,
    };
    if (state.type === "RUNNING" && run.state_type === "PENDING") {
      next.attempt += 1;
      next.started_at ??= now;
    }
    if (state.type === "SCHEDULED" && isTerminal(run.state_type)) {
      // A user's retry: a fresh start with the full retry budget.
      Object.assign(next, { retries_used: 0, scheduled_at: now, started_at: null, ended_at: null });
    }
    if (state.name === "AwaitingRetry") {
      next.retries_used += 1;
      next.scheduled_at = now + (state.delayMs ?? 0);
    }
    if (state.type === "SCHEDULED") {
      Object.assign(next, { exit_code: null, signal: null, pid: null, pid_started: null });
      next.worker_id = null;
    }
    if (isTerminal(state.type)) next.ended_at = now;
    if (outcome.pid !== undefined) next.pid = outcome.pid;
    if (outcome.pidStarted !== undefined) next.pid_started = outcome.pidStarted;
    if (outcome.workerId !== undefined) next.worker_id = outcome.workerId;
    if (outcome.exitCode !== undefined) next.exit_code = outcome.exitCode;
    if (outcome.signal !== undefined) next.signal = outcome.signal;
    if (outcome.result !== undefined) next.result = JSON.stringify(outcome.result);
    const updated = sqlite(store)
      .query(
        `UPDATE flow_runs SET state_type = $state_type, state_name = $state_name,
           state_message = $state_message, state_at = $state_at, attempt = $attempt,
           retries_used = $retries_used, scheduled_at = $scheduled_at, started_at = $started_at,
           ended_at = $ended_at, exit_code = $exit_code, signal = $signal, pid = $pid,
           pid_started = $pid_started, worker_id = $worker_id, result = $result
         WHERE seq = $seq RETURNING *`,
      )
      .get({
        state_type: next.state_type,
        state_name: next.state_name,
        state_message: next.state_message,
        state_at: next.state_at,
        attempt: next.attempt,
        retries_used: next.retries_used,
        scheduled_at: next.scheduled_at,
        started_at: next.started_at,
        ended_at: next.ended_at,
        exit_code: next.exit_code,
        signal: next.signal,
        pid: next.pid,
        pid_started: next.pid_started,
        worker_id: next.worker_id,
        result: next.result,
        seq: run.seq,
      }) as RunRow;
    insertHistory(store, run.seq, state.type, state.name, now, state.message);
    recordEvent(store, `flow-run.${state.type.toLowerCase()}`, run.id, {
      deployment: run.deployment,
      state: state.type,
      state_name: state.name,
      message: state.message,
    });
    return {
      run: updated,
      changed: true,
      ...(decision.replaced ? { replaced: decision.replaced } : {}),
    };
  });
}

function insertHistory(
  store: Store,
  seq: number,
  type: StateType,
  name: StateName,
  at: number,
  message: string,
): void {
  sqlite(store)
    .query("INSERT INTO flow_run_states (run_seq, type, name, at, message) VALUES (?, ?, ?, ?, ?)")
    .run(seq, type, name, at, message);
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

/** A run's state history, oldest first. */
export function runStates(store: Store, seq: number): StateJson[] {
  const rows = sqlite(store)
    .query("SELECT type, name, at, message FROM flow_run_states WHERE run_seq = ? ORDER BY id")
    .all(seq) as { type: StateType; name: StateName; at: number; message: string }[];
  return rows.map((r) => ({ ...r, at: iso(r.at)! }));
}

export interface RunFilter {
  deployment?: string;
  state?: StateType;
  tag?: string;
  limit?: number;
  /** Return the runs after this one in the listing's order (the previous page's last). */
  before?: RunCursor;
  /** Only runs scheduled at or after this time (epoch ms). */
  since?: number;
  /** Only runs scheduled before this time (epoch ms). */
  until?: number;
  /** Leave out runs a schedule planned for after this time (the future), keeping what happened. */
  plannedAfter?: number;
}

/**
 * When a run happened for listings: its start; for a run that ended without starting (a
 * cancelled future slot), its end; else when it is due. Runs are listed by it, newest first; the
 * planned future would sort on top, so listings of what happened leave it out (plannedAfter).
 * Indexed as this exact expression (migration 6).
 */
const RUN_TIME = "coalesce(r.started_at, r.ended_at, r.scheduled_at)";

/** Where a page of runs ends: the last run's time and seq. */
export interface RunCursor {
  at: number;
  seq: number;
}

/** The cursor after `row`, as text for the API. */
export function runCursor(row: RunRow): string {
  return `${row.started_at ?? row.ended_at ?? row.scheduled_at}.${row.seq}`;
}

/** A cursor from its text, or null when it is not one. */
export function parseRunCursor(text: string): RunCursor | null {
  const m = /^(-?\d+)\.(\d+)$/.exec(text);
  return m ? { at: Number(m[1]), seq: Number(m[2]) } : null;
}

/** Runs by when they happened (RUN_TIME), newest first, filtered; an index serves each filter. */
export function listRuns(store: Store, filter: RunFilter = {}): RunRow[] {
  const where: string[] = [];
  const args: (string | number)[] = [];
  if (filter.deployment !== undefined) {
    where.push("r.deployment = ?");
    args.push(filter.deployment);
  }
  if (filter.state) {
    where.push("r.state_type = ?");
    args.push(filter.state);
  }
  if (filter.tag !== undefined) {
    where.push("r.seq IN (SELECT run_seq FROM flow_run_tags WHERE tag = ?)");
    args.push(filter.tag);
  }
  if (filter.since !== undefined) {
    where.push("r.scheduled_at >= ?");
    args.push(filter.since);
  }
  if (filter.until !== undefined) {
    where.push("r.scheduled_at < ?");
    args.push(filter.until);
  }
  if (filter.plannedAfter !== undefined) {
    where.push(
      "NOT (r.created_by = 'schedule' AND r.state_type = 'SCHEDULED' AND r.scheduled_at > ?)",
    );
    args.push(filter.plannedAfter);
  }
  if (filter.before !== undefined) {
    // The first term is implied by the second; it lets SQLite seek the index instead of scanning.
    where.push(`${RUN_TIME} <= ? AND (${RUN_TIME}, r.seq) < (?, ?)`);
    args.push(filter.before.at, filter.before.at, filter.before.seq);
  }
  const sql = `SELECT r.* FROM flow_runs r ${where.length ? `WHERE ${where.join(" AND ")}` : ""}
    ORDER BY ${RUN_TIME} DESC, r.seq DESC LIMIT ?`;
  args.push(Math.max(1, Math.min(filter.limit ?? 50, 1000)));
  return sqlite(store)
    .query(sql)
    .all(...args) as RunRow[];
}
