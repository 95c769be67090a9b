import { type Dirent, readdirSync } from "node:fs";
import { basename, isAbsolute, join, relative, sep } from "node:path";

const SKIPPED = new Set(["node_modules", ".git", ".orch"]);

/** Whether definitions are looked for in a directory: not node_modules, .git, .orch or hidden. */
function isSearched(dirName: string): boolean {
  return !SKIPPED.has(dirName) && !dirName.startsWith(".");
}

/** Whether a path names a definition file: *.yaml or *.yml, not an editor's lock file. */
export function isDefinitionFile(path: string): boolean {
  return /\.ya?ml$/.test(path) && !basename(path).startsWith(".#");
}

/**
 * Whether `abs` is where a definition file of `dir` may be: the same rule as
 * findDefinitionFiles, for paths the watcher reports.
 */
export function isDefinitionPath(dir: string, abs: string): boolean {
  const rel = relative(dir, abs);
  if (!rel || rel === ".." || rel.startsWith(`..${sep}`) || isAbsolute(rel)) return false;
  const parts = rel.split(sep);
  return parts.slice(0, -1).every(isSearched) && isDefinitionFile(parts.at(-1)!);
}

/**
 * Every entry named like a definition file under `dir`, recursively, whatever its type
 * (absolute paths, sorted): links and special files too, for readDefinitionFile to decide with
 * a warning, as at watch time. Directories are walked, links to directories are not (the
 * watcher does not follow them either); a directory that cannot be read goes to `onUnreadable`.
 */
export function findDefinitionFiles(
  dir: string,
  onUnreadable: (dir: string, code: string) => void = () => {},
): string[] {
  const found: string[] = [];
  const walk = (current: string) => {
    let entries: Dirent[] = [];
    try {
      entries = readdirSync(current, { withFileTypes: true });
    } catch (error) {
      const code = (error as { code?: string }).code ?? "error";
      // A folder removed meanwhile (or no flows/ yet) holds nothing; any other is said.
      if (code !== "ENOENT") onUnreadable(current, code);
      return;
    }
    for (const entry of entries) {
      if (entry.isDirectory()) {
        if (isSearched(entry.name)) walk(join(current, entry.name));
      } else if (isDefinitionFile(entry.name)) {
        found.push(join(current, entry.name));
      }
    }
  };
  walk(dir);
  return found.sort();
}
