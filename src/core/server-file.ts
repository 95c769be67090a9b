import { existsSync, readFileSync, renameSync, rmSync, writeFileSync } from "node:fs";

/** What `.orch/server.json` holds: where the running server listens. */
export interface ServerFile {
  url: string;
  pid: number;
  started_at: string;
  version: string;
}

/** Write server.json atomically (a temp file renamed over it), mode 0600. */
export function writeServerFile(path: string, info: ServerFile): void {
  const tmp = `${path}.${process.pid}.tmp`;
  writeFileSync(tmp, `${JSON.stringify(info, null, 2)}\n`, { mode: 0o600 });
  renameSync(tmp, path);
}

/** Read server.json, or null when absent or unreadable. */
export function readServerFile(path: string): ServerFile | null {
  if (!existsSync(path)) return null;
  try {
    const value = JSON.parse(readFileSync(path, "utf8"));
    return typeof value?.url === "string" ? (value as ServerFile) : null;
  } catch {
    return null;
  }
}

/** Remove server.json if it is still ours. */
export function removeServerFile(path: string, pid = process.pid): void {
  if (readServerFile(path)?.pid === pid) rmSync(path, { force: true });
}
