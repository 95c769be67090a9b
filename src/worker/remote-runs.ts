import type { WorkerJob } from "../core/index.ts";
import type { Attempt } from "./execute-attempt.ts";

/** A run delivered to a remote worker, held until its last state is delivered. */
export interface Held {
  attempt: number;
  /** Told to cancel (the server knows we know). */
  told: boolean;
}

/** One attempt a remote worker is executing. */
export interface Execution {
  attempt: Attempt;
  job: WorkerJob;
  /** The id the run was claimed under: its reports go there. */
  workerId: string;
}

/** What a remote worker holds: its runs (until their last state is delivered) and attempts. */
export interface RemoteRuns {
  /** Hold a run until its last state is delivered; a newer attempt replaces an older entry. */
  hold(runId: string, attempt: number, told?: boolean): Held;
  /** Let a run go, unless a newer attempt holds it now. */
  release(runId: string, entry: Held): void;
  /** The entry holding a run, if any. */
  held(runId: string): Held | undefined;
  /** The ids of the runs held (each claim tells the server). */
  heldIds(): string[];
  /** The ids of the held runs told to cancel. */
  cancellingIds(): string[];
  /** An attempt started: it is the run's latest here. */
  track(execution: Execution): void;
  /** An attempt's process ended. */
  untrack(execution: Execution): void;
  /** A run's latest attempt here. */
  latest(runId: string): Execution | undefined;
  /** Every attempt whose process has not ended yet: a run's older one may still be ending. */
  readonly running: ReadonlySet<Execution>;
  /** Run ids with an attempt here. */
  active(): string[];
  /** Resolves once no attempt is running. */
  allDone(): Promise<void>;
}

/** Create a remote worker's book of held runs and running attempts. */
export function createRemoteRuns(): RemoteRuns {
  const holding = new Map<string, Held>();
  /** Each run's latest attempt here, by run id. */
  const executions = new Map<string, Execution>();
  const running = new Set<Execution>();
  let idle: (() => void) | null = null;
  return {
    hold(runId, attempt, told = false) {
      const entry = { attempt, told };
      holding.set(runId, entry);
      return entry;
    },
    release(runId, entry) {
      if (holding.get(runId) === entry) holding.delete(runId);
    },
    held: (runId) => holding.get(runId),
    heldIds: () => [...holding.keys()],
    cancellingIds: () => [...holding].filter(([, h]) => h.told).map(([id]) => id),
    track(execution) {
      executions.set(execution.job.run_id, execution);
      running.add(execution);
    },
    untrack(execution) {
      // The run's next attempt may be running here already (resumed while this one ended).
      running.delete(execution);
      const runId = execution.job.run_id;
      if (executions.get(runId) === execution) executions.delete(runId);
      if (running.size === 0) idle?.();
    },
    latest: (runId) => executions.get(runId),
    running,
    active: () => [...executions.keys()],
    allDone: () =>
      running.size === 0 ? Promise.resolve() : new Promise<void>((resolve) => (idle = resolve)),
  };
}
