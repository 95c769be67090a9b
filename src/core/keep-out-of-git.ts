import { existsSync, mkdirSync, writeFileSync } from "node:fs";
import { join } from "node:path";

/**
 * Make `dir` (mode 0700 when made) and keep it out of git with a `.gitignore` of `*` inside,
 * whose first line says what it holds. Why inside: a folder of orch's in a repository (a data
 * dir, a worker's folder in a checkout) is covered without touching the user's own .gitignore.
 * One already there is left as it is.
 */
export function keepOutOfGit(dir: string, holds: string): void {
  mkdirSync(dir, { recursive: true, mode: 0o700 });
  const ignore = join(dir, ".gitignore");
  if (existsSync(ignore)) return;
  try {
    writeFileSync(ignore, `# ${holds}\n*\n`, { flag: "wx" });
  } catch (error) {
    // Another orch made it first: it is there, as wanted.
    if ((error as NodeJS.ErrnoException).code !== "EEXIST") throw error;
  }
}
