/**
 * The in-memory store of orch/testing: the runs a test starts, with their states, task runs,
 * logs, results, artifacts, subflows, pauses and task cache, answering the SDK's calls as orch's
 * API does (the same paths and JSON shapes), so the flow's SDK code is exactly the production
 * code. Why not the SQLite store: tests run on Node too (Vitest, node:test), which has no
 * bun:sqlite, and a test must not write files; what a test reads back is plain data.
 */
import { formatDuration, parseDuration } from "../core/duration.ts";
import type { Problem } from "../core/errors.ts";
import { NOT_IN_PAUSE_SCHEMA } from "../core/pause-input.ts";
import { STATE_NAMES, type StateName, type StateType } from "../core/states.ts";
import { reuseSource, selectReusable } from "../core/task-reuse.ts";
import type { Timers } from "../core/timers.ts";
import type { Artifact } from "./artifacts.ts";
import { RunApiError } from "./run-context.ts";
import type { TargetLogLine } from "./run-target.ts";
import type { TaskReport } from "./task.ts";

/** One state a test run went through. */
export interface TestState {
  type: StateType;
  name: string;
  at: string;
  message: string | null;
}

/** A task run of a test run, as `orch runs inspect` lists it. */
export interface TestTaskRun {
  id: string;
  name: string;
  state: string;
  /** Completed, Cached, Mocked, Failed, TimedOut, AwaitingRetry, … */
  state_name: string;
  attempts: number;
  started_at: string | null;
  ended_at: string | null;
  cached: boolean;
  /** Its return value as kept (JSON), once it completed. */
  result?: unknown;
  /** Why it failed (or why its last attempt did). */
  message?: string;
  tags?: string[];
}

/** A log line of a test run. */
export interface TestLogLine {
  at: string;
  level: TargetLogLine["level"];
  line: string;
  /** The task it was written in. */
  task?: string;
  fields?: Record<string, unknown>;
}

/** A flow run recorded by testFlow: what `orch runs inspect` would show of it. */
export interface TestRun<R = unknown> {
  id: string;
  /** The flow's name. */
  name: string;
  parent_id: string | null;
  state: StateType;
  state_name: string;
  /** Why it is in its state (a failure's message). */
  message: string | null;
  parameters: Record<string, unknown>;
  attempt: number;
  started_at: string | null;
  ended_at: string | null;
  states: TestState[];
  /** Its return value as kept (JSON), once it completed. */
  result: R | undefined;
  /** What it failed with. */
  error: unknown;
  /** Its task runs (a subflow's included, as its caller's process reports them). */
  tasks: TestTaskRun[];
  /** Its log lines (a subflow's included); a subflow's are its own too. */
  logs: TestLogLine[];
  artifacts: (Artifact & { task?: string })[];
  subflows: TestRun[];
  /** The pause it waits in, while PAUSED. */
  pause: { key: string; timeout_ms: number | null } | null;
}

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
  const cache = new Map<string, { value: unknown; expiresAt: number | null }>();
  const answers = new Map<string, Record<string, unknown>>();
  // Each paused run's check of its pause's input schema, loaded as it pauses (orch's validator
  // is imported only by a flow whose pause declares one), so a resume checks at once.
  const inputChecks = new Map<string, (input: Record<string, unknown>) => Problem[]>();
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

  /** A run meets a pause: the input it was resumed with, or PAUSED (failed once it times out). */
  const pause = async (run: TestRun, given: Record<string, unknown>) => {
    const key = given.key as string;
    const input = answers.get(`${run.id}\u0000${key}`);
    if (input) return { resumed: true, input };
    const schema = given.input_schema as object | undefined;
    inputChecks.delete(run.id);
    if (schema) {
      const { schemaProblems } = await import("../core/json-schema.ts");
      inputChecks.set(run.id, (value) =>
        schemaProblems(schema, value, "input", NOT_IN_PAUSE_SCHEMA),
      );
    }
    const timeout = (given.timeout_ms as number | undefined) ?? null;
    store.setState(run, "Paused", `waiting in ${key}`);
    run.pause = { key, timeout_ms: timeout };
    if (timeout !== null) {
      const since = timers.now();
      const paused = run.states.length;
      timers.setTimer(timeout, () => {
        // Still in the same pause: it timed out, as orch fails a paused run in time.
        if (run.state !== "PAUSED" || run.states.length !== paused) return;
        const waited = formatDuration(timers.now() - since);
        store.setState(run, "Failed", `not resumed in time: ${key} waited ${waited} and timed out`);
      });
    }
    return { resumed: false };
  };

  /** The API paths the SDK calls, with what each does here (their shapes: core/wire). */
  type Answer = (ids: string[], body: Record<string, unknown>) => unknown;
  const routes: [RegExp, Answer][] = [
    [
      /^POST \/api\/runs\/([^/]+)\/tasks$/,
      ([id], body) => {
        const run = find(id!);
        for (const report of body.tasks as TaskReport[]) {
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
        const child = store.create(body.name as string, parameters, find(id!));
        child.attempt = 1;
        store.setState(child, "Running");
        return { id: child.id };
      },
    ],
    [
      /^POST \/api\/runs\/([^/]+)\/subflows\/([^/]+)\/state$/,
      ([, child], body) => {
        const name = (body.name as string | undefined) ?? stateName(body.state as string);
        store.setState(find(child!), name as StateName, (body.message as string) ?? null);
      },
    ],
    [/^POST \/api\/runs\/([^/]+)\/pause$/, ([id], body) => pause(rootOf(find(id!)), body)],
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
        type Recorded = TestTaskRun & Partial<TaskReport>;
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
    answer(run, key, input) {
      answers.set(`${run.id}\u0000${key}`, input);
    },
    inputProblems(run, input) {
      return inputChecks.get(run.id)?.(input) ?? [];
    },
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
  return store;
}

/** The default state name of a state type (Completed for COMPLETED, …). */
function stateName(type: string): string {
  return type.charAt(0) + type.slice(1).toLowerCase();
}
