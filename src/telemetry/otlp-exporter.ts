import { createHash } from "node:crypto";
import { VERSION } from "../core/index.ts";
import { getRun, listTaskRuns, type RunRow, type Store } from "../store/index.ts";
import { watchFinishedRuns } from "./finished-runs.ts";

/** Where the exporter's complaints go. */
export interface ExporterLog {
  warn(...args: unknown[]): void;
}

export interface OtlpOptions {
  store: Store;
  /** The collector: `http://host:4318` (the traces path is added) or its full `/v1/traces` URL. */
  url: string;
  log: ExporterLog;
  /** How often a batch is sent. Default 2 s. */
  flushMs?: number;
  /** Most spans in one request. Default 512. */
  batchSize?: number;
  /** Spans held while the collector is away; the oldest are dropped past it. Default 10,000. */
  maxQueue?: number;
}

/** A running exporter. */
export interface OtlpExporter {
  /** Send what is queued now; resolves when the request ends. */
  flush(): Promise<void>;
  /** Stop watching runs and send what is left (once, briefly). */
  stop(): Promise<void>;
}

type Attribute = { key: string; value: Record<string, unknown> };
interface Span {
  traceId: string;
  spanId: string;
  parentSpanId?: string;
  name: string;
  kind: number;
  startTimeUnixNano: string;
  endTimeUnixNano: string;
  attributes: Attribute[];
  status: { code: number; message?: string };
}

const SPAN_KIND_INTERNAL = 1;
const STATUS = { unset: 0, ok: 1, error: 2 } as const;

const hex = (text: string, length: number) =>
  createHash("sha256").update(text).digest("hex").slice(0, length);
const nanos = (ms: number) => `${BigInt(Math.round(ms)) * 1_000_000n}`;
const str = (key: string, value: string): Attribute => ({ key, value: { stringValue: value } });
const int = (key: string, value: number): Attribute => ({
  key,
  value: { intValue: String(value) },
});

/** A run attempt's span id: it follows from the run's id, so a run sent twice is one span. */
const spanIdOf = (run: RunRow) => hex(`run:${run.id}:${run.attempt}`, 16);

/** Where a run's span goes: a subflow's, under its parent run's span, in its root run's trace. */
export interface SpanLineage {
  /** The run its flow was called from (with the attempt it is in), or null for a root run. */
  parent: RunRow | null;
  /** The id of the run at the top of its tree (the run's own id for a root run). */
  rootId: string;
}

/**
 * A run as spans: one for the run, named by its deployment (or its flow), one per task run
 * under it. Parameter names, never values.
 */
export function runSpans(
  run: RunRow,
  tasks: ReturnType<typeof listTaskRuns>,
  lineage: SpanLineage = { parent: null, rootId: run.id },
): Span[] {
  const traceId = hex(`trace:${lineage.rootId}`, 32);
  const spanId = spanIdOf(run);
  const end = run.ended_at ?? run.state_at;
  const start = run.started_at ?? end;
  let names: string[] = [];
  try {
    names = Object.keys(JSON.parse(run.parameters) as object).sort();
  } catch {}
  const failed = run.state_type === "FAILED" || run.state_type === "CRASHED";
  const attributes = [
    str("orch.run.id", run.id),
    str("orch.deployment", run.deployment ?? ""),
    str("orch.run.state", run.state_type),
    str("orch.run.state_name", run.state_name),
    int("orch.run.attempt", run.attempt),
    {
      key: "orch.run.parameters",
      value: { arrayValue: { values: names.map((n) => ({ stringValue: n })) } },
    },
    ...(run.version !== null ? [int("orch.deployment.version", run.version)] : []),
    ...(run.exit_code !== null ? [int("orch.run.exit_code", run.exit_code)] : []),
    ...(run.flow_name ? [str("orch.flow", run.flow_name)] : []),
    ...(run.parent_id ? [str("orch.run.parent_id", run.parent_id)] : []),
  ];
  const spans: Span[] = [
    {
      traceId,
      spanId,
      ...(lineage.parent ? { parentSpanId: spanIdOf(lineage.parent) } : {}),
      name: run.deployment ?? run.flow_name ?? "ad-hoc run",
      kind: SPAN_KIND_INTERNAL,
      startTimeUnixNano: nanos(start),
      endTimeUnixNano: nanos(end),
      attributes,
      status: failed
        ? { code: STATUS.error, message: run.state_message }
        : { code: run.state_type === "COMPLETED" ? STATUS.ok : STATUS.unset },
    },
  ];
  tasks.forEach((task, i) => {
    const taskEnd = task.ended_at ?? end;
    spans.push({
      traceId,
      spanId: hex(`task:${run.id}:${run.attempt}:${i}`, 16),
      parentSpanId: spanId,
      name: task.name,
      kind: SPAN_KIND_INTERNAL,
      startTimeUnixNano: nanos(task.started_at ?? taskEnd),
      endTimeUnixNano: nanos(taskEnd),
      attributes: [
        str("orch.task.state", task.state),
        int("orch.task.attempts", task.attempts),
        { key: "orch.task.cached", value: { boolValue: task.cached === 1 } },
        str("orch.run.id", run.id),
      ],
      status: {
        code: task.state === "COMPLETED" ? STATUS.ok : task.state === "FAILED" ? STATUS.error : 0,
      },
    });
  });
  return spans;
}

/**
 * Export a span per finished run (and per task run in it) to an OpenTelemetry collector, as
 * OTLP over HTTP with JSON. Finished runs only queue their spans; a timer sends them in batches,
 * one request at a time, so the engine never waits on the collector. While the collector is
 * away, spans wait (up to maxQueue, then the oldest go) and it is told once.
 */
export function startOtlpExporter(options: OtlpOptions): OtlpExporter {
  const url = /\/v1\/traces\/?$/.test(options.url)
    ? options.url
    : `${options.url.replace(/\/$/, "")}/v1/traces`;
  const batchSize = options.batchSize ?? 512;
  const maxQueue = options.maxQueue ?? 10_000;
  const queue: Span[] = [];
  let dropped = 0;
  let failing = false;
  let sending: Promise<void> | null = null;

  const unsubscribe = watchFinishedRuns(options.store, (run) => {
    const lineage = lineageOf(options.store, run);
    queue.push(...runSpans(run, listTaskRuns(options.store, run.seq), lineage));
    if (queue.length > maxQueue) dropped += queue.splice(0, queue.length - maxQueue).length;
  });

  const send = async (): Promise<void> => {
    while (queue.length) {
      const batch = queue.slice(0, batchSize);
      const body = {
        resourceSpans: [
          {
            resource: {
              attributes: [str("service.name", "orch"), str("service.version", VERSION)],
            },
            scopeSpans: [{ scope: { name: "orch", version: VERSION }, spans: batch }],
          },
        ],
      };
      try {
        const res = await fetch(url, {
          method: "POST",
          headers: { "content-type": "application/json" },
          body: JSON.stringify(body),
          signal: AbortSignal.timeout(10_000),
        });
        await res.body?.cancel();
        // A collector that refuses the batch (4xx) would refuse it again: it is dropped.
        if (res.status >= 500) throw new Error(`HTTP ${res.status}`);
        queue.splice(0, batch.length);
        if (failing) options.log.warn(`OTLP export to ${url} works again`);
        failing = false;
      } catch (error) {
        if (!failing)
          options.log.warn(
            `OTLP export to ${url} failed (${(error as Error).message}); spans wait and are sent once it answers`,
          );
        failing = true;
        return;
      }
    }
    if (dropped) {
      options.log.warn(`OTLP export dropped ${dropped} spans the collector could not take in time`);
      dropped = 0;
    }
  };
  const flush = () => {
    sending ??= send().finally(() => {
      sending = null;
    });
    return sending;
  };
  const timer = setInterval(() => void flush(), options.flushMs ?? 2000);
  timer.unref?.();
  return {
    flush,
    async stop() {
      clearInterval(timer);
      unsubscribe();
      // One last send, but a collector that is away does not hold up the stop.
      await Promise.race([flush(), new Promise((resolve) => setTimeout(resolve, 2000).unref?.())]);
    },
  };
}

/**
 * A run's parent (read as it is now: a subflow ends inside its parent's attempt, so that is the
 * attempt whose span it belongs under) and the root of its tree.
 */
function lineageOf(store: Store, run: RunRow): SpanLineage {
  const parent = run.parent_id ? getRun(store, run.parent_id) : null;
  let root = parent ?? run;
  // Bounded: a tree is as deep as flows call flows, never a cycle, but a store is data.
  for (let depth = 0; root.parent_id && depth < 100; depth++) {
    const up = getRun(store, root.parent_id);
    if (!up) break;
    root = up;
  }
  return { parent, rootId: root.id };
}
