export {
  type Client,
  type ClientOptions,
  createClient,
  type DeploymentDetail,
  type LogLineJson,
  type RunDetail,
  type RunJson,
} from "./create-client.ts";
export { findServer, type ServerTarget } from "./find-server.ts";
export { readSse, type SseEvent } from "./read-sse.ts";
