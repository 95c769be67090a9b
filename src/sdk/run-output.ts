/**
 * The flow-run entry's side of the run's output: log lines as records from the start, and at the
 * end, a thrown error told to orch (its stack as error lines, its message as the run's message)
 * and the reports that are left sent.
 */
// Not the core's index: the flow-run entry loads only what a run needs.
import { encodeFailure } from "../core/log-record.ts";
import { logAsRecords, sdkLog, writeLines } from "./logger.ts";
import { flushReports, reportFailures } from "./reporter.ts";

/** The run's output starts: log lines and console.* become records. */
export function startRunOutput(): void {
  logAsRecords();
}

/**
 * The flow threw: its stack goes to the logs (error lines), then one last line that the worker
 * reads as the message the run fails with (the error's own message, not "exited with code 1").
 */
export function reportFlowError(error: unknown): void {
  const message = error instanceof Error ? error.message || error.name : String(error);
  sdkLog.error(error instanceof Error ? (error.stack ?? message) : message);
  writeLines("stderr", encodeFailure(message));
}

/** The flow ended: send what is queued; say once what could not be reported. */
export async function finishRunOutput(): Promise<void> {
  await flushReports();
  for (const failure of reportFailures()) {
    sdkLog.warn(`orch could not record part of this run (${failure})`);
  }
}
