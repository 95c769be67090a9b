import { existsSync, mkdirSync, mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterEach, expect, test } from "vitest";
import { removeStaleSocketFolders } from "../../src/server/socket-folders.ts";

const dirs: string[] = [];
afterEach(() => {
  for (const dir of dirs.splice(0)) rmSync(dir, { recursive: true, force: true });
});

test("a killed server's socket folder is removed at the next start; a live one's is kept", async () => {
  const dir = mkdtempSync(join(tmpdir(), "orch-socket-folders-"));
  dirs.push(dir);
  // A pid that was just used and is gone, and one that is alive (a child of this test).
  const gone = Bun.spawn(["true"]);
  await gone.exited;
  const alive = Bun.spawn(["sleep", "30"]);
  try {
    const dead = join(dir, `orch-api-${gone.pid}-abc`);
    const live = join(dir, `orch-api-${alive.pid}-def`);
    const other = join(dir, "orch-api-notapid");
    for (const folder of [dead, live, other]) mkdirSync(folder);
    expect(removeStaleSocketFolders(dir)).toBe(1);
    expect(existsSync(dead)).toBe(false);
    expect(existsSync(live)).toBe(true);
    expect(existsSync(other)).toBe(true);
  } finally {
    alive.kill("SIGKILL");
  }
});
