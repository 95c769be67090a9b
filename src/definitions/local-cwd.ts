/**
 * An absolute `cwd:` is a folder of the machine that runs the deployment. Where that machine is
 * this one (orch up's own worker runs it as a process: the default pool, or a process pool with
 * `embedded_worker: true`), a folder that is not there is a problem of the definition, found when
 * it is deployed rather than at 02:00 when its run fails. Why nothing is said elsewhere: a pool
 * that only `orch worker` serves runs on machines this one cannot look at, and a docker pool's
 * runs work inside their container, so a folder missing here says nothing of there (a warning
 * each deploy would be one to learn to ignore). A cwd holding a placeholder (`{{ }}`, `$`) names
 * no folder until its run, and is left to it.
 */
import { statSync } from "node:fs";
import { isAbsolute } from "node:path";
import type { Problem, WorkPoolSpec } from "../core/index.ts";
import { getWorkPool, listEmbeddedPools, type Store } from "../store/index.ts";
import type { ParsedDeployment, ParsedFile } from "./parse-definitions.ts";

/** The problem of a deployment's absolute cwd, if it has one (`file`: its definition's path). */
export type CwdCheck = (d: ParsedDeployment, file: string) => Problem | null;

/**
 * A check of absolute cwds for one deploy pass: pools are read from the files as parsed (the
 * first file by path that declares one, as collect-invalid.ts decides), else as stored; each
 * pool and each folder is looked at once.
 */
export function createCwdCheck(parsed: ReadonlyMap<string, ParsedFile>, store: Store): CwdCheck {
  const local = new Map<string, boolean>();
  const folders = new Map<string, "folder" | "file" | "missing">();
  let declared: Map<string, WorkPoolSpec> | undefined;
  let embedded: Set<string> | undefined;

  const runsHere = (pool: string): boolean => {
    let here = local.get(pool);
    if (here !== undefined) return here;
    if (!declared) {
      declared = new Map();
      for (const [, file] of [...parsed].sort(([a], [b]) => (a < b ? -1 : 1))) {
        for (const spec of file.pools) if (!declared.has(spec.name)) declared.set(spec.name, spec);
      }
    }
    const spec = declared.get(pool);
    if (spec) here = spec.type === "process" && (pool === "default" || spec.embedded);
    else {
      embedded ??= new Set(listEmbeddedPools(store).map((p) => p.name));
      const type = getWorkPool(store, pool)?.type ?? "process";
      here = type === "process" && (pool === "default" || embedded.has(pool));
    }
    local.set(pool, here);
    return here;
  };

  const kindOf = (folder: string) => {
    let kind = folders.get(folder);
    if (!kind) {
      try {
        kind = statSync(folder).isDirectory() ? "folder" : "file";
      } catch (error) {
        // A folder this process may not look into is left to the run, which may.
        const code = (error as NodeJS.ErrnoException).code;
        kind = code === "ENOENT" || code === "ENOTDIR" ? "missing" : "folder";
      }
      folders.set(folder, kind);
    }
    return kind;
  };

  return (d, file) => {
    const { cwd, work_pool: pool } = d.spec;
    if (!isAbsolute(cwd) || /\{\{|\$/.test(cwd) || !runsHere(pool)) return null;
    const kind = kindOf(cwd);
    if (kind === "folder") return null;
    const served =
      pool === "default"
        ? "orch up's worker runs the default pool's deployments here, on this machine"
        : `orch up's worker runs pool ${pool} here (embedded_worker: true), on this machine`;
    return {
      where: d.cwdAt ?? `${file}:${d.line}`,
      message:
        kind === "missing"
          ? `cwd: ${JSON.stringify(cwd)} does not exist; ${served}: create the folder (then save this file again, or run orch deploy), or set work_pool: to a pool whose workers have it`
          : `cwd: ${JSON.stringify(cwd)} is a file, not a folder; ${served}: name the folder the command works in`,
    };
  };
}
