import { afterEach, beforeEach, expect, test } from "vitest";
import { KNOWN_EVENTS } from "../../src/events/index.ts";
import {
  createDeploymentRun,
  deletePlannedRuns,
  listEvents,
  plannedRuns,
  type Store,
  transitionRun,
} from "../../src/store/index.ts";
import { createLab, type Lab } from "../worker/helpers.ts";

// Definitions are checked against the payload keys orch says its events carry: that list must
// hold every key the store really writes, or a good template is refused at deploy.

let lab: Lab;
let store: Store;
beforeEach(() => {
  lab = createLab();
  store = lab.store;
});
afterEach(async () => {
  await lab.cleanup();
});

test("every key a run's events carry is among the keys orch lists for that event", () => {
  const { id } = lab.deploy({ name: "etl", command: ["true"] });
  const run = createDeploymentRun(store, "etl", {
    scheduledAt: Date.now() + 3_600_000,
    createdBy: "schedule",
  });
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
