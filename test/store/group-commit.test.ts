import { readFileSync } from "node:fs";
import { join } from "node:path";
import { afterEach, beforeEach, expect, test } from "vitest";
import {
  createDeploymentRun,
  createGroupCommit,
  getRun,
  openStore,
  type Store,
} from "../../src/store/index.ts";
import { createLab, type Lab } from "../worker/helpers.ts";

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

/**
 * Transactions committed into the store's write-ahead log so far: its frames that end a commit
 * (a non-zero database size), of the log's current generation (its salt).
 */
function walCommits(): number {
  const wal = readFileSync(join(lab.dir, "orch.db-wal"));
  const pageSize = wal.readUInt32BE(8);
  const salt = wal.subarray(16, 24);
  let count = 0;
  for (let at = 32; at + 24 + pageSize <= wal.length; at += 24 + pageSize) {
    if (!wal.subarray(at + 8, at + 16).equals(salt)) break;
    if (wal.readUInt32BE(at + 4) !== 0) count++;
  }
  return count;
}

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
  const before = walCommits();
  await Promise.all(
    Array.from({ length: 20 }, () => group.run(() => createDeploymentRun(store, "d"))),
  );
  // The first caller's own commit, then one for the other nineteen.
  expect(walCommits() - before).toBe(2);
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
