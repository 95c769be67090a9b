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
 * Paths are told relative to `root`, the folder of the run's code.
 */
export function reportFlowError(error: unknown, root = process.cwd()): void {
  const missing = missingPackage(error, root);
  if (missing) {
    reportFailure(missing);
    return;
  }
  const built = buildProblem(error, root);
  const message = built
    ? built.message
    : error instanceof Error
      ? error.message || error.name
      : String(error);
  sdkLog.error(
    built
      ? built.lines
      : error instanceof Error
        ? userStack(error.stack ?? message, root)
        : message,
  );
  writeLines("stderr", encodeFailure(message));
}

/** The run fails with `message`, and its log says it: a failure that is not a thrown error. */
export function reportFailure(message: string): void {
  sdkLog.error(message);
  writeLines("stderr", encodeFailure(message));
}

/** A frame of orch's own code (inside its executable) or of the runtime, not of the flow's. */
const ORCH_FRAME = /^\s+at .*(\/\$bunfs\/|\(node:)/;

/**
 * A stack as its author reads it: paths relative to the run's code folder, the definition's
 * folder (`at load (etl.ts:12:5)`, as its `flow: ./etl.ts` names it), rather than to the run's
 * private copy of it (`.orch/workdirs/3/etl.ts`, gone once the run ends), and without orch's own
 * frames.
 */
export function userStack(stack: string, root: string): string {
  return relativeTo(stack, root)
    .split("\n")
    .filter((line) => !ORCH_FRAME.test(line))
    .join("\n");
}

/** A stack frame's place in a TypeScript or JavaScript file: `at f (etl.ts:2:18)`, `at etl.ts:2:18`. */
const FRAME_PLACE = /^\s+at (?:.*\()?([^\s()]+\.[cm]?[jt]sx?):(\d+):(\d+)\)?$/;

/**
 * Where in the flow's own files an error was thrown (`etl.ts:2:18`, relative to `root`): the
 * first frame of its stack that is not orch's or the runtime's; null when none is.
 */
export function throwSite(error: unknown, root: string): string | null {
  if (!(error instanceof Error) || !error.stack) return null;
  for (const line of userStack(error.stack, root).split("\n")) {
    const place = FRAME_PLACE.exec(line);
    if (place) return `${place[1]}:${place[2]}:${place[3]}`;
  }
  return null;
}

/** `text` with `root`'s absolute paths (plain or file: URLs) told relative to it. */
export function relativeTo(text: string, root: string): string {
  const prefix = `${root.replace(/\/$/, "")}/`;
  // At the file system's root every path would lose its every slash: told as they are.
  if (prefix === "/") return text;
  return text.replaceAll(`file://${prefix}`, "").replaceAll(prefix, "");
}

/** A package name as an import names it: `yaml` of `yaml/util`, `@scope/name` of `@scope/name/x`. */
const PACKAGE = /^(@[^/]+\/[^/]+|[^/]+)/;

/**
 * What to say when a flow's file imports a package that is not installed where it runs (Bun's
 * "Cannot find package 'yaml' imported from …", which says neither what to do nor where it
 * looked); null for any other error, a missing relative file among them. `root`: the folder the
 * importing file is told relative to.
 */
export function missingPackage(error: unknown, root: string): string | null {
  const e = error as { code?: unknown; specifier?: unknown; referrer?: unknown } | null;
  if (e?.code !== "ERR_MODULE_NOT_FOUND" || typeof e.specifier !== "string") return null;
  const { specifier } = e;
  if (/^(\.|\/|[a-z]+:)/i.test(specifier)) return null;
  const name = PACKAGE.exec(specifier)?.[1] ?? specifier;
  const importer = typeof e.referrer === "string" ? relativeTo(e.referrer, root) : "the flow";
  return `${importer} imports ${specifier}, but package ${name} is not installed where the flow runs: install it in the project (npm install ${name}); node_modules/ is looked for in the flow's folder and the folders above it, on a remote worker in its --dir`;
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
 * with the place (`etl.ts:2:13: Unexpected ;`, relative to `root`) and, for the logs, the line
 * itself with a caret under the column. When Bun finds several (an AggregateError), the message
 * is the first with how many more, and the logs have each. Null for any other error.
 */
export function buildProblem(
  error: unknown,
  root = process.cwd(),
): { message: string; lines: string } | null {
  const all = error instanceof AggregateError ? error.errors : [error];
  const found = all.flatMap((one) => {
    const problem = positioned(one, root);
    return problem ? [problem] : [];
  });
  const [first] = found;
  if (!first) return null;
  const more = found.length - 1;
  return {
    message: more
      ? `${first.message} (and ${more} more error${more === 1 ? "" : "s"})`
      : first.message,
    lines: found.map((p) => p.lines).join("\n"),
  };
}

/** One build error with its position, as buildProblem tells it; null without a position. */
function positioned(error: unknown, root: string): { message: string; lines: string } | null {
  const found = (error as { position?: Position | null } | null)?.position;
  if (!found || typeof found.file !== "string" || typeof found.line !== "number") return null;
  const file = relativeTo(found.file, root);
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
