/**
 * An API answered in this process, served on a loopback port for a child process of ours (a flow
 * run while no server runs): a fresh token that only that child is given, and nothing else
 * answered.
 */
import { randomUUID, timingSafeEqual } from "node:crypto";

/** Where the child reaches the API, and how to stop serving it. */
export interface LoopbackApi {
  url: string;
  token: string;
  stop(): Promise<void>;
}

/** Serve `fetch` on 127.0.0.1 at a free port, to requests bearing the returned token only. */
export function serveOnLoopback(fetch: (req: Request) => Promise<Response>): LoopbackApi {
  const token = randomUUID();
  const expected = Buffer.from(`Bearer ${token}`);
  const bears = (req: Request) => {
    const given = Buffer.from(req.headers.get("authorization") ?? "");
    return given.length === expected.length && timingSafeEqual(given, expected);
  };
  const server = Bun.serve({
    hostname: "127.0.0.1",
    port: 0,
    fetch: (req) =>
      bears(req)
        ? fetch(req)
        : Response.json(
            { error: { message: "this API answers the process it was started for only" } },
            { status: 401 },
          ),
  });
  return {
    url: `http://127.0.0.1:${server.port}`,
    token,
    stop: () => server.stop(true),
  };
}
