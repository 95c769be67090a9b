export {
  type Client,
  type ClientOptions,
  createClient,
  type DeploymentDetail,
  type RunDetail,
} from "./create-client.ts";
export { findServer, type ServerTarget } from "./find-server.ts";
