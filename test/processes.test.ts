import { expect, test } from "vitest";
import { createMarker } from "./processes.ts";
import { eventually } from "./worker/helpers.ts";

test("a marker finds the processes that carry it, and their children, and nothing else", async () => {
  const mine = createMarker("mine");
  const other = createMarker("other");
  // The same command line in both: only the environment tells them apart.
  const command = ["sh", "-c", "sleep 60 & wait"];
  const marked = Bun.spawn(command, { env: { ...process.env, ...mine.env } });
  const unmarked = Bun.spawn(command, { env: { ...process.env, ...other.env } });
  try {
    // sh starts its sleep after it starts itself: wait for both.
    await eventually(() => mine.pids().length === 2, 10_000, "the shell and its sleep");
    expect(mine.pids()).toContain(marked.pid);
    expect(mine.pids()).toHaveLength(2);
    expect(mine.pids()).not.toContain(unmarked.pid);

    mine.kill();
    await marked.exited;
    await eventually(() => mine.pids().length === 0, 10_000, "the marked processes to go");
    expect(other.pids()).toContain(unmarked.pid);
  } finally {
    mine.kill();
    other.kill();
  }
});
