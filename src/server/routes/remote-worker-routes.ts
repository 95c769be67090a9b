import {
  BUNDLE_MANIFEST,
  type BundleManifestJson,
  CLAIM_REQUEST,
  CLAIM_RESPONSE,
  type ClaimRequestJson,
  CONTENT_HASH,
  HEARTBEAT_REQUEST,
  HEARTBEAT_RESPONSE,
  type HeartbeatResponse,
  LOG_BATCH,
  LOGS_STORED,
  type LogBatchJson,
  OFFLINE_REQUEST,
  OrchError,
  type ProjectPaths,
  START_ANSWER,
  START_REQUEST,
  STATE_RECORDED,
  STATE_REPORT,
  type StartAnswer,
  type StartRequestJson,
  type StateRecorded,
  type StateReportJson,
  WORKER_OFFLINE,
  WORKER_REGISTERED,
  WORKER_REGISTRATION,
  type WorkerOffline,
  type WorkerRegistered,
  type WorkerRegistration,
} from "../../core/index.ts";
import { objectPath } from "../../definitions/index.ts";
import {
  allowRunStart,
  appendNumberedLogs,
  getBundle,
  getRun,
  getWorker,
  heartbeatWorker,
  listActiveRuns,
  type RunRow,
  registerWorker,
  runToJson,
  type Store,
  transitionRun,
  type WorkerRow,
} from "../../store/index.ts";
import { fromStateReport, loseWorker } from "../../worker/index.ts";
import { json } from "../http.ts";
import type { Route, RouteContext } from "../router.ts";
import { lookForWork, type ValueSource } from "./look-for-work.ts";
import { waitForWork } from "./wait-for-work.ts";

/** What the worker protocol serves from. */
export interface RemoteWorkerRoutesDeps {
  store: Store;
  paths: ProjectPaths;
  /** Workers silent this long are marked offline and their runs CRASHED. Default 30 s. */
  staleAfterMs?: number;
  /** The server's own worker's id (null until it starts); the offline route refuses it. */
  ownWorkerId?: () => string | null;
  /** The secrets and variables a run's version names, sent with its job. */
  values?: ValueSource;
}

/**
 * The worker protocol: what a remote worker (and `orch flow run`) calls to register, heartbeat,
 * claim runs with a long poll, report states and logs, and download bundles. Every POST needs
 * the token (auth.ts); bundle downloads follow the API's read rule.
 */
export function remoteWorkerRoutes({
  store,
  paths,
  staleAfterMs = 30_000,
  ownWorkerId = () => null,
  values,
}: RemoteWorkerRoutesDeps): Route[] {
  /** The worker, online; throws E_NOT_FOUND (unknown) or E_CONFLICT (marked offline). */
  const liveWorker = (id: string): WorkerRow => {
    const worker = getWorker(store, id);
    if (!worker) {
      throw new OrchError("E_NOT_FOUND", `no worker ${id}; register with POST /api/workers`);
    }
    if (worker.status !== "online") {
      throw new OrchError(
        "E_CONFLICT",
        `worker ${worker.name} (${id}) is offline: it stopped, or was silent for longer than ${staleAfterMs / 1000} s and its runs were ended; register again`,
      );
    }
    return worker;
  };

  /** A run the worker holds; throws E_NOT_FOUND or E_CONFLICT (another worker's run). */
  const heldRun = (workerId: string, runId: string): RunRow => {
    if (!getWorker(store, workerId)) throw new OrchError("E_NOT_FOUND", `no worker ${workerId}`);
    // A worker that reports is alive.
    heartbeatWorker(store, workerId);
    const run = getRun(store, runId);
    if (!run) throw new OrchError("E_NOT_FOUND", `no flow run ${runId}`);
    if (run.worker_id !== workerId) {
      throw new OrchError(
        "E_CONFLICT",
        `run ${runId} is not held by worker ${workerId} (${run.worker_id ? `worker ${run.worker_id} holds it` : "no worker holds it"}); nothing was recorded`,
      );
    }
    return run;
  };

  return [
    {
      method: "POST",
      path: "/api/workers",
      summary: "Register a worker: {name, pool, host, concurrency, pid} -> its id",
      operationId: "registerWorker",
      body: WORKER_REGISTRATION,
      response: {
        status: 201,
        description: "The worker's id and heartbeat period",
        schema: WORKER_REGISTERED,
      },
      handler: (_req, { body }: RouteContext<WorkerRegistration>) => {
        const id = crypto.randomUUID();
        registerWorker(store, {
          id,
          name: body.name,
          pool: body.pool,
          host: body.host,
          pid: body.pid ?? null,
          concurrency: body.concurrency,
        });
        const registered: WorkerRegistered = {
          id,
          name: body.name,
          pool: body.pool,
          heartbeat_ms: Math.max(100, Math.floor(staleAfterMs / 3)),
          stale_after_ms: staleAfterMs,
        };
        return json(registered, 201);
      },
    },
    {
      method: "POST",
      path: "/api/workers/:id/heartbeat",
      summary: "A worker is alive; the answer lists its runs being cancelled",
      operationId: "heartbeatWorker",
      body: HEARTBEAT_REQUEST,
      response: { description: "{cancel: run ids}", schema: HEARTBEAT_RESPONSE },
      handler: (_req, { params: { id } }) =>
        store.tx(() => {
          liveWorker(id!);
          heartbeatWorker(store, id!);
          const cancel = listActiveRuns(store, { workerId: id! })
            .filter((r) => r.state_type === "CANCELLING")
            .map((r) => r.id);
          const answer: HeartbeatResponse = { cancel };
          return json(answer);
        }),
    },
    {
      method: "POST",
      path: "/api/workers/:id/claim",
      summary:
        "Claim runs for a worker: {limit, wait_ms, held, cancelling}; waits (long poll) until work or a cancel appears",
      operationId: "claimRuns",
      body: CLAIM_REQUEST,
      response: { description: "{jobs, cancel}", schema: CLAIM_RESPONSE },
      handler: (req, { params: { id }, body }: RouteContext<ClaimRequestJson>) => {
        const look = (byWorker = false) =>
          lookForWork(store, () => liveWorker(id!), body, byWorker, values);
        const first = look(true);
        const wait = body.wait_ms ?? 0;
        if (first.response.jobs.length || first.response.cancel.length || wait === 0) {
          return json(first.response);
        }
        return waitForWork(store, req.signal, wait, first, () => look()).then((answer) =>
          json(answer),
        );
      },
    },
    {
      method: "POST",
      path: "/api/workers/:id/runs/:run/start",
      summary:
        "A worker asks to start a run's process: {attempt}; once let, orch never gives the run to another worker",
      operationId: "startRun",
      body: START_REQUEST,
      response: {
        description: "{start, reason, run}: whether it may start the process now",
        schema: START_ANSWER,
      },
      handler: (_req, { params: { id, run: runId }, body }: RouteContext<StartRequestJson>) =>
        store.tx(() => {
          // A worker counted lost has had its runs ended or given to others: it starts nothing.
          liveWorker(id!);
          const run = heldRun(id!, runId!);
          const next = run.attempt + 1;
          const reason =
            run.state_type !== "PENDING"
              ? `the run is ${run.state_type} (${run.state_message || run.state_name})`
              : body.attempt !== next
                ? `attempt ${body.attempt} is not the run's next one (${next})`
                : null;
          if (reason === null) allowRunStart(store, run);
          const answer: StartAnswer = {
            start: reason === null,
            ...(reason !== null ? { reason } : {}),
            run: runToJson(run),
          };
          return json(answer);
        }),
    },
    {
      method: "POST",
      path: "/api/workers/:id/runs/:run/state",
      summary:
        "A worker proposes a state for a run it holds: {type, name, message, exit_code, signal, pid, pid_started}",
      operationId: "reportRunState",
      body: STATE_REPORT,
      response: {
        description: "{run, changed, replaced}: the run as recorded",
        schema: STATE_RECORDED,
      },
      handler: (_req, { params: { id, run: runId }, body }: RouteContext<StateReportJson>) =>
        store.tx(() => {
          const run = heldRun(id!, runId!);
          // Back after orch counted it as lost: what it reports is the truth orch guessed at.
          const by = getWorker(store, id!)?.status === "offline" ? "lost-worker" : "system";
          const [state, outcome] = fromStateReport(body);
          const result = transitionRun(store, run.id, state, outcome, by);
          const recorded: StateRecorded = {
            run: runToJson(result.run),
            changed: result.changed,
            ...(result.replaced ? { replaced: result.replaced } : {}),
            ...(result.ignored ? { ignored: result.ignored } : {}),
          };
          return json(recorded);
        }),
    },
    {
      method: "POST",
      path: "/api/workers/:id/runs/:run/logs",
      summary:
        "Append an attempt's log lines, numbered from `first`: {attempt, first, lines}; lines already stored are skipped",
      operationId: "appendRunLogs",
      body: LOG_BATCH,
      response: {
        description: "{stored, last}: lines stored now, the attempt's last line number",
        schema: LOGS_STORED,
      },
      handler: (_req, { params: { id, run: runId }, body }: RouteContext<LogBatchJson>) =>
        store.tx(() => {
          const run = heldRun(id!, runId!);
          return json(appendNumberedLogs(store, run.seq, body.attempt, body.first, body.lines));
        }),
    },
    {
      method: "POST",
      path: "/api/workers/:id/offline",
      summary:
        "A worker stops: it goes offline; runs it still held are CRASHED (PENDING ones go back to the queue)",
      operationId: "markWorkerOffline",
      body: OFFLINE_REQUEST,
      response: { description: "{id, status, crashed: run ids}", schema: WORKER_OFFLINE },
      handler: (_req, { params: { id } }) =>
        store.tx(() => {
          const worker = getWorker(store, id!);
          if (!worker) throw new OrchError("E_NOT_FOUND", `no worker ${id}`);
          // The server's own worker lives as long as the server: marked offline, it would keep
          // running its processes while their runs were crashed and cancels skipped it.
          if (worker.id === ownWorkerId()) {
            throw new OrchError(
              "E_CONFLICT",
              `worker ${worker.name} (${id}) is orch up's own worker and is online while the server runs; to stop it, stop orch up`,
            );
          }
          // A stopping worker gives back what it never started; what it still holds now it never
          // got (an answer lost as it stopped): loseWorker requeues those.
          const crashed = loseWorker(
            store,
            worker.id,
            (run) =>
              `worker ${worker.name} on ${worker.host} stopped while this run was ${run.state_type}`,
          );
          const offline: WorkerOffline = {
            id: worker.id,
            status: "offline",
            crashed: crashed.filter((r) => r.state_type === "CRASHED").map((r) => r.id),
          };
          return json(offline);
        }),
    },
    {
      method: "GET",
      path: "/api/bundles/:hash",
      summary: "A bundle's manifest: its files' paths, content hashes, sizes and modes",
      operationId: "getBundle",
      response: { description: "{hash, files, size}", schema: BUNDLE_MANIFEST },
      handler: (_req, { params: { hash } }) => json(manifest(store, hash!)),
    },
    {
      method: "GET",
      path: "/api/bundles/:hash/objects/:object",
      summary: "One file of a bundle, by its content hash",
      operationId: "getBundleObject",
      response: { description: "The file's bytes", bytes: true },
      handler: async (_req, { params: { hash, object } }) => {
        const bundle = manifest(store, hash!);
        if (!CONTENT_HASH.test(object!)) {
          throw new OrchError(
            "E_BAD_INPUT",
            `${JSON.stringify(object)} is not an object hash (64 lower-case hex digits)`,
          );
        }
        if (!bundle.files.some((f) => f.hash === object)) {
          throw new OrchError("E_NOT_FOUND", `bundle ${hash} has no file with hash ${object}`);
        }
        const file = Bun.file(objectPath(paths.bundles, object!));
        if (!(await file.exists())) {
          throw new OrchError(
            "E_NOT_FOUND",
            `object ${object} of bundle ${hash} is missing from ${paths.bundles}; run orch deploy to store it again`,
          );
        }
        return new Response(file, {
          headers: { "content-type": "application/octet-stream" },
        });
      },
    },
  ];
}

function manifest(store: Store, hash: string): BundleManifestJson {
  if (!CONTENT_HASH.test(hash)) {
    throw new OrchError(
      "E_BAD_INPUT",
      `${JSON.stringify(hash)} is not a bundle hash (64 lower-case hex digits)`,
    );
  }
  const bundle = getBundle(store, hash);
  if (!bundle) throw new OrchError("E_NOT_FOUND", `no bundle ${hash}`);
  return bundle;
}
