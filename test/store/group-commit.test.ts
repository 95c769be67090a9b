import { join } from "node:path";
import { afterEach, beforeEach, expect, test } from "vitest";
import {
  createDeploymentRun,
  createGroupCommit,
  getRun,
  openStore,
  type Store,
} from "../../src/store/index.ts";
import { createLab, type Lab, walCommits } from "../worker/helpers.ts";

let lab: Lab;
let store: Store;
beforeEach(() => {
  lab = createLab();
  store = lab.store;
  lab.deploy({ name: "d", command: ["true"] });
});
afterEach(async () => {
  await lab.cleanup();
});

test("callers of one turn after the first share one commit; one that throws is undone alone", async () => {
  const group = createGroupCommit(store);
  const make = () => createDeploymentRun(store, "d").id;
  const first = group.run(make);
  const second = group.run(make);
  const failing = group.run(() => {
    const id = make();
    throw new Error(`refused ${id}`);
  });
  const third = group.run(make);
  const failed = await failing.then(
    () => null,
    (error: Error) => error.message.slice("refused ".length),
  );
  const ids = await Promise.all([first, second, third]);
  expect(ids.map((id) => getRun(store, id)?.state_type)).toEqual([
    "SCHEDULED",
    "SCHEDULED",
    "SCHEDULED",
  ]);
  expect(failed).not.toBeNull();
  expect(getRun(store, failed!)).toBeNull();
});

test("the turn's later callers are written in one transaction, not one each", async () => {
  const group = createGroupCommit(store);
  const before = walCommits(lab.dir);
  await Promise.all(
    Array.from({ length: 20 }, () => group.run(() => createDeploymentRun(store, "d"))),
  );
  // The first caller's own commit, then one for the other nineteen.
  expect(walCommits(lab.dir) - before).toBe(2);
});

test("a caller alone is committed at once, before its turn ends", () => {
  const group = createGroupCommit(store);
  let id = "";
  void group.run(() => {
    id = createDeploymentRun(store, "d").id;
  });
  // Another connection already sees it: nothing waited for the end of the turn.
  const other = openStore(join(lab.dir, "orch.db"));
  try {
    expect(getRun(other, id)?.state_type).toBe("SCHEDULED");
  } finally {
    other.close();
  }
});
