import { type Dirent, readdirSync } from "node:fs";
import { join } from "node:path";

const SKIPPED = new Set(["node_modules", ".git", ".orch"]);

/** Whether a path names a definition file. */
export function isDefinitionFile(path: string): boolean {
  return /\.ya?ml$/.test(path);
}

/** Every *.yaml / *.yml under `dir`, recursively (absolute paths, sorted). */
export function findDefinitionFiles(dir: string): string[] {
  const found: string[] = [];
  const walk = (current: string) => {
    let entries: Dirent[] = [];
    try {
      entries = readdirSync(current, { withFileTypes: true });
    } catch {
      return;
    }
    for (const entry of entries) {
      if (entry.isDirectory()) {
        if (!SKIPPED.has(entry.name) && !entry.name.startsWith("."))
          walk(join(current, entry.name));
      } else if (entry.isFile() && isDefinitionFile(entry.name)) {
        found.push(join(current, entry.name));
      }
    }
  };
  walk(dir);
  return found.sort();
}
