/**
 * The API paths the SDK calls in a testFlow run (orch/testing), with what each does to the
 * test's runs in memory: the same paths and JSON shapes as orch's API (their shapes: core/wire).
 */
import { parseDuration } from "../core/duration.ts";
import type { StateName } from "../core/states.ts";
import { reuseSource, selectReusable } from "../core/task-reuse.ts";
import type { Timers } from "../core/timers.ts";
import type { TaskRunReport } from "../core/wire/task-reports.ts";
import type { Artifact } from "./artifacts.ts";
import type { MemoryPauses } from "./memory-pauses.ts";
import { RunApiError } from "./run-context.ts";
import type { TestRun, TestTaskRun } from "./test-run.ts";

/** An answer to a call: the ids its path holds, and its body (a GET's query). */
export type MemoryAnswer = (ids: string[], body: Record<string, unknown>) => unknown;

/** What the routes act on: the test's runs, their pauses, and its clock. */
export interface MemoryRouteDeps {
  timers: Timers;
  pauses: MemoryPauses;
  /** The run of this id, or a 404 as orch's API answers. */
  find(id: string): TestRun;
  /** The run at the top of `run`'s subflows: the one a pause holds. */
  rootOf(run: TestRun): TestRun;
  create(name: string, parameters: Record<string, unknown>, parent: TestRun | null): TestRun;
  setState(run: TestRun, name: StateName, message?: string | null): void;
}

/** The routes of a test's in-memory API, each a pattern of `METHOD /path` and its answer. */
export function memoryRoutes(deps: MemoryRouteDeps): [RegExp, MemoryAnswer][] {
  const { timers, pauses, find, rootOf } = deps;
  // The test's task cache, by task and key.
  const cache = new Map<string, { value: unknown; expiresAt: number | null }>();
  return [
    [
      /^POST \/api\/runs\/([^/]+)\/tasks$/,
      ([id], body) => {
        const run = find(id!);
        for (const report of body.tasks as TaskRunReport[]) {
          const { result_problem: _, cached, ...rest } = report;
          const task: TestTaskRun = {
            ...rest,
            state_name: report.state_name ?? (cached ? "Cached" : stateName(report.state)),
            cached: cached === true,
          };
          const i = run.tasks.findIndex((t) => t.id === report.id);
          if (i >= 0) run.tasks[i] = task;
          else run.tasks.push(task);
        }
      },
    ],
    [
      /^POST \/api\/runs\/([^/]+)\/artifacts$/,
      ([id], body) => find(id!).artifacts.push(body as Artifact & { task?: string }),
    ],
    [
      /^POST \/api\/runs\/([^/]+)\/result$/,
      ([id], body) => {
        if ("value" in body) find(id!).result = body.value;
      },
    ],
    [
      /^POST \/api\/runs\/([^/]+)\/subflows$/,
      ([id], body) => {
        const parameters = (body.parameters as Record<string, unknown>) ?? {};
        const child = deps.create(body.name as string, parameters, find(id!));
        child.attempt = 1;
        deps.setState(child, "Running");
        return { id: child.id };
      },
    ],
    [
      /^POST \/api\/runs\/([^/]+)\/subflows\/([^/]+)\/state$/,
      ([, child], body) => {
        const name = (body.name as string | undefined) ?? stateName(body.state as string);
        deps.setState(find(child!), name as StateName, (body.message as string) ?? null);
      },
    ],
    [/^POST \/api\/runs\/([^/]+)\/pause$/, ([id], body) => pauses.pause(rootOf(find(id!)), body)],
    [
      // What a resumed attempt may reuse, by orch's rule (core/task-reuse.ts); testFlow has
      // no retry from the failure, only resumes.
      /^GET \/api\/runs\/([^/]+)\/task-results$/,
      ([id], query) => {
        const run = find(id!);
        const source = reuseSource(Number(query.reuse_for), {
          latestScheduled: run.states.findLast((s) => s.type === "SCHEDULED")?.name ?? null,
          retriedFromFailure: false,
        });
        if (!source) return { run_id: run.id, attempt: null, tasks: [] };
        type Recorded = TestTaskRun & Partial<TaskRunReport>;
        const ofAttempt = (run.tasks as Recorded[]).filter((t) => t.run_attempt === source.attempt);
        const ms = (at: string | null) => (at === null ? null : Date.parse(at));
        const tasks = selectReusable(ofAttempt, (t) => ({
          state: t.state,
          inputs_hash: t.inputs_hash ?? null,
          source_hash: t.source_hash ?? null,
          started_at: ms(t.started_at),
          ended_at: ms(t.ended_at),
          kept: "result" in t,
        })).map((t) => ({
          name: t.name,
          state: t.state,
          state_name: t.state_name,
          inputs_hash: t.inputs_hash ?? null,
          source_hash: t.source_hash ?? null,
          started_at: t.started_at,
          ended_at: t.ended_at,
          value: t.result,
        }));
        return { run_id: run.id, attempt: source.attempt, tasks, reason: source.reason };
      },
    ],
    [
      /^GET \/api\/cache\/([^/]+)\/([^/]+)$/,
      ([task, key]) => {
        const hit = cache.get(`${task}/${key}`);
        if (!hit || (hit.expiresAt !== null && hit.expiresAt <= timers.now())) {
          throw new RunApiError("no cached value", 404);
        }
        return { value: structuredClone(hit.value) };
      },
    ],
    [
      /^PUT \/api\/cache\/([^/]+)\/([^/]+)$/,
      ([task, key], body) => {
        const ms = body.expires == null ? null : parseDuration(body.expires as string);
        cache.set(`${task}/${key}`, {
          value: body.value,
          expiresAt: ms == null ? null : timers.now() + ms,
        });
      },
    ],
  ];
}

/** The default state name of a state type (Completed for COMPLETED, …). */
function stateName(type: string): string {
  return type.charAt(0) + type.slice(1).toLowerCase();
}
