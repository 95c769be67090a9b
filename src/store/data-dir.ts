import { randomBytes } from "node:crypto";
import { chmodSync, existsSync, mkdirSync, readFileSync, writeFileSync } from "node:fs";
import { keepOutOfGit, type ProjectPaths } from "../core/index.ts";

/**
 * Create the data dir (mode 0700) and its bundles folder if missing; tighten its mode if not.
 * It holds the API token, the secrets key and the store, so it keeps itself out of git with a
 * `.gitignore` of `*` inside: a project not made by `orch init` (or an ORCH_HOME inside a
 * repository) is covered without touching the user's own .gitignore.
 */
export function ensureDataDir(paths: ProjectPaths): void {
  keepOutOfGit(paths.data, "orch's data dir: the API token, the secrets key, the store");
  chmodSync(paths.data, 0o700);
  mkdirSync(paths.bundles, { recursive: true, mode: 0o700 });
}

/** The API token: read from the token file, made (mode 0600) on first use. */
export function ensureToken(paths: ProjectPaths): string {
  if (existsSync(paths.token)) {
    const token = readFileSync(paths.token, "utf8").trim();
    if (token) return token;
  }
  const token = randomBytes(32).toString("hex");
  writeFileSync(paths.token, `${token}\n`, { mode: 0o600, flag: "w" });
  chmodSync(paths.token, 0o600);
  return token;
}
