import { readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { afterAll, beforeAll, expect, test } from "vitest";
import { type Client, createClient, type RunJson } from "../../src/client/index.ts";
import { orch, spawnOrch, tempDir } from "../helpers.ts";
import { createMarker } from "../processes.ts";

// A remote worker's reports name their attempt: a paused run resumed while its first process is
// still ending runs its next attempt on the same worker, and the first process's end neither
// pauses the run again nor takes the next attempt out of the worker's hands.
const lingering = createMarker("lingering");

let project: { dir: string; cleanup: () => void };
let elsewhere: { dir: string; cleanup: () => void };
let up: ReturnType<typeof spawnOrch>;
let worker: ReturnType<typeof spawnOrch>;
let client: Client;
let gate: string;

/** PATH without any folder that holds a bun: flows run through orch itself. */
const PATH = (process.env.PATH ?? "")
  .split(":")
  .filter((dir) => dir && !Bun.spawnSync(["test", "-x", join(dir, "bun")]).success)
  .join(":");

beforeAll(async () => {
  project = tempDir("orch-project-");
  elsewhere = tempDir("orch-elsewhere-");
  gate = join(project.dir, "first-may-end");
  await Bun.write(
    join(project.dir, "flows/lingering.yaml"),
    `deployments:
  - name: lingering
    flow: ./lingering.ts
    env: { ORCH_TEST_MARKER: "${lingering.value}", GATE: "${gate}" }
`,
  );
  // Its first process ends only once the test lets it (after the next attempt started); the
  // next attempt runs until it is cancelled.
  await Bun.write(
    join(project.dir, "flows/lingering.ts"),
    `import { existsSync } from "node:fs";
import { flow, pause } from "orch";
process.on("exit", () => {
  if (!process.env.ORCH_RUN_ID) return;
  const end = Date.now() + 60_000;
  while (!existsSync(process.env.GATE!) && Date.now() < end) Bun.sleepSync(20);
}, 90_000);
export default flow("lingering", async () => {
  const { ok } = await pause<{ ok: boolean }>({ input: { type: "object", properties: { ok: { type: "boolean" } } } });
  console.log("resumed with", ok);
  await new Promise((resolve) => setTimeout(resolve, 600_000));
}, 90_000);
`,
  );
  up = spawnOrch(["up", "--headless", "--port", "0", "--no-worker", "--dir", project.dir], {
    env: { PATH },
  });
  await up.waitFor("orch is up at", 15_000);
  const url = JSON.parse(readFileSync(join(project.dir, ".orch/server.json"), "utf8")).url;
  const token = readFileSync(join(project.dir, ".orch/token"), "utf8").trim();
  client = createClient({ url, token });
  worker = spawnOrch(["worker", "--pool", "default", "--api", url, "--name", "attempts"], {
    cwd: elsewhere.dir,
    env: { ORCH_API_TOKEN: token, PATH },
  });
  await worker.waitFor("takes runs of pool default", 15_000);
}, 90_000);

afterAll(async () => {
  worker.proc.kill("SIGKILL");
  await worker.proc.exited;
  up.proc.kill("SIGTERM");
  await up.proc.exited;
  lingering.kill();
  project.cleanup();
  elsewhere.cleanup();
}, 90_000);

/** Poll the run until `ok` holds (or fail with what it last was). */
async function until(id: string, ok: (r: RunJson) => boolean, ms = 30_000): Promise<RunJson> {
  const deadline = Date.now() + ms;
  let last = await client.getRun(id);
  while (!ok(last)) {
    if (Date.now() > deadline) {
      throw new Error(`run ${id} never got there: ${JSON.stringify(last)}\n${worker.stderr}`);
    }
    await Bun.sleep(50);
    last = await client.getRun(id);
  }
  return last;
}

test("resumed while its paused process is still ending, a remote run's next attempt is neither paused again by that end nor lost to its worker", async () => {
  const run = await client.triggerRun("lingering");
  await until(run.id, (r) => r.state === "PAUSED");
  const resumed = await orch(["runs", "resume", run.id, "-p", "ok=true", "--dir", project.dir]);
  expect(resumed.code, resumed.stderr).toBe(0);
  await until(run.id, (r) => r.state === "RUNNING" && r.attempt === 2);
  for (const deadline = Date.now() + 30_000; ; await Bun.sleep(50)) {
    const lines = (await client.runLogs(run.id)).map((l) => l.line);
    if (lines.includes("resumed with true")) break;
    if (Date.now() > deadline) throw new Error(`the next attempt never printed: ${lines}`);
  }

  // The first process ends now; its worker reports that end, of attempt 1.
  writeFileSync(gate, "");
  await worker.waitFor(`run ${run.id}: attempt 1 is over`, 30_000);
  expect((await client.getRun(run.id)).state).toBe("RUNNING");

  // The worker still holds the running attempt: a cancel reaches its process.
  const cancelled = await orch(["runs", "cancel", run.id, "--dir", project.dir]);
  expect(cancelled.code, cancelled.stderr).toBe(0);
  const end = await until(run.id, (r) =>
    ["CANCELLED", "COMPLETED", "FAILED", "CRASHED"].includes(r.state),
  );
  expect(end.state).toBe("CANCELLED");
  const detail = await client.getRun(run.id);
  expect(detail.states.map((s) => s.name)).toEqual([
    "Scheduled",
    "Pending",
    "Running",
    "Paused",
    "Resuming",
    "Pending",
    "Running",
    "Cancelling",
    "Cancelled",
  ]);
}, 90_000);
