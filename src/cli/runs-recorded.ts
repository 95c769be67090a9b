/**
 * A past run as replay and snapshot need it: its flow's file in the current code, its
 * parameters, and the results its tasks recorded before the task to replay from (by default the
 * first that failed).
 */
import { existsSync } from "node:fs";
import { dirname, join, resolve } from "node:path";
import type { Client, RunDetail } from "../client/index.ts";
import { OrchError, type TaskResultJson } from "../core/index.ts";
import { parseFlowRef } from "./flow-run.ts";

/** A recorded task result a replay or a snapshot gives back instead of running the task. */
export interface RecordedValue {
  name: string;
  value: unknown;
}

/** A past run, ready to replay. */
export interface RecordedRun {
  run: RunDetail;
  /** The flow's file in the current code (absolute) and its export. */
  file: string;
  exportName: string;
  /** The attempt whose task runs were recorded (null: none were). */
  attempt: number | null;
  /** The task replayed from (it and everything after it run), or null: every recorded result. */
  from: string | null;
  /**
   * Which call of `from` is replayed from (1 + how many calls of it are recorded before it: the
   * items of a map that completed before the one that failed are given back).
   */
  fromCall: number;
  /** Results of the task runs before `from`, in the order they ran. */
  recorded: RecordedValue[];
  /** Task runs before `from` that have no value to give (they run): name and why. */
  missing: { name: string; why: string }[];
}

/** Where to start: the task named `from`, or the first that failed. */
function startIndex(tasks: TaskResultJson[], from: string | undefined, id: string): number {
  if (from === undefined) {
    const failed = tasks.findIndex((t) => t.state === "FAILED");
    return failed === -1 ? tasks.length : failed;
  }
  const index = tasks.findIndex((t) => t.name === from);
  if (index === -1) {
    const names = [...new Set(tasks.map((t) => t.name))];
    throw new OrchError(
      "E_BAD_INPUT",
      `--from ${JSON.stringify(from)}: run ${id} recorded no task run of that name; ${names.length ? `its tasks: ${names.join(", ")}` : "it recorded no task runs"}`,
    );
  }
  return index;
}

/**
 * Read run `id` (a prefix will do), its deployment's flow file as it is now under `root`, and
 * the results recorded before `from`. Bad input (a command flow, a subflow's run, an ad-hoc run,
 * an unknown task, a flow file gone) is a clear error that says what to do instead.
 */
export async function readRecordedRun(
  client: Client,
  root: string,
  id: string,
  from: string | undefined,
): Promise<RecordedRun> {
  const run = await client.getRun(id);
  const short = run.id.slice(0, 8);
  if (run.parent_id) {
    throw new OrchError(
      "E_BAD_INPUT",
      `run ${short} is a subflow's run; its tasks are recorded with its parent: use run ${run.parent_id.slice(0, 8)}`,
    );
  }
  if (!run.deployment) {
    throw new OrchError(
      "E_BAD_INPUT",
      `run ${short} is an ad-hoc run (no deployment); run its file again with orch flow run FILE`,
    );
  }
  const deployment = await client.getDeployment(run.deployment);
  if (!deployment.flow || !deployment.source) {
    throw new OrchError(
      "E_BAD_INPUT",
      `deployment ${deployment.name} runs a command, not a TypeScript flow, so it has no task results to replay; orch runs retry ${short} runs it again`,
    );
  }
  const { file, exportName } = parseFlowRef(deployment.flow);
  const definition = deployment.source.replace(/:\d+$/, "");
  const path = resolve(root, dirname(definition), file);
  if (!existsSync(path)) {
    throw new OrchError(
      "E_BAD_INPUT",
      `the flow of ${deployment.name} (${deployment.flow} in ${definition}) is not at ${path} any more`,
    );
  }
  const results = await client.getTaskResults(run.id);
  const start = startIndex(results.tasks, from, short);
  const before = results.tasks.slice(0, start);
  const recorded: RecordedValue[] = [];
  const missing: RecordedRun["missing"] = [];
  for (const t of before) {
    if (t.state === "COMPLETED" && "value" in t) recorded.push({ name: t.name, value: t.value });
    else missing.push({ name: t.name, why: t.problem ?? `it was ${t.state}` });
  }
  const fromName = start < results.tasks.length ? results.tasks[start]!.name : null;
  return {
    run,
    file: path,
    exportName,
    attempt: results.attempt,
    from: fromName,
    fromCall: 1 + before.filter((t) => t.name === fromName).length,
    recorded,
    missing,
  };
}

/** Where a project's definition-relative path is, for messages: `flows/etl.ts`. */
export function projectRelative(root: string, path: string): string {
  return path.startsWith(join(root, "/")) ? path.slice(root.length + 1) : path;
}
