import { renameSync, rmSync, writeFileSync } from "node:fs";
// Apart from reading it (server-file.ts): only the server writes it, and commands that read it
// do not load node:fs (see quick-fs.ts).
import { readServerFile, type ServerFile } from "./server-file.ts";

/** Write server.json atomically (a temp file renamed over it), mode 0600. */
export function writeServerFile(path: string, info: ServerFile): void {
  const tmp = `${path}.${process.pid}.tmp`;
  writeFileSync(tmp, `${JSON.stringify(info, null, 2)}\n`, { mode: 0o600 });
  renameSync(tmp, path);
}

/** Remove server.json if it is still ours. */
export function removeServerFile(path: string, pid = process.pid): void {
  if (readServerFile(path)?.pid === pid) rmSync(path, { force: true });
}
