import { readdirSync, rmSync, statSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { isAlive } from "../worker/index.ts";

/** The private folders of API sockets: `orch-api-<pid of the server>-<random>`. */
const SOCKET_FOLDER = /^orch-api-(\d+)-/;

/**
 * Remove the socket folders of servers of this user that are gone (killed, so they could not
 * remove their own); a folder whose pid is alive, or another user's, is left alone.
 */
export function removeStaleSocketFolders(dir = tmpdir()): number {
  let removed = 0;
  let names: string[];
  try {
    names = readdirSync(dir);
  } catch {
    return removed;
  }
  const uid = process.getuid?.();
  for (const name of names) {
    const pid = Number(SOCKET_FOLDER.exec(name)?.[1]);
    if (!pid || pid === process.pid || isAlive(pid)) continue;
    const path = join(dir, name);
    try {
      if (uid !== undefined && statSync(path).uid !== uid) continue;
      rmSync(path, { recursive: true, force: true });
      removed++;
    } catch {
      // Gone meanwhile, or not ours to remove: nothing to do.
    }
  }
  return removed;
}
