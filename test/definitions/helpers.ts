import { mkdirSync, writeFileSync } from "node:fs";
import { dirname, join } from "node:path";
import { projectPaths } from "../../src/core/index.ts";
import { ensureDataDir, openStore } from "../../src/store/index.ts";
import { tempDir } from "../helpers.ts";

/** A project in a temp dir, with its store open. */
export function makeProject(files: Record<string, string> = {}) {
  const t = tempDir();
  const paths = projectPaths(t.dir, {});
  ensureDataDir(paths);
  const write = (path: string, content: string) => {
    mkdirSync(dirname(join(t.dir, path)), { recursive: true });
    writeFileSync(join(t.dir, path), content);
  };
  for (const [path, content] of Object.entries(files)) write(path, content);
  const store = openStore(paths.db);
  return {
    root: t.dir,
    paths,
    store,
    write,
    path: (p: string) => join(t.dir, p),
    cleanup() {
      store.close();
      t.cleanup();
    },
  };
}
