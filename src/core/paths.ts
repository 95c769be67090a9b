import { dirname, join, resolve } from "node:path";
import { pathKind } from "./quick-fs.ts";

/** Where a project's files live. */
export interface ProjectPaths {
  /** The project root (`--dir`, default the current directory). */
  root: string;
  /** Watched for definitions. */
  flows: string;
  /** The data dir: `.orch/` in the root, or ORCH_HOME. */
  data: string;
  db: string;
  bundles: string;
  token: string;
  serverFile: string;
  lock: string;
}

/** The paths of the project at `dir`, honouring ORCH_HOME for the data dir. */
export function projectPaths(
  dir = ".",
  env: Record<string, string | undefined> = process.env,
): ProjectPaths {
  const root = resolve(dir);
  const data = env.ORCH_HOME ? resolve(env.ORCH_HOME) : join(root, ".orch");
  return {
    root,
    flows: join(root, "flows"),
    data,
    db: join(data, "orch.db"),
    bundles: join(data, "bundles"),
    token: join(data, "token"),
    serverFile: join(data, "server.json"),
    lock: join(data, "server.lock"),
  };
}

/**
 * The project a command works on: `dir` when given; else the nearest folder, from the current
 * one up, that has `flows/` or `.orch/` (as git finds its repository); else null.
 */
export function findProjectRoot(dir?: string, from = process.cwd()): string | null {
  if (dir !== undefined) return resolve(dir);
  for (let current = resolve(from); ; current = dirname(current)) {
    if (pathKind(join(current, "flows")) === "folder" || pathKind(join(current, ".orch")) !== null)
      return current;
    if (dirname(current) === current) return null;
  }
}
