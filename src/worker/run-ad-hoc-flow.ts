import { hostname } from "node:os";
import { basename, dirname } from "node:path";
import type { RunJson, WorkerClient } from "../client/index.ts";
import { flowValueNames, type ValueNames } from "../core/code-references.ts";
import {
  type FlowOptionsRecord,
  formatDuration,
  isTerminal,
  type ReferenceValues,
  type StateType,
  specWithDefaults,
} from "../core/index.ts";
import { createBackoff } from "./backoff.ts";
import { executeAttempt } from "./execute-attempt.ts";
import { startHeartbeat } from "./heartbeat.ts";
import { isRetryable } from "./is-retryable.ts";
import { createLink } from "./link.ts";
import type { CapturedLine } from "./log-capture.ts";
import { createReportQueue } from "./report-queue.ts";
import type { RunnerOptions } from "./run-job.ts";
import { sleep } from "./sleep.ts";
import { toStateReport } from "./state-report.ts";
import { quietLogger, type WorkerLogger } from "./worker-logger.ts";

/** The pool an ad-hoc run and its one-shot worker are recorded under (no worker claims it). */
export const AD_HOC_POOL = "ad-hoc";

/** How often a run waiting for its retry looks whether it was cancelled meanwhile. */
const RETRY_LOOK_MS = 1000;

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
  /** The time the run is for (ORCH_SCHEDULED_AT), ISO; default its own (a replay's: the run's). */
  scheduledAt?: string;
  /** How long an attempt may run (--timeout), over the flow's own `timeout`. */
  timeoutMs?: number;
  /** How many times a failed attempt is retried (--retries), over the flow's own `retries`. */
  retries?: number;
  /**
   * Honour the timeout, retries and retry delay the flow declares, as its first attempt reports
   * them once loaded (see reportFlowOptions). Default true; a replay leaves them out.
   */
  ownOptions?: boolean;
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
      // Unused: an ad-hoc run runs here or nowhere (no other worker can take it).
      start: (workerId, runId, request) => client.startRun(workerId, runId, request),
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
      ...(options.retries ? { retries: options.retries } : {}),
    });
    options.onRun?.(run);

    const spec = specWithDefaults({
      name: options.name ?? basename(options.file),
      flow: { path: options.file, export: exportName },
      work_pool: AD_HOC_POOL,
      ...(options.timeoutMs ? { timeout_ms: options.timeoutMs } : {}),
    });
    const ownOptions = options.ownOptions ?? true;
    // The retries its flow declares, set on the run as its first attempt reports them; that
    // attempt's final state waits for them (the rules read them when it fails).
    let retriesSet: Promise<unknown> | null = null;
    const setRetries = (reported: FlowOptionsRecord) => {
      if (retriesSet) return;
      const retries = options.retries ?? reported.retries ?? 0;
      const delay = reported.retry_delay_ms ?? 0;
      if (retries === (options.retries ?? 0) && (retries === 0 || delay === 0)) return;
      retriesSet = client
        .setAdHocRetries(worker.id, run.id, { retries, retry_delay_ms: delay })
        .catch((error) =>
          logger.warn(
            `could not record the flow's retries (${retries}): ${(error as Error).message}; a failed attempt is not retried`,
          ),
        );
    };
    const runner: RunnerOptions = {
      graceMs: options.graceMs ?? 5000,
      apiUrl: options.apiUrl ?? "",
      ...(options.token !== undefined ? { token: options.token } : {}),
      ...(options.selfCommand ? { selfCommand: options.selfCommand } : {}),
      ...(options.env ? { env: options.env } : {}),
    };
    let recorded = null as Awaited<ReturnType<typeof queue.state>>;
    // The values its files name, as a deployment's run gets its version's (read per attempt).
    const names = flowValueNames(options.file);
    const values = (number: number) =>
      runValues(client, worker.id, run.id, names, number === 1 ? logger : quietLogger);
    const startAttempt = (number: number) =>
      executeAttempt({
        prepare: async () => ({
          ...(await values(number)),
          runId: run.id,
          deployment: "",
          spec,
          parameters: options.parameters,
          bundleDir: dirname(options.file),
          attempt: number,
          ...(options.scheduledAt || run.scheduled_at
            ? { scheduledAt: options.scheduledAt ?? run.scheduled_at! }
            : {}),
          ...(ownOptions && !options.timeoutMs ? { timeoutFromFlow: true } : {}),
        }),
        runner,
        logger,
        where: `orch flow run on ${host}`,
        report: {
          running: (state, outcome) =>
            void queue.state(worker.id, run.id, toStateReport(state, outcome)),
          logs: (lines) => {
            options.onLogs?.(lines);
            queue.logs(worker.id, run.id, number, lines);
          },
          ...(ownOptions && number === 1 ? { flowOptions: setRetries } : {}),
          final: async (state, outcome) => {
            await retriesSet;
            recorded = await queue.state(worker.id, run.id, toStateReport(state, outcome));
          },
        },
      });
    let attempt = startAttempt(1);
    let cancelRequested = false;
    const retryWait = new AbortController();
    const cancel = () => {
      cancelRequested = true;
      attempt.cancel();
      retryWait.abort();
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

    let state = await attempt.done;
    await queue.drained();
    // The server's rules turn a failed attempt with retries left into AwaitingRetry; no worker
    // claims an ad-hoc run, so this one takes it back when its delay is over and runs it again.
    // Cancelled while it waits, it is still taken back: its next attempt ends CANCELLED at once.
    let ended: RunJson | null = null;
    for (let number = 2; recorded?.run.state_name === "AwaitingRetry"; number++) {
      const wait = Math.max(0, Date.parse(recorded.run.scheduled_at ?? "") - Date.now()) || 0;
      logger.info(
        `attempt ${number - 1}: ${recorded.run.state_message ?? "failed"}${wait > 0 ? `; next in ${formatDuration(wait)}` : ""}`,
      );
      // Nothing tells this worker of a cancel of a run it does not hold: it looks each second.
      for (let due = Date.now() + wait; Date.now() < due && !retryWait.signal.aborted; ) {
        await sleep(Math.min(RETRY_LOOK_MS, due - Date.now()), retryWait.signal);
        const now = await client.getRun(run.id).catch(() => null);
        if (now && isTerminal(now.state)) break;
      }
      const taken = await client.retakeAdHocRun(worker.id, run.id);
      if (taken.state !== "PENDING") {
        ended = taken;
        break;
      }
      attempt = startAttempt(number);
      if (cancelRequested) attempt.cancel();
      state = await attempt.done;
      await queue.drained();
    }
    options.signal?.removeEventListener("abort", cancel);
    stopAbort.abort();
    await watching;
    if (ended) return { run: ended, state: ended.state, message: ended.state_message ?? "" };
    const final = recorded;
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

/**
 * The secrets and variables `names` for an attempt (none asked when the files name none); one
 * that is not set is told, so the user sees why the flow's getSecret() will fail.
 */
async function runValues(
  client: WorkerClient,
  workerId: string,
  runId: string,
  names: ValueNames,
  logger: WorkerLogger,
): Promise<{ values?: ReferenceValues }> {
  if (!names.secrets.length && !names.variables.length) return {};
  const values = await client.adHocRunValues(workerId, runId, names);
  for (const name of names.secrets.filter((n) => values.secrets[n] === undefined)) {
    logger.warn(
      `the flow names secret ${name}, which is not set: set it with orch secrets set ${name}`,
    );
  }
  for (const name of names.variables.filter((n) => values.variables[n] === undefined)) {
    logger.warn(
      `the flow names variable ${name}, which is not set: set it with orch variables set ${name} VALUE (getVariable gives its fallback meanwhile)`,
    );
  }
  return { values };
}
