import { existsSync, statSync } from "node:fs";
import { homedir } from "node:os";
import { isAbsolute, relative, resolve } from "node:path";
import type { TriggerSpec } from "../core/index.ts";
import { duration, type Item, type Path, type Report } from "./definition-values.ts";

/** How long a file must keep its size and mtime before it counts, when `settle` is left out. */
export const DEFAULT_SETTLE_MS = 2000;

/** A folder as written: `~/x` is in the home folder, a relative one in the definition's folder. */
function folderOf(given: string, base: string): string {
  if (given === "~" || given.startsWith("~/")) return resolve(homedir(), given.slice(2));
  return resolve(base, given);
}

/**
 * A trigger's `files:` (folder, glob, settle, move_to), checked, with its folders made absolute
 * (`base`: the definition's folder) and the watch's id: the folder, glob and done folder, so
 * triggers naming the same ones share one watch and each file is one event for all of them.
 */
export function buildFilesTrigger(
  raw: Item,
  path: Path,
  base: string,
  report: Report,
): NonNullable<TriggerSpec["files"]> | undefined {
  let problems = 0;
  const count: Report = (p, message, key) => {
    problems++;
    report(p, message, key);
  };
  const given = String(raw.folder);
  const folder = folderOf(given, base);
  if (!existsSync(folder) || !statSync(folder).isDirectory()) {
    count(
      [...path, "folder"],
      `${JSON.stringify(given)} does not exist or is not a folder (${folder}); create it: mkdir -p ${folder}`,
    );
  }
  const glob = typeof raw.glob === "string" ? raw.glob : "*";
  if (glob.startsWith("/") || glob.split("/").includes("..")) {
    count(
      [...path, "glob"],
      `${JSON.stringify(glob)} must stay inside the folder (no "/" at the start, no "..")`,
    );
  }
  let moveTo: string | undefined;
  if (typeof raw.move_to === "string") {
    moveTo = folderOf(raw.move_to, base);
    const inside = relative(folder, moveTo);
    const within = !inside.startsWith("..") && !isAbsolute(inside);
    // A done folder the glob reaches would see each moved file arrive again.
    if (within && (inside === "" || glob.includes("/") || glob.includes("**"))) {
      count(
        [...path, "move_to"],
        `${JSON.stringify(raw.move_to)} is inside the watched folder, where ${JSON.stringify(glob)} reaches: moved files would arrive again; use a folder outside it, or a glob without "/" and "**"`,
      );
    }
  }
  if (problems) return undefined;
  const watch = new Bun.CryptoHasher("sha256")
    .update(`${folder}\0${glob}\0${moveTo ?? ""}`)
    .digest("hex")
    .slice(0, 16);
  return {
    folder,
    glob,
    settle_ms: duration(raw.settle) ?? DEFAULT_SETTLE_MS,
    ...(moveTo ? { move_to: moveTo } : {}),
    watch,
  };
}

/**
 * A trigger's `files:` when it has one, or undefined; a trigger needs `on` or `files`, and a
 * `files:` trigger takes no `on` (it fires on `file.arrived`).
 */
export function filesOf(
  trigger: Item,
  path: Path,
  base: string,
  report: Report,
): NonNullable<TriggerSpec["files"]> | undefined {
  if (trigger.files === undefined) {
    if (trigger.on === undefined)
      report(path, 'needs "on" (an event name) or "files" (a folder to watch)');
    return undefined;
  }
  if (trigger.on !== undefined) {
    report(
      [...path, "on"],
      "a files: trigger fires on file.arrived by itself; leave out on (match on the file with match:)",
    );
  }
  const files = trigger.files;
  if (typeof files !== "object" || files === null || typeof (files as Item).folder !== "string")
    return undefined; // reported by the schema
  return buildFilesTrigger(files as Item, [...path, "files"], base, report);
}
