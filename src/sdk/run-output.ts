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
  const built = buildProblem(error);
  const message = built
    ? built.message
    : error instanceof Error
      ? error.message || error.name
      : String(error);
  sdkLog.error(built ? built.lines : error instanceof Error ? (error.stack ?? message) : message);
  writeLines("stderr", encodeFailure(message));
}

/** Where Bun says a module failed to build or resolve: it carries a position, not a stack. */
interface Position {
  file: string;
  line: number;
  column: number;
  lineText?: string;
}

/**
 * A flow file that does not build (a syntax error) or imports what is not there: its message
 * with the place (`etl.ts:2:13: Unexpected ;`, relative to the run's folder) and, for the logs,
 * the line itself with a caret under the column. Null for any other error.
 */
export function buildProblem(error: unknown): { message: string; lines: string } | null {
  const found = (error as { position?: Position | null } | null)?.position;
  if (!found || typeof found.file !== "string" || typeof found.line !== "number") return null;
  const cwd = `${process.cwd()}/`;
  const file = found.file.startsWith(cwd) ? found.file.slice(cwd.length) : found.file;
  const text = (error as { message?: string }).message ?? String(error);
  const message = `${file}:${found.line}:${found.column}: ${text}`;
  const shown = found.lineText
    ? `\n  ${found.lineText}\n  ${" ".repeat(Math.max(0, found.column - 1))}^`
    : "";
  return { message, lines: `${message}${shown}` };
}

/** The flow ended: send what is queued; say once what could not be reported. */
export async function finishRunOutput(): Promise<void> {
  await flushReports();
  for (const failure of reportFailures()) {
    sdkLog.warn(`orch could not record part of this run (${failure})`);
  }
}
