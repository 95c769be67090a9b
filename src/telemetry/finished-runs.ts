import { isTerminal, type StateType } from "../core/index.ts";
import { getRun, type RunRow, type Store } from "../store/index.ts";

/**
 * Call `listener` with each run as it reaches a final state (COMPLETED, FAILED, CRASHED,
 * CANCELLED), once its transaction commits. Returns the unsubscribe. The listener runs on the
 * writer's path: it must only record, never wait.
 */
export function watchFinishedRuns(store: Store, listener: (run: RunRow) => void): () => void {
  return store.subscribe((event) => {
    if (!event.name.startsWith("flow-run.") || !event.resource) return;
    const state = event.name.slice("flow-run.".length).toUpperCase() as StateType;
    if (!isTerminal(state)) return;
    const run = event.run ?? getRun(store, event.resource);
    if (run && isTerminal(run.state_type)) listener(run);
  });
}
