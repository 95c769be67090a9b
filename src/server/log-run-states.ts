/** `orch up`'s log of runs: a line as each starts, waits to retry, gets late and ends. */
import { getRun, type Store } from "../store/index.ts";
import { logInfoLines } from "./log-lines.ts";
import type { Logger } from "./server-options.ts";

const LOGGED_STATES = new Set(["RUNNING", "COMPLETED", "FAILED", "CRASHED", "CANCELLED"]);

/**
 * Log runs as they start, wait to retry, get late and end; returns the unsubscribe. The info
 * lines of one turn go out as one message: runs started and ended by the hundred would otherwise
 * cost a log call each (about a tenth of the server's time per run, measured).
 */
export function logRunStates(store: Store, logger: Logger): () => Promise<void> {
  let lines: string[] = [];
  const flush = () => {
    const batch = lines;
    lines = [];
    logInfoLines(logger, batch);
  };
  const unsubscribe = store.subscribe((event) => {
    if (!event.name.startsWith("flow-run.") || !event.resource) return;
    // A run made or a planned one deleted is never logged: planning a large project makes them
    // by the hundred thousand, each payload not worth parsing. A run made says no state_name;
    // one that turns Late or waits to retry (SCHEDULED too) does, and is logged.
    if (event.name === "flow-run.deleted") return;
    if (event.name === "flow-run.scheduled" && !event.payload.includes('"state_name"')) return;
    // The run as its change left it, when the event carries it: its payload need not be parsed.
    const { run } = event;
    const p = (
      run
        ? {
            deployment: run.deployment,
            state: run.state_type,
            state_name: run.state_name,
            message: run.state_message,
          }
        : JSON.parse(event.payload)
    ) as { deployment?: string | null; state?: string; state_name?: string; message?: string };
    const notable =
      LOGGED_STATES.has(p.state ?? "") ||
      p.state_name === "AwaitingRetry" ||
      p.state_name === "Late";
    if (!notable) return;
    const what = `run ${event.resource.slice(0, 8)} (${p.deployment ?? whatRuns(store, event.resource)}) ${p.state_name ?? p.state}`;
    const line = p.message && p.state !== "RUNNING" ? `${what}: ${p.message}` : what;
    if (p.state === "FAILED" || p.state === "CRASHED") {
      if (lines.length) flush();
      logger.warn(line);
    } else if (lines.push(line) === 1) setImmediate(() => lines.length && flush());
  });
  return async () => {
    unsubscribe();
    if (lines.length) flush();
  };
}

/**
 * What a run of no deployment runs: a subflow (`subflow load of 3f2a9c1e`) or a flow run ad hoc
 * (`ad hoc flow etl`), read from the run itself since its events carry no name.
 */
function whatRuns(store: Store, id: string): string {
  const run = getRun(store, id);
  const name = run?.flow_name ? ` ${run.flow_name}` : "";
  if (run?.parent_id) return `subflow${name} of ${run.parent_id.slice(0, 8)}`;
  return `ad hoc${name ? ` flow${name}` : ""}`;
}
