/**
 * A flow run as testFlow records it (orch/testing): what `orch runs inspect` would show of it,
 * as plain data a test reads back.
 */
import type { StateType } from "../core/states.ts";
import type { Artifact } from "./artifacts.ts";
import type { TargetLogLine } from "./run-target.ts";

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
