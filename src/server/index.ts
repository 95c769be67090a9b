export {
  type Logger,
  type OrchServer,
  type ServerOptions,
  type ServerStopOptions,
  startServer,
} from "./start-server.ts";
