import { hostname } from "node:os";
import { basename, dirname } from "node:path";
import type { RunJson, WorkerClient } from "../client/index.ts";
import { type StateType, specWithDefaults } from "../core/index.ts";
import { createBackoff } from "./backoff.ts";
import { executeAttempt } from "./execute-attempt.ts";
import { startHeartbeat } from "./heartbeat.ts";
import { createLink } from "./link.ts";
import type { CapturedLine } from "./log-capture.ts";
import { createReportQueue, isRetryable } from "./report-queue.ts";
import type { RunnerOptions } from "./spawn-run.ts";
import { toStateReport } from "./state-report.ts";
import { quietLogger, type WorkerLogger } from "./worker-logger.ts";

/** The pool an ad-hoc run and its one-shot worker are recorded under (no worker claims it). */
export const AD_HOC_POOL = "ad-hoc";

export interface AdHocFlowOptions {
  client: WorkerClient;
  /** The flow file, absolute. */
  file: string;
  /** The flow as the user named it (`flows/x.ts`), for the run's record. */
  entry: string;
  /** Its export. Default "default". */
  exportName?: string;
  /** A name for the run's record. */
  name?: string;
  parameters: Record<string, unknown>;
  /** Given to the flow as ORCH_API_TOKEN. */
  token?: string;
  /** Given to the flow as ORCH_API_URL (none for a server-less run). */
  apiUrl?: string;
  logger?: WorkerLogger;
  /** The run, once created. */
  onRun?: (run: RunJson) => void;
  /** Lines as the flow prints them (the CLI shows them). */
  onLogs?: (lines: CapturedLine[]) => void;
  /** Aborting cancels the run (Ctrl-C). */
  signal?: AbortSignal;
  graceMs?: number;
  selfCommand?: string[];
  env?: Record<string, string | undefined>;
}

/** How an ad-hoc run ended. */
export interface AdHocResult {
  run: RunJson;
  /** The final state as recorded (or as decided here, when the server refused it). */
  state: StateType;
  message: string;
}

/**
 * Run a TypeScript flow file here, tracked like any run (what `orch flow run` does, as running a
 * flow script does in Prefect): a one-shot worker registers, the API creates a run with no
 * deployment already held by it (so no other worker claims it), and the flow runs in this
 * process tree with the same runner as every worker. States and logs go through the same
 * protocol routes and outbox as a remote worker's; a cancel reaches it through a claim held open.
 */
export async function runAdHocFlow(options: AdHocFlowOptions): Promise<AdHocResult> {
  const { client } = options;
  const logger = options.logger ?? quietLogger;
  const host = hostname();
  const exportName = options.exportName ?? "default";
  const worker = await client.register({
    name: "flow-run",
    pool: AD_HOC_POOL,
    host,
    concurrency: 1,
    pid: process.pid,
  });
  const link = createLink(logger, client.url);
  link.up();
  const queue = createReportQueue(
    {
      state: (workerId, runId, report) => client.reportState(workerId, runId, report),
      logs: (workerId, runId, batch) => client.appendLogs(workerId, runId, batch),
    },
    { logger, link },
  );
  const stopAbort = new AbortController();
  let stopHeartbeat = () => {};
  try {
    const run = await client.createAdHocRun({
      flow: options.entry,
      ...(exportName !== "default" ? { export: exportName } : {}),
      ...(options.name ? { name: options.name } : {}),
      parameters: options.parameters,
      worker_id: worker.id,
    });
    options.onRun?.(run);

    const spec = specWithDefaults({
      name: options.name ?? basename(options.file),
      flow: { path: options.file, export: exportName },
      work_pool: AD_HOC_POOL,
    });
    const runner: RunnerOptions = {
      graceMs: options.graceMs ?? 5000,
      apiUrl: options.apiUrl ?? "",
      ...(options.token !== undefined ? { token: options.token } : {}),
      ...(options.selfCommand ? { selfCommand: options.selfCommand } : {}),
      ...(options.env ? { env: options.env } : {}),
    };
    let recorded: Awaited<ReturnType<typeof queue.state>> = null;
    const attempt = executeAttempt({
      prepare: () => ({
        runId: run.id,
        deployment: "",
        spec,
        parameters: options.parameters,
        bundleDir: dirname(options.file),
        attempt: 1,
        ...(run.scheduled_at ? { scheduledAt: run.scheduled_at } : {}),
      }),
      runner,
      logger,
      where: `orch flow run on ${host}`,
      report: {
        running: (state, outcome) =>
          void queue.state(worker.id, run.id, toStateReport(state, outcome)),
        logs: (lines) => {
          options.onLogs?.(lines);
          queue.logs(worker.id, run.id, 1, lines);
        },
        final: async (state, outcome) => {
          recorded = await queue.state(worker.id, run.id, toStateReport(state, outcome));
        },
      },
    });
    let cancelRequested = false;
    const cancel = () => {
      cancelRequested = true;
      attempt.cancel();
    };
    if (options.signal?.aborted) cancel();
    options.signal?.addEventListener("abort", cancel);

    // Heartbeats, and a claim held open for nothing but a cancel from `orch runs cancel`.
    stopHeartbeat = startHeartbeat(client, () => worker, link, {
      onCancel: (ids) => {
        if (ids.includes(run.id)) cancel();
      },
    });
    const watchCancel = async () => {
      const backoff = createBackoff();
      while (!stopAbort.signal.aborted && !cancelRequested) {
        try {
          const answer = await client.claim(
            worker.id,
            { limit: 0, wait_ms: 20_000, held: [run.id] },
            stopAbort.signal,
          );
          backoff.reset();
          if (answer.cancel.includes(run.id)) cancel();
        } catch (error) {
          if (stopAbort.signal.aborted) return;
          if (!isRetryable(error)) return;
          await backoff.wait(stopAbort.signal);
        }
      }
    };
    const watching = watchCancel();

    const state = await attempt.done;
    options.signal?.removeEventListener("abort", cancel);
    await queue.drained();
    stopAbort.abort();
    await watching;
    const final = recorded as Awaited<ReturnType<typeof queue.state>>;
    return {
      run: final?.run ?? run,
      state: final?.run.state ?? state.type,
      message: final?.run.state_message ?? state.message ?? "",
    };
  } finally {
    stopAbort.abort();
    stopHeartbeat();
    queue.close();
    await client.offline(worker.id).catch(() => {});
  }
}
