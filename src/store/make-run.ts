import type { Store } from "./open-store.ts";
import type { RunRow } from "./run-row.ts";
import { existingRun, type NewRun, newRunRow, writeRun } from "./runs.ts";
import { type ProposedStep, planStep, recordStep } from "./transition-run.ts";

/**
 * Create a run as createRun does, moved on at once to the state `startAs` proposes for it (a
 * worker claiming it as it is made: PENDING), in one write of its row. Its history and events
 * are those of a run made and then moved: SCHEDULED, then the step's state, each with its event.
 * Why: the row written once, and never in the indexes of runs waiting to be claimed, cost a
 * tenth less of what a run writes at its first commit than an insert and then an update. With an
 * idempotency key that already exists, returns the existing run, as createRun does, and
 * `startAs` is not asked. `startAs` gets the run as it would be made (its seq 0); null leaves it
 * SCHEDULED; a step the rules refuse leaves it SCHEDULED too. Only PENDING is taken: the insert
 * keeps a first step's state columns, `listed_at` and `worker_id`, which is what PENDING changes.
 */
export function makeRun(
  store: Store,
  input: NewRun,
  startAs: (made: RunRow) => ProposedStep | null,
): RunRow {
  return store.tx(() => {
    const existing = existingRun(store, input);
    if (existing) return existing;
    const made = newRunRow(store, input);
    const step = startAs(made);
    if (step && step.proposed.type !== "PENDING") {
      throw new Error(`a run is made SCHEDULED or PENDING, not ${step.proposed.type}`);
    }
    const planned = step ? planStep(store, made, step) : null;
    if (!planned || !("next" in planned)) return writeRun(store, input, made);
    const run = writeRun(store, input, made, planned.next);
    return recordStep(store, { ...planned, run, next: { ...planned.next, seq: run.seq } }).run;
  });
}
