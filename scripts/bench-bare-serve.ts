/**
 * The baseline of the API benchmark: a bare Bun.serve answering GET /api/health with the same
 * JSON orch answers, in its own process (as orch's server is). Prints its URL, then serves until
 * killed.
 */
import { hostname } from "node:os";

const body = {
  status: "ok",
  version: "0.0.0",
  pid: process.pid,
  project: process.cwd(),
  host: hostname(),
};
const server = Bun.serve({
  hostname: "127.0.0.1",
  port: 0,
  fetch: () => Response.json(body),
});
console.log(`http://127.0.0.1:${server.port}`);
