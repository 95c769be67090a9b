/**
 * Where a flow run started inside this process records itself: a run target. A flow run that a
 * worker started is described by its environment (run-context.ts) and needs none; a run that
 * `testFlow` starts records into memory, and a flow called from a plain program records through
 * the project's API. The target is kept per async call chain, so runs side by side (tests run
 * at once) each record into their own.
 */
import { AsyncLocalStorage } from "node:async_hooks";
import type { LogLevel } from "../core/log-record.ts";
import { realTimers, type Timers } from "../core/timers.ts";

/** One log line of a run recorded through a target. */
export interface TargetLogLine {
  level: LogLevel;
  line: string;
  fields?: Record<string, unknown>;
  /** The subflow run it was written in, when not the target's own run. */
  subflow?: string;
}

/** Where a run records itself, and the clock it waits with. */
export interface RunTarget {
  /** The run's id. */
  runId: string;
  deployment: string | null;
  /** Which attempt of the run this is (1 for the first). */
  attempt: number;
  /** The run's parameters. */
  parameters: Record<string, unknown>;
  /** The API's URL; null when the target is not reached over HTTP. */
  apiUrl: string | null;
  /** An API call of the run, `:run` already filled in: answers as the API does. */
  call<T>(method: "GET" | "POST" | "PUT" | "DELETE", path: string, body?: unknown): Promise<T>;
  /** A log line of the run. */
  log(line: TargetLogLine): void;
  /** The clock the SDK waits with (retry delays, timeouts). */
  timers: Timers;
  /** Tag slots are held in this process only (no other run shares them). */
  localSlots: boolean;
  /** The run's secrets and variables. */
  secrets: Record<string, string>;
  variables: Record<string, string>;
  /** A test's run (testFlow): what it lacks is given to the harness, not set with orch. */
  harness?: true;
  /**
   * The secrets and variables a test's flow's files name (`file` is the flow's), when they were
   * read: as a deployed run, the test's run receives no other.
   */
  named?: { file: string; secrets: readonly string[]; variables: readonly string[] };
}

const storage = new AsyncLocalStorage<RunTarget>();

/** The target of the code running now, or undefined (a worker's run, or no run at all). */
export function currentTarget(): RunTarget | undefined {
  return storage.getStore();
}

/** Run `fn` recording into `target`. */
export function withRunTarget<T>(target: RunTarget, fn: () => T): T {
  return storage.run(target, fn);
}

/** The SDK's clock: the target's, or the real one. */
export function sdkTimers(): Timers {
  return storage.getStore()?.timers ?? realTimers;
}

/** The SDK's time now, as ISO text. */
export function isoNow(): string {
  return new Date(sdkTimers().now()).toISOString();
}

/** Wait `ms` on the SDK's clock. */
export function sleep(ms: number): Promise<void> {
  const timers = sdkTimers();
  return new Promise((resolve) => timers.setTimer(ms, resolve));
}
