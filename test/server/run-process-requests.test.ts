import { writeFileSync } from "node:fs";
import { join } from "node:path";
import { afterAll, beforeAll, expect, test } from "vitest";
import { createClient } from "../../src/client/index.ts";
import { type OrchServer, startServer } from "../../src/server/index.ts";
import { tempDir } from "../helpers.ts";

let server: OrchServer;
let cleanup: () => void;

/**
 * What a flow's process asks of orch as soon as it starts: a subflow, a tag's slot, a pause.
 * Each prints the answer's status, so the run's log says how orch took it.
 */
const ASK = `
const api = process.env.ORCH_API_URL + "/api/runs/" + process.env.ORCH_RUN_ID;
const ask = (path, body) =>
  fetch(api + path, {
    method: "POST",
    headers: { authorization: "Bearer " + process.env.ORCH_API_TOKEN, "content-type": "application/json" },
    body: JSON.stringify(body),
  }).then(async (r) => console.log(path, r.status, await r.text()));
await ask("/subflows", { name: "child" });
await ask("/slots", { tag: "db", limit: 1, holder: "h1" });
await ask("/slots/release", { holder: "h1" });
await ask("/pause", { key: "wait" });
`;

beforeAll(async () => {
  const t = tempDir();
  cleanup = t.cleanup;
  writeFileSync(join(t.dir, "ask.mjs"), ASK);
  await Bun.write(
    join(t.dir, "flows/a.yaml"),
    `deployments:
  - name: asks
    command: [${JSON.stringify(process.execPath)}, ${JSON.stringify(join(t.dir, "ask.mjs"))}]
`,
  );
  // A RUNNING held back far longer than the process takes to ask: what it asks must not find
  // its run PENDING.
  server = await startServer({ dir: t.dir, port: 0, worker: { runningWindowMs: 60_000 } });
  await server.loaded;
});
afterAll(async () => {
  await server.stop();
  cleanup();
});

test("a run's process asking at once for a subflow, a slot or a pause finds its run RUNNING, though its RUNNING was held back", async () => {
  const client = createClient({ url: server.url, token: server.token });
  const run = await client.triggerRun("asks");
  const deadline = Date.now() + 20_000;
  let detail = await client.getRun(run.id);
  while (detail.state !== "PAUSED" && !["COMPLETED", "FAILED", "CRASHED"].includes(detail.state)) {
    if (Date.now() > deadline) throw new Error(`run ${run.id} is still ${detail.state}`);
    await Bun.sleep(50);
    detail = await client.getRun(run.id);
  }
  const asked = (await client.runLogs(run.id)).map((l) => l.line.split(" ").slice(0, 2).join(" "));
  expect(asked).toEqual(["/subflows 201", "/slots 200", "/slots/release 200", "/pause 200"]);
  expect(detail.state).toBe("PAUSED");
  expect(detail.children?.map((c) => c.flow_name)).toEqual(["child"]);
});
