import type { ProjectPaths } from "../core/paths.ts";
import { readServerFile } from "../core/server-file.ts";
import { alive, sameServer } from "./find-server.ts";

/**
 * A fetch for a long-lived client (a worker) whose `url` is the server of the project at
 * `paths` on this machine: when that server cannot be reached, it reads the project's
 * `.orch/server.json` again and, if orch came back at another address (`orch up --port 0`),
 * sends there from then on, telling `onMove`. Null when `url` is not that project's server
 * (another machine's, or no server.json here): then a restart on a new port cannot be followed.
 */
export function followServerFile(
  paths: ProjectPaths,
  url: string,
  onMove: (url: string) => void,
  send: (req: Request) => Promise<Response> = (req) => fetch(req),
): ((req: Request) => Promise<Response>) | null {
  const info = readServerFile(paths.serverFile);
  if (!info || !sameServer(info.url, url)) return null;
  const given = new URL(url).origin;
  let current = given;
  const to = (req: Request) =>
    current === given ? req : new Request(current + req.url.slice(given.length), req);
  return async (req) => {
    const again = req.clone();
    try {
      return await send(to(req));
    } catch (error) {
      const now = readServerFile(paths.serverFile);
      if (!now || !alive(now.pid) || sameServer(now.url, current)) throw error;
      current = new URL(now.url).origin;
      onMove(current);
      return send(to(again));
    }
  };
}
