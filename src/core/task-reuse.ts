/**
 * Which results of an earlier attempt a task call may give back instead of running: the one
 * rule behind a retry from the failure and a resume after a pause, read by orch's store (its
 * task runs in SQLite) and by testFlow's memory alike. Only the rule lives here; where the task
 * runs come from, and how a value is read, is each caller's.
 */

/** Why an attempt reuses: it follows a resume, or its run was retried from the failure. */
export type ReuseReason = "resume" | "retry";

/** What a flow says of a resume: reuse what completed before the pause, or run it all again. */
export type ResumeOption = "reuse" | "rerun";

/** What the rule reads of a run as one of its attempts starts. */
export interface ReuseRunFacts {
  /** The name of its latest SCHEDULED state (`Resuming` after a resume; null: none). */
  latestScheduled: string | null;
  /** Whether a user retried it from the failure (its next attempts reuse). */
  retriedFromFailure: boolean;
}

/**
 * The attempt whose results attempt `reuseFor` may reuse, and why; null when it runs every task
 * (a first attempt, a plain retry, an automatic retry). Only the attempt just before counts: a
 * resume goes on from the attempt that paused, a retry from the attempt that failed. A resume
 * wins over a retry from the failure, since it is what started the attempt.
 */
export function reuseSource(
  reuseFor: number,
  run: ReuseRunFacts,
): { attempt: number; reason: ReuseReason } | null {
  if (!(reuseFor > 1)) return null;
  const reason: ReuseReason | null =
    run.latestScheduled === "Resuming" ? "resume" : run.retriedFromFailure ? "retry" : null;
  return reason ? { attempt: reuseFor - 1, reason } : null;
}

/** A recorded task run as the rule reads it: times in ms since the epoch. */
export interface ReuseCandidate {
  state: string;
  /** The hash of its inputs (null: they were not JSON, or not recorded). */
  inputs_hash: string | null;
  /** The hash of its task's source (null: recorded before orch kept it). */
  source_hash: string | null;
  started_at: number | null;
  ended_at: number | null;
  /** Whether its result was kept. */
  kept: boolean;
}

/**
 * The task runs of one attempt whose results a later attempt may reuse, in the order given:
 * those that COMPLETED with a kept result and hashable inputs and code, and started before the
 * attempt's first task failure ended. Why that bound and not "completed at all": a task that
 * started after a failure may depend on it (a fallback, a cleanup), so from the first failure
 * on everything runs again; a task that ran beside the failure (another item of a map) did not
 * see it. `attempt` is in the order the task runs started (as they were first recorded): times
 * are in milliseconds, and a task that started in the millisecond the failure ended counts as
 * before it only when it started before the failed task did.
 */
export function selectReusable<T>(attempt: readonly T[], read: (t: T) => ReuseCandidate): T[] {
  const seen = attempt.map((t) => [t, read(t)] as const);
  // The first failure to end (the first to start, of those that ended in the same millisecond).
  let failure = -1;
  seen.forEach(([, c], i) => {
    if (c.state !== "FAILED" || c.ended_at === null) return;
    if (failure < 0 || c.ended_at < seen[failure]![1].ended_at!) failure = i;
  });
  const failedAt = failure < 0 ? Number.POSITIVE_INFINITY : seen[failure]![1].ended_at!;
  return seen
    .filter(
      ([, c], i) =>
        c.state === "COMPLETED" &&
        c.kept &&
        c.inputs_hash !== null &&
        c.source_hash !== null &&
        c.started_at !== null &&
        (c.started_at < failedAt || (c.started_at === failedAt && i < failure)),
    )
    .map(([t]) => t);
}

/** Whether an attempt reuses at all: a resume does unless the flow says `resume: "rerun"`. */
export function reusesResults(reason: ReuseReason | undefined, onResume: ResumeOption): boolean {
  return !(reason === "resume" && onResume === "rerun");
}

/** A result an attempt may reuse: its task's name, the hashes of its inputs and code, its value. */
export interface ReusableResult {
  name: string;
  inputs_hash: string;
  source_hash: string;
  value: unknown;
}

/** The results an attempt may reuse, taken by the task calls that match them. */
export interface ReuseLookup {
  /** How many results there are to reuse. */
  readonly count: number;
  /**
   * The value a call of task `name` with these hashes of its inputs and code gives back, taken
   * (a second call with the same inputs takes the next one); undefined: the call runs.
   */
  take(name: string, inputsHash: string, sourceHash: string): { value: unknown } | undefined;
}

/**
 * A lookup of `results` by task name, inputs and code, in the order they ran: a task called
 * twice with the same inputs reuses two results and a third call runs; a task whose code
 * changed since (a run retried on a fixed version) runs.
 */
export function createReuseLookup(results: readonly ReusableResult[]): ReuseLookup {
  const key = (name: string, inputs: string, source: string) =>
    `${name}\u0000${inputs}\u0000${source}`;
  const values = new Map<string, unknown[]>();
  for (const r of results) {
    const k = key(r.name, r.inputs_hash, r.source_hash);
    const list = values.get(k) ?? [];
    list.push(r.value);
    values.set(k, list);
  }
  return {
    count: results.length,
    take(name, inputsHash, sourceHash) {
      const list = values.get(key(name, inputsHash, sourceHash));
      return list?.length ? { value: list.shift() } : undefined;
    },
  };
}
