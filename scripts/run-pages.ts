/**
 * The pages one run writes to the store, by table and index (`bun scripts/run-pages.ts`): a run
 * triggered and claimed in one commit, its RUNNING and COMPLETED in a second, as the server
 * writes them; the write-ahead log's frames of 200 such runs (after 3,000 to settle the b-trees)
 * mapped to the b-tree each page belongs to. Every frame is a page written at a commit, and later
 * copied back by a checkpoint: unlike CPU time, the count does not move with the machine's load.
 */
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { specWithDefaults } from "../src/core/index.ts";
import { deployFolder } from "../src/definitions/index.ts";
import { claimRuns, createDeploymentRun, openStore, transitionRun } from "../src/store/index.ts";
import { rawSqliteForTests } from "../src/store/testing.ts";

const SETTLE = 3000;
const MEASURED = 200;
/** A WAL frame: a 24-byte header (its first 4 bytes the page number), then the page. */
const FRAME_HEADER = 24;

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
const db = rawSqliteForTests(store);

function oneRun(): void {
  const run = store.tx(() => {
    const created = createDeploymentRun(store, "true");
    claimRuns(store, { pool: "default", workerId: "bench", limit: 8 });
    return created;
  });
  store.tx(() => {
    transitionRun(store, run.id, { type: "RUNNING" }, { pid: 1, pidStarted: "0" });
    transitionRun(store, run.id, { type: "COMPLETED" }, { exitCode: 0 });
  });
}

for (let i = 0; i < SETTLE; i++) oneRun();
db.run("PRAGMA wal_autocheckpoint = 0");
db.run("PRAGMA wal_checkpoint(TRUNCATE)");
for (let i = 0; i < MEASURED; i++) oneRun();
const wal = readFileSync(`${path}-wal`);
const pageSize = (db.query("PRAGMA page_size").get() as { page_size: number }).page_size;
const owner = new Map<number, string>();
for (const row of db.query("SELECT name, pageno FROM dbstat").all() as {
  name: string;
  pageno: number;
}[]) {
  owner.set(row.pageno, row.name);
}
const frames = new Map<string, number>();
let total = 0;
for (let at = 32; at + FRAME_HEADER <= wal.length; at += FRAME_HEADER + pageSize) {
  const name = owner.get(wal.readUInt32BE(at)) ?? "(free or header)";
  frames.set(name, (frames.get(name) ?? 0) + 1);
  total++;
}
store.close();
rmSync(dir, { recursive: true, force: true });
const perRun = (n: number) => Math.round((n / MEASURED) * 100) / 100;
const byTree = Object.fromEntries(
  [...frames].sort((a, b) => b[1] - a[1]).map(([name, n]) => [name, perRun(n)]),
);
console.log(JSON.stringify({ pages_per_run: perRun(total), by_table_or_index: byTree }, null, 1));
