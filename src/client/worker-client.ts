import type {
  AdHocRetriesRequest,
  AdHocRunRequest,
  BundleManifestJson,
  ClaimRequestJson,
  ClaimResponseJson,
  HeartbeatResponse,
  LogBatchJson,
  LogsStored,
  RunDetail,
  RunJson,
  RunValuesJson,
  RunValuesRequest,
  StartAnswer,
  StartRequestJson,
  StateRecorded,
  StateReportJson,
  WorkerOffline,
  WorkerRegistered,
  WorkerRegistration,
} from "../core/index.ts";
import type { Client } from "./create-client.ts";

/** The worker protocol's calls, over the one typed client. */
export type WorkerClient = ReturnType<typeof createWorkerClient>;

/** The worker protocol (register, heartbeat, claim, report, bundles) on top of `client`. */
export function createWorkerClient(client: Client) {
  const at = (id: string) => `/api/workers/${encodeURIComponent(id)}`;
  const runAt = (id: string, runId: string) => `${at(id)}/runs/${encodeURIComponent(runId)}`;
  return {
    url: client.url,
    register: (body: WorkerRegistration) =>
      client.request<WorkerRegistered>("POST", "/api/workers", body),
    heartbeat: (id: string) => client.request<HeartbeatResponse>("POST", `${at(id)}/heartbeat`, {}),
    /** Claim runs; the answer waits up to `wait_ms` for work. `signal` abandons it. */
    claim: async (id: string, body: ClaimRequestJson, signal?: AbortSignal) => {
      const res = await client.raw("POST", `${at(id)}/claim`, body, signal);
      return (await res.json()) as ClaimResponseJson;
    },
    /** Ask to start a run's process; refused (E_CONFLICT) when the run is no longer the worker's. */
    startRun: (id: string, runId: string, body: StartRequestJson) =>
      client.request<StartAnswer>("POST", `${runAt(id, runId)}/start`, body),
    reportState: (id: string, runId: string, body: StateReportJson) =>
      client.request<StateRecorded>("POST", `${runAt(id, runId)}/state`, body),
    appendLogs: (id: string, runId: string, batch: LogBatchJson) =>
      client.request<LogsStored>("POST", `${runAt(id, runId)}/logs`, batch),
    offline: (id: string) => client.request<WorkerOffline>("POST", `${at(id)}/offline`, {}),
    createAdHocRun: (body: AdHocRunRequest) => client.request<RunJson>("POST", "/api/runs", body),
    /** The values of the secrets and variables an ad-hoc run this worker holds names. */
    adHocRunValues: (id: string, runId: string, names: RunValuesRequest) =>
      client.request<RunValuesJson>("POST", `${runAt(id, runId)}/values`, names),
    /** A run as the API shows it, with its state history. */
    getRun: (runId: string) =>
      client.request<RunDetail>("GET", `/api/runs/${encodeURIComponent(runId)}`),
    /** Take an ad-hoc run awaiting its retry back for its next attempt (or see how it ended). */
    retakeAdHocRun: (id: string, runId: string) =>
      client.request<RunJson>("POST", `${runAt(id, runId)}/retake`, {}),
    /** Set an ad-hoc run's retries as its flow declares them (its first attempt reports them). */
    setAdHocRetries: (id: string, runId: string, body: AdHocRetriesRequest) =>
      client.request<RunJson>("POST", `${runAt(id, runId)}/retries`, body),
    getBundle: (hash: string) =>
      client.request<BundleManifestJson>("GET", `/api/bundles/${encodeURIComponent(hash)}`),
    getObject: async (hash: string, object: string) => {
      const res = await client.raw(
        "GET",
        `/api/bundles/${encodeURIComponent(hash)}/objects/${encodeURIComponent(object)}`,
      );
      return new Uint8Array(await res.arrayBuffer());
    },
  };
}
