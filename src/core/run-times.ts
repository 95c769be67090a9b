import type { RunDetail, RunJson } from "./index.ts";

/** One of a run's times as shown to people: what it is, when, and a note saying more. */
export interface RunTime {
  label: "for" | "scheduled" | "started";
  at: string | null;
  /** "its backfill slot", "attempt 2": empty when the time needs no note. */
  note: string;
}

/**
 * When a run was for, due and started, for the CLI's and the web's run pages alike. A run's due
 * time moves with its retries, and a backfill's run is due when its backfill feeds it, days after
 * the slot it processes: the slot then has a line of its own, and each time says which attempt
 * it was, so no line reads as a start before its due time.
 */
export function runTimes(
  run: Pick<
    RunJson,
    "slot_at" | "scheduled_at" | "started_at" | "backfill_id" | "state" | "attempt"
  > &
    Pick<RunDetail, "attempts">,
): RunTime[] {
  const moved = run.slot_at != null && run.slot_at !== run.scheduled_at;
  // Waiting for its next attempt (AwaitingRetry), a run's due time is that attempt's.
  const dueAttempt = run.state === "SCHEDULED" ? run.attempt + 1 : run.attempt;
  const times: RunTime[] = [];
  if (moved)
    times.push({
      label: "for",
      at: run.slot_at ?? null,
      note: run.backfill_id ? "its backfill slot" : "",
    });
  times.push({
    label: "scheduled",
    at: run.scheduled_at,
    note: moved && !run.backfill_id && dueAttempt > 1 ? `attempt ${dueAttempt}` : "",
  });
  const started = startedAttempt(run);
  times.push({
    label: "started",
    at: run.started_at,
    note: run.started_at && dueAttempt > 1 ? `attempt ${started}` : "",
  });
  return times;
}

/**
 * Which attempt a run's `started_at` is the start of. Why not always the first: a user's retry
 * (`runs retry`, from the failed task or not) starts the run afresh, so its start is the retry's
 * first attempt, while automatic retries keep the first start: the start is the last attempt
 * begun at or before it.
 */
function startedAttempt(run: Pick<RunJson, "started_at"> & Pick<RunDetail, "attempts">): number {
  if (!run.started_at) return 1;
  const at = Date.parse(run.started_at);
  const begun = run.attempts.filter((a) => Date.parse(a.started_at) <= at);
  return Math.max(1, begun.at(-1)?.attempt ?? 0);
}
