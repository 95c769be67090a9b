import type {
  ArtifactJson,
  BackfillJson,
  BackfillPlanJson,
  CacheCleared,
  CacheEntryJson,
  CountRunsQuery,
  CreateBackfillRequest,
  DeploymentDetail,
  DeploymentJson,
  DeploymentRemoved,
  DeployReport,
  EmitEventRequest,
  EventJson,
  EventStreamMessage,
  HealthJson,
  ListEventsQuery,
  ListRunsQuery,
  LoginCodeJson,
  LogLineJson,
  LogStreamMessage,
  ProblemsJson,
  PruneResult,
  ResultJson,
  RollbackResult,
  RunCounts,
  RunDetail,
  RunJson,
  RunLogsQuery,
  SecretJson,
  SecretListJson,
  TaskResultsJson,
  TriggerRunRequest,
  TriggerStateJson,
  ValueRemoved,
  VariableJson,
  WakeTimesJson,
  WebSessionsEndedJson,
  WorkerJson,
  WorkPoolDetailJson,
  WorkPoolJson,
} from "../core/index.ts";
import { followStream } from "./follow-stream.ts";
import { type ClientOptions, createTransport } from "./transport.ts";

/** The one typed client of orch's API, used by the CLI, the TUI and remote workers. */
export type Client = ReturnType<typeof createClient>;

/** Make a client for the API at `options.url`. */
export function createClient(options: ClientOptions) {
  const { base, raw, request, stream } = createTransport(options);

  const q = (params: Record<string, string | number | boolean | undefined>) => {
    const search = new URLSearchParams();
    for (const [k, v] of Object.entries(params)) if (v !== undefined) search.set(k, String(v));
    const text = search.toString();
    return text ? `?${text}` : "";
  };
  const name = encodeURIComponent;

  return {
    url: base,
    request,
    /** Send a request and get the raw response (for bytes, or a request `signal` aborts). */
    raw,
    health: () => request<HealthJson>("GET", "/api/health"),
    deploy: () => request<DeployReport>("POST", "/api/deploy"),
    /** Deployments (`all`: removed ones too; `lastRuns`: each with its latest runs). */
    listDeployments: (opts: { all?: boolean; lastRuns?: number } = {}) =>
      request<DeploymentJson[]>(
        "GET",
        `/api/deployments${q({ all: opts.all ? 1 : undefined, last_runs: opts.lastRuns })}`,
      ),
    getDeployment: (n: string) => request<DeploymentDetail>("GET", `/api/deployments/${name(n)}`),
    pauseDeployment: (n: string) =>
      request<DeploymentJson>("POST", `/api/deployments/${name(n)}/pause`),
    resumeDeployment: (n: string) =>
      request<DeploymentJson>("POST", `/api/deployments/${name(n)}/resume`),
    removeDeployment: (n: string) =>
      request<DeploymentRemoved>("DELETE", `/api/deployments/${name(n)}`),
    /** Make version `to` (default: the one before the active) active until the files change. */
    rollbackDeployment: (n: string, to?: number) =>
      request<RollbackResult>(
        "POST",
        `/api/deployments/${name(n)}/rollback`,
        to === undefined ? {} : { to },
      ),
    listEvents: (opts: ListEventsQuery = {}) =>
      request<EventJson[]>("GET", `/api/events${q(opts)}`),
    listTriggers: (opts: { deployment?: string } = {}) =>
      request<TriggerStateJson[]>("GET", `/api/triggers${q(opts)}`),
    emitEvent: (event: EmitEventRequest) => request<EventJson>("POST", "/api/events", event),
    /**
     * Live events (optionally by name prefixes), replaying those after `after`; `onOpen` once
     * the server has accepted the stream. A stream orch closes is taken up after the last event.
     */
    streamEvents: (
      opts: { prefix?: string[]; after?: number; onOpen?: () => void } = {},
      signal?: AbortSignal,
    ) =>
      followStream<EventStreamMessage>({
        open: (after, onOpen) =>
          stream(
            `/api/events/stream${q({ prefix: opts.prefix?.join(","), after })}`,
            signal,
            onOpen,
          ),
        after: opts.after,
        position: (m) => (m.event === "event" ? m.data.id : undefined),
        onOpen: opts.onOpen,
        signal,
        what: "events",
      }),
    triggerRun: (deployment: string, body: TriggerRunRequest = {}) =>
      request<RunJson>("POST", `/api/deployments/${name(deployment)}/runs`, body),
    /** A page of runs, newest first, and the cursor of the next page (null at the end). */
    listRuns: async (opts: ListRunsQuery = {}) => {
      const res = await raw("GET", `/api/runs${q(opts)}`);
      return { runs: (await res.json()) as RunJson[], next: res.headers.get("x-next-cursor") };
    },
    /** How many runs a listing's filter matches, in all and by state type. */
    countRuns: (opts: CountRunsQuery = {}) =>
      request<RunCounts>("GET", `/api/runs/counts${q(opts)}`),
    getRun: (id: string) => request<RunDetail>("GET", `/api/runs/${name(id)}`),
    runLogs: (id: string, opts: Omit<RunLogsQuery, "follow"> = {}) =>
      request<LogLineJson[]>("GET", `/api/runs/${name(id)}/logs${q(opts)}`),
    /**
     * A run's log lines as they come (`log` events), then an `end` event with the final run; a
     * stream orch closes before its end is taken up after the last line.
     */
    followLogs: (
      id: string,
      opts: Pick<RunLogsQuery, "after" | "level" | "grep"> = {},
      signal?: AbortSignal,
    ) =>
      followStream<LogStreamMessage>({
        open: (after) =>
          stream(`/api/runs/${name(id)}/logs${q({ follow: 1, ...opts, after })}`, signal),
        after: opts.after,
        position: (m) => (m.event === "log" ? m.data.id : undefined),
        isLast: (m) => m.event === "end",
        signal,
        what: `the logs of run ${id.slice(0, 8)}`,
      }),
    /** Delete finished runs older than a duration (or, dry, count them). */
    pruneRuns: (olderThan: string, dryRun = false) =>
      request<PruneResult>("POST", "/api/runs/prune", {
        older_than: olderThan,
        dry_run: dryRun,
      }),
    /** A run's result, or one of its task runs' (`NAME`, or `NAME#N` of several). */
    getResult: (id: string, task?: string) =>
      request<ResultJson>("GET", `/api/runs/${name(id)}/result${q({ task })}`),
    listArtifacts: (id: string) =>
      request<ArtifactJson[]>("GET", `/api/runs/${name(id)}/artifacts`),
    /** Cached task values (all, or one task's), newest first. */
    listCache: (task?: string) => request<CacheEntryJson[]>("GET", `/api/cache${q({ task })}`),
    clearCache: (task?: string) => request<CacheCleared>("DELETE", `/api/cache${q({ task })}`),
    cancelRun: (id: string) => request<RunJson>("POST", `/api/runs/${name(id)}/cancel`),
    /**
     * Run a finished run again on its deployment's active version (`ownVersion`: its own);
     * `fromFailed` reuses what completed before its failure.
     */
    retryRun: (id: string, options: { fromFailed?: boolean; ownVersion?: boolean } = {}) =>
      request<RunJson>("POST", `/api/runs/${name(id)}/retry`, {
        ...(options.fromFailed ? { from_failed: true } : {}),
        ...(options.ownVersion ? { own_version: true } : {}),
      }),
    /** The task runs of one attempt of a run (default its latest) with their results. */
    getTaskResults: (id: string, attempt?: number) =>
      request<TaskResultsJson>("GET", `/api/runs/${name(id)}/task-results${q({ attempt })}`),
    /** Resume a paused run with its pause's input. */
    resumeRun: (id: string, input: Record<string, unknown>) =>
      request<RunJson>("POST", `/api/runs/${name(id)}/resume`, { input }),
    /** The online workers, newest first. */
    listWorkers: () => request<WorkerJson[]>("GET", "/api/workers"),
    listSecrets: () => request<SecretListJson>("GET", "/api/secrets"),
    /** Set a secret; the answer holds its name and times, never the value. */
    setSecret: (n: string, value: string) =>
      request<SecretJson>("PUT", `/api/secrets/${name(n)}`, { value }),
    /** Remove a secret; refused while live deployments name it, unless `force`. */
    removeSecret: (n: string, force?: boolean) =>
      request<ValueRemoved>("DELETE", `/api/secrets/${name(n)}${q({ force: force || undefined })}`),
    listVariables: () => request<VariableJson[]>("GET", "/api/variables"),
    getVariable: (n: string) => request<VariableJson>("GET", `/api/variables/${name(n)}`),
    setVariable: (n: string, value: string) =>
      request<VariableJson>("PUT", `/api/variables/${name(n)}`, { value }),
    /** Remove a variable; refused while live deployments name it, unless `force`. */
    removeVariable: (n: string, force?: boolean) =>
      request<ValueRemoved>(
        "DELETE",
        `/api/variables/${name(n)}${q({ force: force || undefined })}`,
      ),
    /** When the OS should wake the machine for a deployment's `wake: true` schedules. */
    wakeTimes: (deployment: string, count?: number) =>
      request<WakeTimesJson>(
        "GET",
        `/api/deployments/${name(deployment)}/wake-times${q({ count })}`,
      ),
    listBackfills: () => request<BackfillJson[]>("GET", "/api/backfills"),
    createBackfill: (body: CreateBackfillRequest) =>
      request<BackfillJson>("POST", "/api/backfills", body),
    /** The slots a backfill would run; nothing is made. */
    planBackfill: (body: CreateBackfillRequest) =>
      request<BackfillPlanJson>("POST", "/api/backfills/plan", body),
    getBackfill: (id: string) => request<BackfillJson>("GET", `/api/backfills/${name(id)}`),
    /** Pause, resume or cancel a backfill. */
    setBackfill: (id: string, verb: "pause" | "resume" | "cancel") =>
      request<BackfillJson>("POST", `/api/backfills/${name(id)}/${verb}`),
    /** The server's metrics, in Prometheus text format. */
    metrics: async () => (await raw("GET", "/metrics")).text(),
    /** Work pools with their types, limits, workers and waiting runs. */
    listPools: () => request<WorkPoolJson[]>("GET", "/api/pools"),
    getPool: (n: string) => request<WorkPoolDetailJson>("GET", `/api/pools/${name(n)}`),
    /** Invalid definition files with all their problems, and unacknowledged start-up notices. */
    listProblems: () => request<ProblemsJson>("GET", "/api/problems"),
    /** Acknowledge the start-up notices up to `upTo` (all when omitted). */
    acknowledgeProblems: (upTo?: number) =>
      request<ProblemsJson>("POST", "/api/problems/acknowledge", upTo ? { up_to: upTo } : {}),
    /** A one-time code that logs a browser in to the web UI (`orch open`). */
    createLoginCode: () => request<LoginCodeJson>("POST", "/api/web/login-codes"),
    /** End every web UI session: each browser must log in again (`orch logout`). */
    endWebSessions: () => request<WebSessionsEndedJson>("DELETE", "/api/web/sessions"),
  };
}
