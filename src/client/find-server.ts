import { OrchError } from "../core/errors.ts";
import type { ProjectPaths } from "../core/paths.ts";
import { isZombie, readSmallFile } from "../core/quick-fs.ts";
import { readServerFile } from "../core/server-file.ts";

/** Where a command reaches orch: an explicit URL, or the project's running server. */
export interface ServerTarget {
  url: string;
  token?: string;
  /** Where the URL came from, for messages. */
  from: "--api" | "ORCH_API_URL" | "server.json";
  /**
   * Where the token came from (`--token`, `ORCH_API_TOKEN`, `.orch/token`; null: nowhere), so a
   * refused token is said in the words of the one who gave it.
   */
  tokenFrom: string | null;
}

/** Whether a process runs (a killed server its parent has not reaped yet is a zombie: gone). */
export function alive(pid: number): boolean {
  try {
    process.kill(pid, 0);
  } catch (error) {
    return (error as { code?: string }).code === "EPERM";
  }
  return !isZombie(pid);
}

const LOOPBACK = new Set(["localhost", "127.0.0.1", "[::1]"]);

/** Whether two URLs name one server (loopback names are one host; a trailing slash is nothing). */
export function sameServer(a: string, b: string): boolean {
  try {
    const [x, y] = [new URL(a), new URL(b)];
    const host = (u: URL) => (LOOPBACK.has(u.hostname) ? "loopback" : u.hostname);
    return x.protocol === y.protocol && x.port === y.port && host(x) === host(y);
  } catch {
    return false;
  }
}

/**
 * Find the server: `--api`, then ORCH_API_URL, then `.orch/server.json` of the project (when
 * its process is alive). The token comes from `--token`, ORCH_API_TOKEN, or `.orch/token` when
 * the URL is the project's own server.
 */
export function findServer(
  paths: ProjectPaths,
  flags: { api?: string; token?: string; tokenFrom?: string } = {},
  env: Record<string, string | undefined> = process.env,
): ServerTarget | null {
  const info = readServerFile(paths.serverFile);
  const given =
    flags.token !== undefined
      ? { token: flags.token, tokenFrom: flags.tokenFrom ?? "--token" }
      : env.ORCH_API_TOKEN
        ? { token: env.ORCH_API_TOKEN, tokenFrom: "ORCH_API_TOKEN" }
        : undefined;
  // The project's token goes only to the project's own server, never to another URL.
  const withToken = (url: string) => {
    if (given) return given;
    const local =
      info && sameServer(info.url, url)
        ? readSmallFile(paths.token)?.trim() || undefined
        : undefined;
    return local ? { token: local, tokenFrom: ".orch/token" } : { tokenFrom: null };
  };
  if (flags.api !== undefined) checkApiUrl(flags.api, "--api");
  else if (env.ORCH_API_URL) checkApiUrl(env.ORCH_API_URL, "ORCH_API_URL");
  if (flags.api) return { url: flags.api, ...withToken(flags.api), from: "--api" };
  if (env.ORCH_API_URL) {
    return { url: env.ORCH_API_URL, ...withToken(env.ORCH_API_URL), from: "ORCH_API_URL" };
  }
  if (info && alive(info.pid))
    return { url: info.url, ...withToken(info.url), from: "server.json" };
  return null;
}

/**
 * An API URL a user gave must be an http(s) URL: anything else is bad input (exit 2), not a
 * server that cannot be reached yet (a worker would wait for it forever).
 */
export function checkApiUrl(url: string, from: "--api" | "ORCH_API_URL"): void {
  let parsed: URL | null = null;
  try {
    parsed = new URL(url);
  } catch {
    // Reported below.
  }
  if (!parsed || (parsed.protocol !== "http:" && parsed.protocol !== "https:") || !parsed.host) {
    throw new OrchError(
      "E_BAD_INPUT",
      `${from} must be an http(s) URL like http://127.0.0.1:8080, not ${JSON.stringify(url)}`,
    );
  }
}
