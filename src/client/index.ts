export type {
  AdHocRunRequest,
  BackfillJson,
  BackfillPlanJson,
  DeploymentDetail,
  DeploymentJson,
  DeployReport,
  EventJson,
  EventStreamMessage,
  FileProblemsJson,
  LogLineJson,
  LogStreamMessage,
  NoticeJson,
  ProblemsJson,
  RunDetail,
  RunJson,
  StateJson,
  StateRecorded,
  TaskRunJson,
  WorkerJson,
  WorkPoolDetailJson,
  WorkPoolJson,
} from "../core/index.ts";
export { type Client, createClient } from "./create-client.ts";
export { describeSchedule } from "./describe-schedule.ts";
export { findServer, type ServerTarget } from "./find-server.ts";
export { followServerFile } from "./follow-server.ts";
export { readSse, type SseEvent } from "./read-sse.ts";
export type { ClientOptions } from "./transport.ts";
export { createWorkerClient, type WorkerClient } from "./worker-client.ts";
