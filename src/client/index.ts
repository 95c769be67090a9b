export type { DeploymentJson, EventJson, StateJson } from "../store/index.ts";
export {
  type Client,
  type ClientOptions,
  createClient,
  type DeploymentDetail,
  type LogLineJson,
  type RunDetail,
  type RunJson,
  type WorkerJson,
} from "./create-client.ts";
export { describeSchedule } from "./describe-schedule.ts";
export { findServer, type ServerTarget } from "./find-server.ts";
export { readSse, type SseEvent } from "./read-sse.ts";
export {
  type AdHocRunRequest,
  createWorkerClient,
  type StateRecorded,
  type WorkerClient,
} from "./worker-client.ts";
