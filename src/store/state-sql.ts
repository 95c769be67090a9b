import { ACTIVE_TYPES, NOT_STARTED_NAMES, TERMINAL_TYPES } from "../core/index.ts";

// The run-state policies as SQL, derived from core's lists so a query can never disagree with
// the code. A partial index matches a query only when the query repeats the index's WHERE term
// exactly: ACTIVE renders ACTIVE_TYPES in their order, the same text as flow_runs_by_worker's
// (migration 2); a test checks that the index still serves the query.

const list = (values: readonly string[]) => `(${values.map((v) => `'${v}'`).join(", ")})`;

/** A run that holds a worker slot or a process (core's ACTIVE_TYPES). */
export const ACTIVE = `state_type IN ${list(ACTIVE_TYPES)}`;

/** A run that will not change on its own (core's TERMINAL_TYPES). */
export const TERMINAL = `state_type IN ${list(TERMINAL_TYPES)}`;

/**
 * A run that never started: waiting (core's NOT_STARTED_NAMES) with no attempt made. A user's
 * retry of a run cancelled before it started is one again; AwaitingRetry never is.
 */
export const NEVER_STARTED = `state_type = 'SCHEDULED' AND state_name IN ${list(NOT_STARTED_NAMES)}
  AND attempt = 0 AND started_at IS NULL`;

/** A run a schedule planned that never started: a forecast planning may replace or remove. */
export const PLANNED = `created_by = 'schedule' AND ${NEVER_STARTED}`;
