import { join } from "node:path";
import { afterEach, beforeEach, describe, expect, test } from "vitest";
import { specWithDefaults, type TriggerSpec } from "../../src/core/index.ts";
import { startTriggers } from "../../src/events/index.ts";
import {
  createDeploymentRun,
  listRuns,
  openStore,
  recordEvent,
  removeDeployment,
  type Store,
  setDeploymentPaused,
  transitionRun,
  upsertDeployment,
} from "../../src/store/index.ts";
import { rawSqliteForTests } from "../../src/store/testing.ts";
import { tempDir } from "../helpers.ts";

let store: Store;
let cleanup = () => {};
const warnings: string[] = [];
const logger = { info() {}, warn: (m: string) => warnings.push(m), error() {} };

beforeEach(() => {
  const t = tempDir();
  cleanup = t.cleanup;
  store = openStore(join(t.dir, "orch.db"));
  warnings.length = 0;
});
afterEach(() => {
  store.close();
  cleanup();
});

function deploy(
  name: string,
  triggers: TriggerSpec[] = [],
  parameters: Record<string, unknown> = {},
) {
  const spec = specWithDefaults({ name, command: ["true"], triggers, parameters });
  return upsertDeployment(store, {
    spec,
    hash: `${name}-${JSON.stringify(triggers)}`,
    bundle: null,
    sourceFile: "f",
    sourceLine: 1,
  }).deployment;
}

function complete(deployment: string): string {
  const run = createDeploymentRun(store, deployment);
  transitionRun(store, run.id, { type: "PENDING" });
  transitionRun(store, run.id, { type: "RUNNING" });
  transitionRun(store, run.id, { type: "COMPLETED" });
  return run.id;
}

const runsOf = (deployment: string) => listRuns(store, { deployment, limit: 100 });
/** Let the triggers handle what was recorded (they work from a queue, off the writer's call). */
const settle = async () => {
  for (let i = 0; i < 20; i++) await new Promise((r) => setImmediate(r));
};

describe("triggers", () => {
  test("a run that completes starts the deployments whose trigger matches it, with templated parameters", async () => {
    deploy("ingest");
    deploy(
      "report",
      [
        {
          on: "flow-run.completed",
          match: { deployment: "ingest" },
          parameters: { source: "{{ event.resource.id }}", note: "after {{ event.name }}" },
        },
      ],
      { source: "", limit: 5 },
    );
    deploy("other", [{ on: "flow-run.completed", match: { deployment: "nope" }, parameters: {} }]);
    const triggers = startTriggers({ store, logger });
    const ingested = complete("ingest");
    await settle();
    const [run, ...more] = runsOf("report");
    expect(more).toEqual([]);
    expect(run).toMatchObject({
      created_by: "trigger",
      state_message: expect.stringMatching(/triggered by flow-run.completed/),
    });
    expect(JSON.parse(run!.parameters)).toEqual({
      source: ingested,
      note: "after flow-run.completed",
      limit: 5,
    });
    expect(runsOf("other")).toEqual([]);
    triggers.stop();
  });

  test("a deployment's own runs never trigger it, and a paused deployment is not triggered", async () => {
    deploy("loop", [{ on: "flow-run.completed", match: {}, parameters: {} }]);
    deploy("watcher", [{ on: "flow-run.completed", match: {}, parameters: {} }]);
    const triggers = startTriggers({ store, logger });
    complete("loop");
    await settle();
    expect(runsOf("loop")).toHaveLength(1);
    expect(runsOf("watcher")).toHaveLength(1);
    setDeploymentPaused(store, "watcher", true);
    complete("loop");
    await settle();
    expect(runsOf("watcher")).toHaveLength(1);
    triggers.stop();
  });

  test("triggers added, changed and removed by redeploys while running act at once; the others keep theirs", async () => {
    deploy("ingest");
    deploy("steady", [
      { on: "flow-run.completed", match: { deployment: "ingest" }, parameters: {} },
    ]);
    for (let i = 0; i < 50; i++) deploy(`bystander-${i}`);
    const triggers = startTriggers({ store, logger });
    // A burst of deployment changes, as a save of many deployments writes them: one gains a
    // trigger, one is created with one, the rest change without.
    store.tx(() => {
      for (let i = 0; i < 50; i++) deploy(`bystander-${i}`, [], { v: 2 });
      deploy("gains", [
        { on: "flow-run.completed", match: { deployment: "ingest" }, parameters: {} },
      ]);
      deploy("fresh", [
        { on: "flow-run.completed", match: { deployment: "ingest" }, parameters: {} },
      ]);
    });
    await settle();
    complete("ingest");
    await settle();
    expect(["steady", "gains", "fresh"].map((d) => runsOf(d).length)).toEqual([1, 1, 1]);
    // Its trigger changed to another event, and another deployment removed: neither fires now.
    deploy("gains", [{ on: "custom.event", match: {}, parameters: {} }]);
    removeDeployment(store, "fresh", "no longer in its file");
    await settle();
    complete("ingest");
    await settle();
    expect(["steady", "gains", "fresh"].map((d) => runsOf(d).length)).toEqual([2, 1, 1]);
    triggers.stop();
  });

  test("custom events and webhooks match on name, resource and payload", async () => {
    deploy("ship", [
      {
        on: "webhook.deploy",
        match: { ref: "refs/heads/*" },
        parameters: { ref: "{{ event.payload.ref }}" },
      },
    ]);
    const triggers = startTriggers({ store, logger });
    recordEvent(store, "webhook.deploy", "deploy", { ref: "refs/tags/v1" });
    await settle();
    expect(runsOf("ship")).toEqual([]);
    recordEvent(store, "webhook.deploy", "deploy", { ref: "refs/heads/main" });
    await settle();
    expect(runsOf("ship").map((r) => JSON.parse(r.parameters))).toEqual([
      { ref: "refs/heads/main" },
    ]);
    triggers.stop();
  });

  test("a template the event cannot fill makes no run and says why", async () => {
    deploy("needs", [
      { on: "custom.thing", match: {}, parameters: { x: "{{ event.payload.missing }}" } },
    ]);
    const triggers = startTriggers({ store, logger });
    recordEvent(store, "custom.thing", null, {});
    await settle();
    expect(runsOf("needs")).toEqual([]);
    expect(warnings.join("\n")).toMatch(
      /\{\{ event\.payload\.missing \}\} is not in event custom\.thing/,
    );
    triggers.stop();
  });

  test("a parameter whose template names a field the event lacks takes the deployment's default", async () => {
    deploy(
      "ship-env",
      [
        {
          on: "webhook.ship",
          match: {},
          parameters: { env: "{{ event.payload.env }}", ref: "{{ event.payload.ref }}" },
        },
      ],
      { env: "staging" },
    );
    const infos: string[] = [];
    const triggers = startTriggers({
      store,
      logger: { ...logger, info: (m: string) => infos.push(m) },
    });
    recordEvent(store, "webhook.ship", "ship", { ref: "v1" });
    await settle();
    expect(runsOf("ship-env").map((r) => JSON.parse(r.parameters))).toEqual([
      { env: "staging", ref: "v1" },
    ]);
    expect(infos.join("\n")).toMatch(
      /\{\{ event\.payload\.env \}\} is not in event webhook\.ship #\d+, so parameter env takes ship-env's default/,
    );
    // One without a default still makes no run, and says why.
    recordEvent(store, "webhook.ship", "ship", { env: "prod" });
    await settle();
    expect(runsOf("ship-env")).toHaveLength(1);
    expect(warnings.join("\n")).toMatch(
      /\{\{ event\.payload\.ref \}\} is not in event webhook\.ship/,
    );
    triggers.stop();
  });

  test("without triggers, runs' events never take the store's write lock (a writer elsewhere holds it)", async () => {
    deploy("plain");
    const errors: unknown[] = [];
    const triggers = startTriggers({
      store,
      logger: { ...logger, error: (...args: unknown[]) => errors.push(args) },
    });
    complete("plain");
    // Another connection holds the write lock while the engine handles those events: waiting for
    // it (or failing when it is not given up) would be a transaction the events never needed.
    const other = openStore(store.path);
    const locked = rawSqliteForTests(other);
    locked.run("BEGIN IMMEDIATE");
    try {
      await settle();
    } finally {
      locked.run("ROLLBACK");
      other.close();
    }
    expect(errors).toEqual([]);
    await triggers.stop();
  });

  test("events missed in a crash are handled at the next start, and an event never makes two runs", async () => {
    deploy("after", [{ on: "custom.done", match: {}, parameters: {} }]);
    let triggers = startTriggers({ store, logger });
    const first = recordEvent(store, "custom.done", null, {});
    await settle();
    triggers.stop();
    // A crash: the event after the first was recorded but never handled, and the cursor is old.
    recordEvent(store, "custom.done", null, {});
    rawSqliteForTests(store)
      .query("UPDATE event_cursors SET last_id = ? WHERE name = 'triggers'")
      .run(first.id - 1);
    triggers = startTriggers({ store, logger });
    expect(runsOf("after")).toHaveLength(2);
    triggers.stop();
  });

  test("deployments that trigger each other run once each, however many triggers match", async () => {
    deploy("c");
    deploy("a", [{ on: "flow-run.completed", match: {}, parameters: {} }]);
    deploy("b", [{ on: "flow-run.completed", match: {}, parameters: {} }]);
    deploy("x", [{ on: "flow-run.*", match: {}, parameters: {} }]);
    deploy("y", [{ on: "flow-run.*", match: {}, parameters: {} }]);
    const triggers = startTriggers({ store, logger });
    complete("c");
    await settle();
    for (const name of ["a", "b"]) {
      for (const r of runsOf(name)) {
        if (r.state_type === "SCHEDULED") {
          transitionRun(store, r.id, { type: "PENDING" });
          transitionRun(store, r.id, { type: "RUNNING" });
          transitionRun(store, r.id, { type: "COMPLETED" });
        }
      }
    }
    await settle();
    const total = rawSqliteForTests(store).query("SELECT count(*) AS n FROM flow_runs").get() as {
      n: number;
    };
    // Broad triggers make a bounded number of runs (each event of each run may match once per
    // deployment), and no chain ever comes back to a deployment already in it.
    expect(total.n).toBeLessThan(100);
    const all = rawSqliteForTests(store)
      .query("SELECT deployment, trigger_chain FROM flow_runs")
      .all() as {
      deployment: string;
      trigger_chain: string | null;
    }[];
    for (const r of all) {
      const chain = JSON.parse(r.trigger_chain ?? "[]") as string[];
      expect(new Set([...chain, r.deployment]).size).toBe(chain.length + 1);
    }
    triggers.stop();
  });
});
