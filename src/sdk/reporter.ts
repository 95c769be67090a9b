/**
 * The flow process's one batched reporter: what a flow tells orch as it runs (task runs' states,
 * and whatever else a run records in bulk) is queued and sent in batches, in the background. A
 * task never waits for the API, and a flow runs the same when there is none (an untracked call,
 * an ad-hoc run with no server). The flow-run entry flushes what is left before the process ends.
 */
import { callRunApi, isTracked } from "./run-context.ts";
import { currentTarget, type RunTarget } from "./run-target.ts";

/** Where a kind of report goes, and how a batch of it is wrapped. */
export interface ReportChannelOptions<T> {
  /** The API path, `:run` for the run's id: `/api/runs/:run/tasks`. */
  path: string;
  /** The body's field that holds the batch: `{ tasks: [...] }`. */
  field: string;
  /** Items with the same key replace each other before they are sent (only the latest counts). */
  key?: (item: T) => string;
  /** Items per request (well under the API's body limit). Default 500. */
  chunk?: number;
}

/** A kind of report: `send` queues one item. */
export interface ReportChannel<T> {
  send(item: T): void;
}

interface Queue {
  options: ReportChannelOptions<unknown>;
  items: Map<string, unknown>;
  next: number;
}

/** How long reports wait for others to join their batch. */
const BATCH_MS = 50;
const queues: Queue[] = [];
let sending: Promise<void> = Promise.resolve();
let timer: ReturnType<typeof setTimeout> | null = null;
const failures: string[] = [];
/** The reports of each run target, sent in order. */
const targetChains = new WeakMap<RunTarget, Promise<unknown>>();

/**
 * Bytes of items per request, under the API's 1 MiB body limit. An item with a result near the
 * result cap (1 MB) goes alone; the cap leaves room for its other fields.
 */
const CHUNK_BYTES = 900_000;

/** A batch cut into requests: at most `chunk` items and about CHUNK_BYTES each. */
function chunks(batch: unknown[], chunk: number): string[][] {
  const out: string[][] = [[]];
  let bytes = 0;
  for (const item of batch) {
    const json = JSON.stringify(item);
    const size = Buffer.byteLength(json);
    const last = out.at(-1)!;
    if (last.length && (last.length >= chunk || bytes + size > CHUNK_BYTES)) {
      out.push([]);
      bytes = 0;
    }
    out.at(-1)!.push(json);
    bytes += size + 1;
  }
  return out;
}

async function sendQueue(queue: Queue): Promise<void> {
  const batch = [...queue.items.values()];
  queue.items.clear();
  for (const items of chunks(batch, queue.options.chunk ?? 500)) {
    try {
      // Each item is serialised once, to measure it; the body is built around those texts.
      await callRunApi("POST", queue.options.path, undefined, {
        json: `{${JSON.stringify(queue.options.field)}:[${items.join(",")}]}`,
      });
    } catch (error) {
      // The run goes on without this report; the flow's own output still tells what happened.
      // The first failure of each kind is kept, for the flow-run entry to print once.
      if (!failures.some((f) => f.startsWith(queue.options.path))) {
        failures.push(`${queue.options.path}: ${(error as Error).message}`);
      }
      return;
    }
  }
}

function sendAll(): Promise<void> {
  // Sends go one after another, so a later state of a task never overtakes an earlier one.
  sending = sending.then(async () => {
    for (const queue of queues) if (queue.items.size) await sendQueue(queue);
  });
  return sending;
}

/**
 * A kind of report that goes to `path` in batches. Inside an untracked process `send` does
 * nothing, so the SDK's functions cost nothing outside a run.
 */
export function createReportChannel<T>(options: ReportChannelOptions<T>): ReportChannel<T> {
  const queue: Queue = {
    options: options as ReportChannelOptions<unknown>,
    items: new Map(),
    next: 0,
  };
  queues.push(queue);
  return {
    send(item) {
      const target = currentTarget();
      if (target) {
        // A run recorded through a target gets each report as it comes, one after another (a
        // later state never overtakes an earlier one), on a chain of its own: runs side by
        // side must not share a queue.
        const path = options.path.replace(":run", encodeURIComponent(target.runId));
        const chain = (targetChains.get(target) ?? Promise.resolve())
          .then(() => target.call("POST", path, { [options.field]: [item] }))
          .catch((error: Error) => {
            if (!failures.some((f) => f.startsWith(options.path))) {
              failures.push(`${options.path}: ${error.message}`);
            }
          });
        targetChains.set(target, chain);
        return;
      }
      if (!isTracked()) return;
      queue.items.set(options.key ? options.key(item) : String(queue.next++), item);
      timer ??= setTimeout(() => {
        timer = null;
        void sendAll();
      }, BATCH_MS);
      timer.unref?.();
    },
  };
}

/** Send everything queued and wait for it (the flow ended, or a report must be there now). */
export async function flushReports(): Promise<void> {
  if (timer) {
    clearTimeout(timer);
    timer = null;
  }
  await sendAll();
}

/** Wait until every report of `target` so far is delivered (or given up). */
export async function flushTargetReports(target: RunTarget): Promise<void> {
  await targetChains.get(target);
}

/** The reports that could not be delivered (one line per kind), to tell the user once. */
export function reportFailures(): readonly string[] {
  return failures;
}
