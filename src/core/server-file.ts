import { readSmallFile } from "./quick-fs.ts";

/** What `.orch/server.json` holds: where the running server listens. */
export interface ServerFile {
  url: string;
  pid: number;
  started_at: string;
  version: string;
}

/** Read server.json, or null when absent or unreadable. */
export function readServerFile(path: string): ServerFile | null {
  const text = readSmallFile(path);
  if (text === null) return null;
  try {
    const value = JSON.parse(text);
    return typeof value?.url === "string" ? (value as ServerFile) : null;
  } catch {
    return null;
  }
}
