import { readdirSync, readFileSync } from "node:fs";
import { afterEach, beforeEach, describe, expect, test } from "vitest";
import { createMarker } from "../processes.ts";
import { createLab, eventually, type Lab } from "./helpers.ts";

let lab: Lab;
beforeEach(() => {
  lab = createLab();
});
afterEach(async () => {
  await lab.cleanup();
});

/** The thread of this process whose children include `child`, or null. */
function parentThread(child: number): number | null {
  for (const task of readdirSync(`/proc/${process.pid}/task`)) {
    const children = readFileSync(`/proc/${process.pid}/task/${task}/children`, "latin1");
    if (children.split(" ").includes(String(child))) return Number(task);
  }
  return null;
}

describe.each([true, false])("with spawnThread %s", (spawnThread) => {
  test("a run beside a running one starts on the spawning thread when there is one, its output, end and cancel followed", async () => {
    const first = createMarker("thread-first");
    const second = createMarker("thread-second");
    try {
      const sleeper = lab.deploy({ name: "sleeper", command: ["sleep", "300"], env: first.env });
      const talker = lab.deploy({
        name: "talker",
        command: ["sh", "-c", "echo out; echo err >&2; exec sleep 300"],
        env: second.env,
      });
      const worker = await lab.startWorker({ spawnThread });
      const a = lab.trigger(sleeper);
      const [alone] = await first.appeared();
      const b = lab.trigger(talker);
      const [beside] = await second.appeared();
      // A run alone starts on the worker's own thread; one beside it, on the spawning thread.
      const own = parentThread(alone!);
      expect(own).not.toBeNull();
      if (spawnThread) expect(parentThread(beside!)).not.toBe(own);
      else expect(parentThread(beside!)).toBe(own);
      await lab.waitFor(b.id, "RUNNING");
      await eventually(() => lab.logs(b).length === 2, 5000, "its two lines");
      for (const run of [a, b]) worker.cancel(run.id);
      await lab.waitFor(b.id, "CANCELLED");
      expect(lab.logs(b).sort()).toEqual(["err", "out"]);
      await lab.waitFor(a.id, "CANCELLED");
      expect(first.pids()).toEqual([]);
      expect(second.pids()).toEqual([]);
    } finally {
      first.kill();
      second.kill();
    }
  });
});
