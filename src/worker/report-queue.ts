import type {
  LogLineInput,
  StartAnswer,
  StartRequestJson,
  StateReportJson,
} from "../core/index.ts";
import { createBackoff } from "./backoff.ts";
import { createDeliveryTrouble } from "./delivery-trouble.ts";
import { isRetryable } from "./is-retryable.ts";
import type { Link } from "./link.ts";
import { logBatches } from "./log-batches.ts";
import type { Journaled, ReportJournal } from "./report-journal.ts";
import type { WorkerLogger } from "./worker-logger.ts";

/** Where the queue delivers: the worker protocol's report calls, and its start. */
export interface ReportSink<R> {
  start(workerId: string, runId: string, request: StartRequestJson): Promise<StartAnswer>;
  state(workerId: string, runId: string, report: StateReportJson): Promise<R>;
  logs(
    workerId: string,
    runId: string,
    batch: { attempt: number; first: number; lines: LogLineInput[] },
  ): Promise<unknown>;
}

/** A remote worker's outbox of states and log lines, delivered in order per run. */
export interface ReportQueue<R> {
  /** Queue an attempt's lines; they are numbered here, per attempt, from 1. */
  logs(workerId: string, runId: string, attempt: number, lines: LogLineInput[]): void;
  /**
   * Ask to start an attempt's process, after what is queued for the run before it; resolves with
   * the server's answer, or null when it refused (the run is no longer this worker's).
   */
  start(workerId: string, runId: string, attempt: number): Promise<StartAnswer | null>;
  /** Queue a state; resolves with what the server recorded, or null when it refused it. */
  state(workerId: string, runId: string, report: StateReportJson): Promise<R | null>;
  /** Resolves once everything queued so far is delivered (or refused). */
  drained(): Promise<void>;
  /**
   * Send again a report a gone worker left in the journal (ours now, under its id), after what is
   * queued for its run; resolves as `state` does (lines: null) once delivered or refused. `tried`
   * is told once it was sent once, or waits behind a failed one (with that error).
   */
  resend(entry: Journaled, tried?: (failed?: unknown) => void): Promise<R | null>;
  /** Lines and states not delivered yet. */
  readonly size: number;
  /** Of those, the ones no journal keeps: lost if the worker stops before they are delivered. */
  readonly unkept: number;
  /** Runs whose next report orch answers with an error (not refused: sent again with backoff). */
  readonly failing: number;
  /** Stop delivering (what is left stays undelivered). */
  close(): void;
}

export interface ReportQueueOptions {
  logger: WorkerLogger;
  /** Told when deliveries fail for want of a server, and when it answers again. */
  link: Link;
  /** Largest request body to build, in bytes of JSON. Default 512 KiB (the API takes 1 MiB). */
  maxBatchBytes?: number;
  /** Where states and lines are kept until the server has them, across the worker's restarts. */
  journal?: ReportJournal;
}

/** An op's id in the journal (null: only memory keeps it); `tried`: see ReportQueue.resend. */
type Op<R> = { journalId?: number | null; tried?: (failed?: unknown) => void } & (
  | {
      kind: "logs";
      workerId: string;
      attempt: number;
      first: number;
      lines: LogLineInput[];
      bytes: number;
      /** Told once the lines are delivered or refused (or the queue closed). */
      delivered?: () => void;
    }
  | {
      kind: "state";
      workerId: string;
      report: StateReportJson;
      resolve: (recorded: R | null) => void;
    }
  | {
      kind: "start";
      workerId: string;
      attempt: number;
      resolve: (answer: StartAnswer | null) => void;
    }
);

/**
 * Create the outbox. Why per run and in order: the server stores a run's lines before the state
 * that ends it, and drops resent lines by their number (a batch whose answer was lost when the
 * server died is sent again, and stored once). Runs deliver independently, each one request at a
 * time, retrying with capped backoff while the server is away; nothing is dropped but what the
 * server refuses (a state the rules do not allow).
 */
export function createReportQueue<R>(
  sink: ReportSink<R>,
  options: ReportQueueOptions,
): ReportQueue<R> {
  const maxBytes = options.maxBatchBytes ?? 512 * 1024;
  const queues = new Map<string, Op<R>[]>();
  const numbers = new Map<string, number>();
  const pumping = new Set<string>();
  const trouble = createDeliveryTrouble(options.link, options.logger);
  const idle: (() => void)[] = [];
  const abort = new AbortController();
  const { journal } = options;
  let size = 0;
  let unkept = 0;

  const settle = () => {
    if (size > 0 || pumping.size > 0) return;
    for (const resolve of idle.splice(0)) resolve();
  };

  const push = (runId: string, op: Op<R>) => {
    if (op.journalId === null) unkept += items(op);
    const queue = queues.get(runId);
    if (queue) queue.push(op);
    else queues.set(runId, [op]);
    if (!pumping.has(runId)) void pump(runId);
  };

  /** Take the head of a run's queue as one request: consecutive lines of one attempt merge. */
  const head = (queue: Op<R>[]): { op: Op<R>; count: number } => {
    const first = queue[0]!;
    if (first.kind !== "logs") return { op: first, count: 1 };
    let lines = first.lines;
    let bytes = first.bytes;
    let count = 1;
    while (count < queue.length) {
      const next = queue[count]!;
      if (
        next.kind !== "logs" ||
        next.attempt !== first.attempt ||
        next.workerId !== first.workerId
      )
        break;
      if (bytes + next.bytes > maxBytes) break;
      lines = lines.concat(next.lines);
      bytes += next.bytes;
      count++;
    }
    return { op: { ...first, lines, bytes }, count };
  };

  const pump = async (runId: string) => {
    pumping.add(runId);
    const backoff = createBackoff();
    try {
      for (;;) {
        const queue = queues.get(runId);
        if (!queue?.length || abort.signal.aborted) break;
        const { op, count } = head(queue);
        const what =
          op.kind === "logs"
            ? `${op.lines.length} log lines`
            : op.kind === "start"
              ? `to start attempt ${op.attempt}`
              : `state ${op.report.type}`;
        /** Tell the ops this request carried (or, when it failed, all its run's ops) it was tried. */
        const tell = (n: number, failed?: unknown) => {
          for (const o of queue.slice(0, n)) {
            o.tried?.(failed);
            o.tried = undefined;
          }
        };
        try {
          const recorded =
            op.kind === "logs"
              ? await sink.logs(op.workerId, runId, {
                  attempt: op.attempt,
                  first: op.first,
                  lines: op.lines,
                })
              : op.kind === "start"
                ? await sink.start(op.workerId, runId, { attempt: op.attempt })
                : await sink.state(op.workerId, runId, op.report);
          if (abort.signal.aborted) break;
          trouble.delivered(runId);
          backoff.reset();
          tell(count);
          done(queue, count);
          if (op.kind === "state") op.resolve(recorded as R);
          if (op.kind === "start") op.resolve(recorded as StartAnswer);
        } catch (error) {
          if (abort.signal.aborted) break;
          if (isRetryable(error)) {
            tell(queue.length, error);
            trouble.failed(runId, what, error);
            await backoff.wait(abort.signal);
            continue;
          }
          const dropped = op.kind === "start" ? "" : ", which is dropped";
          options.logger.warn(
            `run ${runId}: orch refused ${what}${dropped}: ${(error as Error).message}`,
          );
          tell(count);
          done(queue, count);
          if (op.kind !== "logs") op.resolve(null);
        }
      }
    } finally {
      pumping.delete(runId);
      if (!queues.get(runId)?.length) queues.delete(runId);
      settle();
    }
  };

  const items = (op: Op<R>) => (op.kind === "logs" ? op.lines.length : 1);
  /** One request answered: its ops leave the queue, and the journal in one line. */
  const done = (queue: Op<R>[], n: number) => {
    const kept: number[] = [];
    for (const op of queue.splice(0, n)) {
      size -= items(op);
      if (op.journalId === null) unkept -= items(op);
      else if (op.journalId !== undefined) kept.push(op.journalId);
      if (op.kind === "logs") op.delivered?.();
    }
    if (kept.length) journal?.remove(kept);
  };

  return {
    logs(workerId, runId, attempt, lines) {
      if (lines.length === 0) return;
      const key = `${runId}:${attempt}`;
      // Ops that each fit a request on their own.
      for (const { lines: batch, bytes } of logBatches(lines, maxBytes)) {
        const first = (numbers.get(key) ?? 0) + 1;
        numbers.set(key, first + batch.length - 1);
        size += batch.length;
        const report = { kind: "logs" as const, workerId, runId, attempt, first, lines: batch };
        const journalId = journal ? journal.add(report) : null;
        push(runId, { kind: "logs", workerId, attempt, first, lines: batch, bytes, journalId });
      }
    },
    start(workerId, runId, attempt) {
      return new Promise((resolve) => {
        size++;
        push(runId, { kind: "start", workerId, attempt, resolve });
      });
    },
    state(workerId, runId, report) {
      return new Promise((resolve) => {
        size++;
        if (report.type !== "RUNNING") {
          // The attempt is over: its line numbers are no longer needed once this is queued.
          for (const key of numbers.keys()) if (key.startsWith(`${runId}:`)) numbers.delete(key);
        }
        const journalId = journal ? journal.add({ kind: "state", workerId, runId, report }) : null;
        push(runId, { kind: "state", workerId, report, resolve, journalId });
      });
    },
    resend({ id: journalId, report: r }, tried) {
      return new Promise((resolve) => {
        const told = { journalId, ...(tried ? { tried } : {}) };
        const { workerId } = r;
        if (r.kind === "state") {
          size++;
          push(r.runId, { kind: "state", workerId, report: r.report, resolve, ...told });
          return;
        }
        size += r.lines.length;
        const bytes = Buffer.byteLength(JSON.stringify(r.lines)) + 96 * r.lines.length;
        const { attempt, first, lines } = r;
        // Lines resolve once delivered or refused, as a state does.
        const delivered = () => resolve(null);
        push(r.runId, { kind: "logs", workerId, attempt, first, lines, bytes, delivered, ...told });
      });
    },
    drained() {
      if (size === 0 && pumping.size === 0) return Promise.resolve();
      return new Promise((resolve) => idle.push(resolve));
    },
    get size() {
      return size;
    },
    get unkept() {
      return unkept;
    },
    get failing() {
      return trouble.failing;
    },
    close() {
      abort.abort();
      for (const queue of queues.values())
        for (const op of queue)
          if (op.kind === "logs") op.delivered?.();
          else op.resolve(null);
      queues.clear();
      trouble.clear();
      size = 0;
      unkept = 0;
      settle();
    },
  };
}
