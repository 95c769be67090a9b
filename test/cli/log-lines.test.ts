import { join } from "node:path";
import { expect, test } from "vitest";

const ROOT = join(import.meta.dirname, "../..");

/** What a process that logs through the CLI's logger writes to stderr (stdout stays empty). */
function logged(env: Record<string, string> = {}) {
  const script = `
    import { log } from ${JSON.stringify(join(ROOT, "src/cli/output.ts"))};
    log.info("run 0a1b2c3d (etl) RUNNING");
    log.infoLines(["run 0a1b2c3d (etl) COMPLETED", "run 4e5f6a7b (etl) RUNNING"]);
    log.infoLines([]);
    log.warn("careful");
  `;
  const out = Bun.spawnSync([process.execPath, "-e", script], {
    env: { ...process.env, NO_COLOR: "1", ORCH_QUIET: "", ...env },
  });
  return { stdout: out.stdout.toString(), stderr: out.stderr.toString() };
}

test("a server's run lines written together read as lines logged one by one, and are quiet with the rest", () => {
  const loud = logged();
  expect(loud.stdout).toBe("");
  expect(loud.stderr).toBe(
    "run 0a1b2c3d (etl) RUNNING\nrun 0a1b2c3d (etl) COMPLETED\nrun 4e5f6a7b (etl) RUNNING\nwarn careful\n",
  );
  const quiet = logged({ ORCH_QUIET: "1" });
  expect(quiet.stderr).toBe("warn careful\n");
});
