import { afterEach, beforeEach, expect, test } from "vitest";
import { isOrchRunEnv } from "../../src/core/index.ts";
import { createLab, type Lab } from "./helpers.ts";

let lab: Lab;
beforeEach(() => {
  lab = createLab();
});
afterEach(async () => {
  await lab.cleanup();
});

test("every ORCH_ variable a run gets is one a definition is told it cannot set", async () => {
  const d = lab.deploy({
    name: "env",
    command: ["sh", "-c", "env | cut -d= -f1 | grep '^ORCH_' | sort"],
    parameters: { day: "monday" },
  });
  await lab.startWorker();
  const run = lab.trigger(d);
  await lab.waitFor(run.id, "COMPLETED");
  const names = lab.logs(run);
  expect(names).toEqual(expect.arrayContaining(["ORCH_RUN_ID", "ORCH_API_URL", "ORCH_PARAM_day"]));
  // (What this test process has itself, ORCH_HOME say, is the environment's, not orch's.)
  expect(names.filter((name) => !isOrchRunEnv(name) && !(name in process.env))).toEqual([]);
});
