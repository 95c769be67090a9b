/**
 * The in-memory store of orch/testing: the runs a test starts, with their states, task runs,
 * logs, results, artifacts, subflows, pauses and task cache, answering the SDK's calls as orch's
 * API does (the same paths and JSON shapes), so the flow's SDK code is exactly the production
 * code. Why not the SQLite store: tests run on Node too (Vitest, node:test), which has no
 * bun:sqlite, and a test must not write files; what a test reads back is plain data. The API's
 * paths are answered in memory-routes.ts, pauses kept in memory-pauses.ts.
 */
import type { Problem } from "../core/errors.ts";
import { STATE_NAMES, type StateName } from "../core/states.ts";
import type { Timers } from "../core/timers.ts";
import { createMemoryPauses } from "./memory-pauses.ts";
import { memoryRoutes } from "./memory-routes.ts";
import { RunApiError } from "./run-context.ts";
import type { TargetLogLine } from "./run-target.ts";
import type { TestLogLine, TestRun } from "./test-run.ts";

/** The in-memory store of one test: its runs and their task cache. */
export interface MemoryRuns {
  /** A new run, PENDING. */
  create(name: string, parameters: Record<string, unknown>, parent: TestRun | null): TestRun;
  /** Record a state of `run`. */
  setState(run: TestRun, name: StateName, message?: string | null): void;
  /** Record a log line of the run `runId` (the target's run). */
  log(runId: string, line: TargetLogLine): void;
  /** Answer an API call of the SDK. */
  call<T>(method: string, path: string, body?: unknown): Promise<T>;
  /** The run's answer to its pause `key` (set by resume). */
  answer(run: TestRun, key: string, input: Record<string, unknown>): void;
  /** What is wrong with `input` for the pause `run` waits in, as orch's resume checks it. */
  inputProblems(run: TestRun, input: Record<string, unknown>): Problem[];
}

/** The in-memory store of a test, on the test's clock. */
export function createMemoryRuns(timers: Timers): MemoryRuns {
  const runs = new Map<string, TestRun>();
  const iso = () => new Date(timers.now()).toISOString();

  const find = (id: string) => {
    const run = runs.get(decodeURIComponent(id));
    if (!run) throw new RunApiError(`run ${id} not found`, 404);
    return run;
  };
  const rootOf = (run: TestRun): TestRun => {
    const parent = run.parent_id ? runs.get(run.parent_id) : undefined;
    return parent ? rootOf(parent) : run;
  };

  const store: MemoryRuns = {
    create(name, parameters, parent) {
      const run: TestRun = {
        id: crypto.randomUUID(),
        name,
        parent_id: parent?.id ?? null,
        state: "PENDING",
        state_name: "Pending",
        message: null,
        parameters,
        attempt: 0,
        started_at: null,
        ended_at: null,
        states: [],
        result: undefined,
        error: undefined,
        tasks: [],
        logs: [],
        artifacts: [],
        subflows: [],
        pause: null,
      };
      runs.set(run.id, run);
      parent?.subflows.push(run);
      store.setState(run, "Pending");
      return run;
    },
    setState(run, name, message = null) {
      const type = STATE_NAMES[name];
      const at = iso();
      run.state = type;
      run.state_name = name;
      run.message = message;
      run.states.push({ type, name, at, message });
      if (type === "RUNNING" && !run.started_at) run.started_at = at;
      if (["COMPLETED", "FAILED", "CRASHED", "CANCELLED"].includes(type)) run.ended_at = at;
      if (type !== "PAUSED") run.pause = null;
    },
    log(runId, { level, line, fields, subflow }) {
      const task = typeof fields?.task === "string" ? fields.task : undefined;
      const entry: TestLogLine = {
        at: iso(),
        level,
        line,
        ...(task ? { task } : {}),
        ...(fields ? { fields } : {}),
      };
      runs.get(runId)?.logs.push(entry);
      if (subflow) runs.get(subflow)?.logs.push(entry);
    },
    answer: (run, key, input) => pauses.answer(run, key, input),
    inputProblems: (run, input) => pauses.inputProblems(run, input),
    async call<T>(method: string, path: string, body?: unknown): Promise<T> {
      const [where = "", query] = path.split("?");
      const request = `${method} ${where}`;
      // A GET's query is what it is given.
      const given = method === "GET" ? Object.fromEntries(new URLSearchParams(query)) : body;
      for (const [pattern, answer] of routes) {
        const m = pattern.exec(request);
        if (m) return answer(m.slice(1), (given ?? {}) as Record<string, unknown>) as T;
      }
      throw new Error(`orch/testing cannot answer ${method} ${path}: no test run calls it`);
    },
  };
  const pauses = createMemoryPauses(timers, store.setState);
  const routes = memoryRoutes({ timers, pauses, find, rootOf, ...store });
  return store;
}
