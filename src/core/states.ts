/** The state types of a flow run, Prefect's names. Stored as-is: never rename one. */
export const STATE_TYPES = [
  "SCHEDULED",
  "PENDING",
  "RUNNING",
  "COMPLETED",
  "FAILED",
  "CRASHED",
  "CANCELLING",
  "CANCELLED",
  "PAUSED",
] as const;
export type StateType = (typeof STATE_TYPES)[number];

/** State names: each belongs to one type (`Late` and `AwaitingRetry` are SCHEDULED, `TimedOut` is FAILED). */
export const STATE_NAMES = {
  Scheduled: "SCHEDULED",
  Late: "SCHEDULED",
  AwaitingRetry: "SCHEDULED",
  Resuming: "SCHEDULED",
  /** Back in the queue: the worker it was handed to was lost before it reported the run started. */
  Requeued: "SCHEDULED",
  Pending: "PENDING",
  Running: "RUNNING",
  Retrying: "RUNNING",
  Completed: "COMPLETED",
  /** A task run whose value came from the cache: its body did not run. */
  Cached: "COMPLETED",
  /** A task run whose body was replaced by a test's mock (orch/testing). */
  Mocked: "COMPLETED",
  /** A task run that returned its previous attempt's value for the same inputs. */
  Reused: "COMPLETED",
  /** A task run that returned a value recorded in a past run (a replay). */
  Recorded: "COMPLETED",
  Failed: "FAILED",
  TimedOut: "FAILED",
  Crashed: "CRASHED",
  Cancelling: "CANCELLING",
  Cancelled: "CANCELLED",
  Paused: "PAUSED",
} as const satisfies Record<string, StateType>;
export type StateName = keyof typeof STATE_NAMES;

/** States a run never leaves on its own. */
export const TERMINAL_TYPES: readonly StateType[] = ["COMPLETED", "FAILED", "CRASHED", "CANCELLED"];

/**
 * States in which a run holds a worker slot or a process. Not PAUSED: a paused run's process
 * has exited (it starts again from the top once resumed), so it holds nothing while it waits.
 */
export const ACTIVE_TYPES: readonly StateType[] = ["PENDING", "RUNNING", "CANCELLING"];

/**
 * SCHEDULED names of a run still waiting for its first start. AwaitingRetry is SCHEDULED too, but
 * that run has already run once.
 */
export const NOT_STARTED_NAMES: readonly StateName[] = ["Scheduled", "Late"];

/** Whether a state type is final. */
export function isTerminal(type: StateType): boolean {
  return TERMINAL_TYPES.includes(type);
}

/** Whether a string is a known state type (case-insensitive input is upper-cased first). */
export function isStateType(value: string): value is StateType {
  return (STATE_TYPES as readonly string[]).includes(value);
}

/** The default name of a state type: `RUNNING` -> `Running`. */
export function defaultName(type: StateType): StateName {
  const name = (Object.keys(STATE_NAMES) as StateName[]).find((n) => STATE_NAMES[n] === type);
  return name!;
}

/** A state as proposed by the scheduler, a worker or a user. */
export interface ProposedState {
  type: StateType;
  /** Defaults to the type's own name. */
  name?: StateName;
  message?: string;
  /**
   * orch itself cut the attempt short (it stopped it as orch stopped, or found it at a restart
   * after orch died): no verdict on the flow, so a run with retries left is retried.
   */
  interrupted?: boolean;
  /**
   * A FAILED attempt that started no process, for a reason that may pass (the command not found,
   * a folder missing): retried like any failure while retries are left.
   */
  mayPass?: boolean;
}

/** Names only task runs take: a flow run's listing never filters by them. */
const TASK_ONLY_NAMES: readonly StateName[] = ["Cached", "Mocked", "Reused", "Recorded"];

/** The state names a flow run can be in, for listings' filters and their errors. */
export const RUN_STATE_NAMES = (Object.keys(STATE_NAMES) as StateName[]).filter(
  (n) => !TASK_ONLY_NAMES.includes(n),
);

/** What a state filter asks for: every run of a type, or of one name (`Late`) of it. */
export interface StateFilter {
  type: StateType;
  name?: StateName;
}

/**
 * A state filter from what a user typed: a type (`failed`, `SCHEDULED`: all its names) or a name
 * (`Late`, `awaiting_retry`, `TimedOut`), case, `_` and `-` ignored; null when it is neither.
 * Why types win: `Running` is both, and its type (Running and Retrying) is what people mean.
 */
export function parseStateFilter(text: string): StateFilter | null {
  const type = text.toUpperCase();
  if (isStateType(type)) return { type };
  const key = text.replace(/[-_\s]/g, "").toLowerCase();
  const name = RUN_STATE_NAMES.find((n) => n.toLowerCase() === key);
  return name ? { type: STATE_NAMES[name], name } : null;
}
