import { join } from "node:path";
import { afterEach, expect, test } from "vitest";
import { specWithDefaults } from "../../src/core/index.ts";
import { KNOWN_EVENTS } from "../../src/events/index.ts";
import {
  createDeploymentRun,
  deletePlannedRuns,
  getDeployment,
  listEvents,
  openStore,
  plannedRuns,
  type Store,
  transitionRun,
  upsertDeployment,
} from "../../src/store/index.ts";
import { tempDir } from "../helpers.ts";

// Definitions are checked against the payload keys orch says its events carry: that list must
// hold every key the store really writes, or a good template is refused at deploy.

let store: Store;
let cleanup = () => {};
afterEach(() => {
  store.close();
  cleanup();
});

test("every key a run's events carry is among the keys orch lists for that event", () => {
  const t = tempDir();
  cleanup = t.cleanup;
  store = openStore(join(t.dir, "orch.db"));
  upsertDeployment(store, {
    spec: specWithDefaults({ name: "etl", command: ["true"] }),
    hash: "h",
    bundle: null,
    sourceFile: "f",
    sourceLine: 1,
  });
  const run = createDeploymentRun(store, "etl", {
    scheduledAt: Date.now() + 3_600_000,
    createdBy: "schedule",
  });
  const id = getDeployment(store, "etl")!.id;
  store.tx(() => deletePlannedRuns(store, plannedRuns(store, id)));
  const done = createDeploymentRun(store, "etl");
  for (const type of ["PENDING", "RUNNING", "COMPLETED"] as const) {
    transitionRun(store, done.id, { type });
  }
  const events = listEvents(store, { prefix: "flow-run." });
  expect(new Set(events.map((e) => e.name))).toEqual(
    new Set([
      "flow-run.scheduled",
      "flow-run.deleted",
      "flow-run.pending",
      "flow-run.running",
      "flow-run.completed",
    ]),
  );
  expect(events.some((e) => e.resource === run.id && e.name === "flow-run.deleted")).toBe(true);
  for (const e of events) {
    const listed = KNOWN_EVENTS[e.name] ?? [];
    for (const key of Object.keys(JSON.parse(e.payload))) {
      expect({ event: e.name, key, listed: listed.includes(key) }).toEqual({
        event: e.name,
        key,
        listed: true,
      });
    }
  }
});
