/**
 * The pages one run writes to the store, by table and index (`bun scripts/run-pages.ts`): a run
 * triggered and claimed as it is made in one commit, its RUNNING and COMPLETED in a second, as the server
 * writes them (and apart, a run created alone, as a POST with no free slot writes it); the
 * write-ahead log's frames of 200 such runs (after 3,000 to settle the b-trees) mapped to the
 * b-tree each page belongs to. Every frame is a page written at a commit, and later
 * copied back by a checkpoint: unlike CPU time, the count does not move with the machine's load.
 */
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { specWithDefaults } from "../src/core/index.ts";
import { deployFolder } from "../src/definitions/index.ts";
import { createDeploymentRun, openStore, transitionRunSteps } from "../src/store/index.ts";
import { pagesWrittenBy } from "../src/store/testing.ts";

const SETTLE = 3000;
const MEASURED = 200;

const dir = mkdtempSync(join(tmpdir(), "orch-run-pages-"));
const path = join(dir, "orch.db");
const store = openStore(path);
const folder = join(dir, "flow");
mkdirSync(folder);
writeFileSync(join(folder, "README.md"), "true\n");
deployFolder(
  store,
  join(dir, "bundles"),
  folder,
  specWithDefaults({ name: "true", command: ["true"] }),
);

function oneRun(): void {
  // Claimed as it is made, as the server's worker does with a free slot (startAs).
  const run = createDeploymentRun(store, "true", {}, () => ({
    proposed: { type: "PENDING" },
    outcome: { workerId: "bench" },
  }));
  store.tx(() => {
    transitionRunSteps(store, run.id, [
      { proposed: { type: "RUNNING" }, outcome: { pid: 1, pidStarted: "0" } },
      { proposed: { type: "COMPLETED" }, outcome: { exitCode: 0 } },
    ]);
  });
}

for (let i = 0; i < SETTLE; i++) oneRun();
const frames = pagesWrittenBy(store, () => {
  for (let i = 0; i < MEASURED; i++) oneRun();
});
let total = 0;
for (const n of frames.values()) total += n;
// A run created alone (a POST with no free slot, or to a server with no worker).
const created = pagesWrittenBy(store, () => {
  for (let i = 0; i < MEASURED; i++) store.tx(() => createDeploymentRun(store, "true"));
});
let createdTotal = 0;
for (const n of created.values()) createdTotal += n;
store.close();
rmSync(dir, { recursive: true, force: true });
const perRun = (n: number) => Math.round((n / MEASURED) * 100) / 100;
const byTree = Object.fromEntries(
  [...frames].sort((a, b) => b[1] - a[1]).map(([name, n]) => [name, perRun(n)]),
);
console.log(
  JSON.stringify(
    {
      pages_per_run: perRun(total),
      by_table_or_index: byTree,
      pages_per_run_created_alone: perRun(createdTotal),
    },
    null,
    1,
  ),
);
