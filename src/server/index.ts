export { type Logger, type OrchServer, type ServerOptions, startServer } from "./start-server.ts";
