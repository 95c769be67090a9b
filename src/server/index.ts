export type { Logger, OrchServer, ServerOptions, ServerStopOptions } from "./server-options.ts";
export { startServer } from "./start-server.ts";
