/**
 * Task caching: a cached task's value is kept under a key, and a later call with the same key
 * (in this run, another run, or on another worker) returns it without running the body. The
 * cache lives in the server's store and is reached through the API, so every worker shares it.
 */
import { createHash } from "node:crypto";
import { parseDuration } from "../core/duration.ts";
import { stableStringify } from "../core/stable-json.ts";
import { sdkLog } from "./logger.ts";
import { checkResult, jsonProblem } from "./result.ts";
import { callRunApi, getRunContext, isTracked, RunApiError } from "./run-context.ts";
import { currentTarget } from "./run-target.ts";

/** What `cacheKey` gets besides the inputs. */
export interface CacheKeyContext {
  /** The task's name. */
  task: string;
  /** The run calling it (null outside a tracked run). */
  runId: string | null;
  /** The flow run's parameters. */
  parameters: Record<string, unknown>;
}

/** The `cache` option of a task: on, or on with a fixed key or an expiry. */
export type CacheOption =
  | boolean
  | {
      /** A fixed key (default: from the task's name, its source and its inputs). */
      key?: string;
      /** How long a value stays valid: "1h", "7d", or seconds (default: until cleared). */
      expires?: string | number;
    };

/** How a task caches: its key maker and expiry, as checked when the task was defined. */
export interface CachePlan {
  key: (args: unknown[]) => string;
  expires: string | number | null;
}

const MAX_KEY = 500;

/**
 * The cache plan of a task from its options, or null when it does not cache; a bad option is a
 * thrown error that names the task.
 */
export function planCache(
  name: string,
  fn: (...args: never[]) => unknown,
  options: {
    cache?: CacheOption;
    cacheKey?: (inputs: never, ctx: CacheKeyContext) => string;
    expires?: string | number;
  },
): CachePlan | null {
  const { cache, cacheKey } = options;
  if (!cache && !cacheKey) return null;
  const settings = typeof cache === "object" ? cache : {};
  const expires = settings.expires ?? options.expires ?? null;
  if (expires !== null) {
    const ms = parseDuration(expires);
    if (ms === undefined || ms <= 0) {
      throw new Error(
        `task ${name}: expires ${JSON.stringify(expires)} is not a duration (like "30m", "1h", "7d", or a number of seconds)`,
      );
    }
  }
  const source = fn.toString();
  const key = (args: unknown[]): string => {
    let text: unknown;
    if (cacheKey) {
      const runId = getRunContext().runId;
      text = cacheKey(args as never, { task: name, runId, parameters: flowParameters() });
    } else if (settings.key !== undefined) {
      text = settings.key;
    } else {
      const problem = jsonProblem(args, "inputs");
      if (problem) {
        throw new Error(
          `task ${name} caches by its inputs, and ${problem}; give the task a cacheKey: (inputs) => string`,
        );
      }
      // Why the source is part of the key: a changed body must not return an old body's value.
      return createHash("sha256")
        .update(stableStringify([name, source, args]))
        .digest("hex");
    }
    if (typeof text !== "string" || !text || text.length > MAX_KEY) {
      throw new Error(
        `task ${name}: a cache key must be a string of 1 to ${MAX_KEY} characters, not ${typeof text === "string" ? `${text.length} characters` : typeof text}`,
      );
    }
    return text;
  };
  return { key, expires };
}

function flowParameters(): Record<string, unknown> {
  const target = currentTarget();
  if (target) return target.parameters;
  try {
    return JSON.parse(process.env.ORCH_PARAMETERS || "{}");
  } catch {
    return {};
  }
}

const path = (task: string, key: string) =>
  `/api/cache/${encodeURIComponent(task)}/${encodeURIComponent(key)}`;

/** Told once per process: the cache could not be reached (the task runs all the same). */
let warned = false;
function warn(what: string): void {
  if (warned) return;
  warned = true;
  sdkLog.warn(`${what}; cached tasks run their bodies until it answers again`);
}

/** A kept value of `task` under `key`, or undefined on a miss (or outside a tracked run). */
async function lookup(task: string, key: string): Promise<{ value: unknown } | undefined> {
  if (!isTracked()) return undefined;
  try {
    return { value: (await callRunApi<{ value: unknown }>("GET", path(task, key))).value };
  } catch (error) {
    if (error instanceof RunApiError && error.status === 404) return undefined;
    warn(`the task cache did not answer (${(error as Error).message})`);
    return undefined;
  }
}

/** Keep `json` (a value's checked JSON) for `task` under `key`. */
async function keep(task: string, key: string, json: string, expires: CachePlan["expires"]) {
  const runId = getRunContext().runId;
  const body = { value: JSON.parse(json), expires, ...(runId ? { run_id: runId } : {}) };
  try {
    await callRunApi("PUT", path(task, key), body);
  } catch (error) {
    sdkLog.warn(`task ${task}'s value was not cached: ${(error as Error).message}`);
  }
}

/**
 * Calls of one key running now in this process. Why: two identical calls at once (in a map, or
 * two submits) would both miss; the second waits for the first and takes its value instead.
 */
const running = new Map<string, Promise<{ value: unknown; cached: boolean }>>();

/**
 * The value of a cached call: the kept one (`cached: true`, the body not run), or the body's,
 * which is then kept. A value that cannot be kept is returned all the same, with a warning.
 */
export async function runCached<R>(
  task: string,
  key: string,
  expires: CachePlan["expires"],
  body: () => Promise<R>,
): Promise<{ value: R; cached: boolean }> {
  const id = `${task}\u0000${key}`;
  const other = running.get(id);
  if (other) {
    try {
      return { value: (await other).value as R, cached: true };
    } catch {
      // The first call failed: this one tries for itself.
    }
  }
  const mine = (async () => {
    const hit = await lookup(task, key);
    if (hit) return { value: hit.value as R, cached: true };
    const value = await body();
    if (isTracked()) {
      const kept = checkResult(value, `task ${task}'s return value`);
      if ("json" in kept) await keep(task, key, kept.json, expires);
      else sdkLog.warn(`not cached: ${kept.problem}`);
    }
    return { value, cached: false };
  })();
  running.set(id, mine);
  try {
    return await mine;
  } finally {
    if (running.get(id) === mine) running.delete(id);
  }
}
