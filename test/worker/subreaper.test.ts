import { join } from "node:path";
import { expect, test } from "vitest";
import { tempDir } from "../helpers.ts";
import { createMarker } from "../processes.ts";

test("a subreaper stops and reaps a run's daemon that cleared its environment, and leaves its own children alone", async () => {
  const marker = createMarker("subreaper");
  const t = tempDir();
  try {
    const child = Bun.spawn(
      [process.execPath, join(import.meta.dirname, "fixtures/subreaper-child.ts"), marker.value],
      { cwd: t.dir, stdout: "pipe", stderr: "inherit" },
    );
    const [out, code] = await Promise.all([new Response(child.stdout).text(), child.exited]);
    expect(code).toBe(0);
    // The run ended with its daemon killed and collected; the child it started itself kept its
    // own exit status (Bun collected it, not the subreaper).
    expect(JSON.parse(out)).toEqual({ subreaper: true, exitCode: 0, own: 7, zombies: [] });
    expect(marker.pids()).toEqual([]);
  } finally {
    marker.kill();
    t.cleanup();
  }
});
