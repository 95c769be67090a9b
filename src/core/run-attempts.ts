/**
 * A run's attempts: each time its process starts (the first run, an automatic retry, a user's
 * retry, a resume), read from its state history, where each attempt's start records the
 * deployment version it ran. One rule for the store, which writes the version, and for what
 * shows attempts (runs inspect, runs logs, the web's run page).
 */
import type { StateType } from "./states.ts";
import type { AttemptJson } from "./wire/index.ts";

/**
 * Whether a run entering `next` from `previous` begins an attempt: its process starts, as the
 * run goes from PENDING to RUNNING (a subflow's or a task's retry within a process is not one).
 */
export function startsAttempt(previous: StateType | undefined, next: StateType): boolean {
  return previous === "PENDING" && next === "RUNNING";
}

/** A state of a run's history as the attempts are read from it. */
export interface AttemptHistoryEntry {
  type: StateType;
  /** ISO time. */
  at: string;
  /** On an attempt's start: the version it ran (null: none, or not recorded). */
  version?: number | null;
}

/** A run's attempts, oldest first, numbered as the run counts them (1, 2, …). */
export function attemptsOf(history: readonly AttemptHistoryEntry[]): AttemptJson[] {
  const attempts: AttemptJson[] = [];
  history.forEach((s, i) => {
    if (!startsAttempt(history[i - 1]?.type, s.type)) return;
    attempts.push({ attempt: attempts.length + 1, version: s.version ?? null, started_at: s.at });
  });
  return attempts;
}

/**
 * The attempt a log line of the run belongs to, by its time (ISO): the last attempt that had
 * started by then (1 before any). Why by time: lines are stored without their attempt, and an
 * attempt's process prints nothing before it starts.
 */
export function attemptAt(
  attempts: readonly Pick<AttemptJson, "started_at">[],
  at: string,
): number {
  const time = Date.parse(at);
  return Math.max(1, attempts.filter((a) => Date.parse(a.started_at) <= time).length);
}
