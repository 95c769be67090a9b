import { createHash } from "node:crypto";
import { existsSync, mkdirSync, readFileSync, renameSync, rmSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, test } from "vitest";
import { orch, spawnOrch, tempDir } from "../helpers.ts";

// The watched folders are outside the project; "done" receives what the moving trigger handled.
let dir: string;
let inbox: string;
let bulk: string;
let cleanups: (() => void)[] = [];
let up: ReturnType<typeof spawnOrch> | null = null;
let url: string;
let token: string;

const flows = () => `deployments:
  - name: ingest
    command: ["sh", "-c", "echo got $0", "{{ parameters.path }}"]
    parameters: { path: none, sha: none, size: 0 }
    triggers:
      - files: { folder: ${inbox}, glob: "*.csv", settle: 1s, move_to: ${inbox}/done }
        parameters:
          path: "{{ event.payload.path }}"
          sha: "{{ event.payload.sha256 }}"
          size: "{{ event.payload.size }}"
  - name: bulk
    command: ["sh", "-c", "echo big $0", "{{ parameters.path }}"]
    parameters: { path: none, sha: none, size: 0 }
    triggers:
      - files: { folder: ${bulk}, glob: "**/*.bin", settle: 2s }
        parameters:
          path: "{{ event.payload.path }}"
          sha: "{{ event.payload.sha256 }}"
          size: "{{ event.payload.size }}"
`;

interface Run {
  id: string;
  state: string;
  parameters: { path: string; sha: string; size: number };
}

async function start() {
  up = spawnOrch(["up", "--headless", "--port", "0", "--dir", dir]);
  await up.waitFor("orch is up at");
  url = JSON.parse(readFileSync(join(dir, ".orch/server.json"), "utf8")).url;
  token = readFileSync(join(dir, ".orch/token"), "utf8").trim();
}

async function runsOf(deployment: string): Promise<Run[]> {
  const res = await fetch(`${url}/api/runs?deployment=${deployment}&limit=100`, {
    headers: { authorization: `Bearer ${token}` },
  });
  return ((await res.json()) as Run[]).reverse();
}

/** Wait until `deployment` has `count` runs, all ended; return them, oldest first. */
async function waitForRuns(deployment: string, count: number, ms = 60_000): Promise<Run[]> {
  const deadline = Date.now() + ms;
  let runs: Run[] = [];
  while (Date.now() < deadline) {
    runs = await runsOf(deployment);
    if (runs.length >= count && runs.every((r) => r.state === "COMPLETED")) return runs;
    await Bun.sleep(100);
  }
  throw new Error(`${deployment} has ${JSON.stringify(runs)}, not ${count} completed runs`);
}

async function waitFor(what: string, check: () => boolean, ms = 20_000) {
  const deadline = Date.now() + ms;
  while (!check()) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await Bun.sleep(50);
  }
}

const sha = (data: string | Buffer) => createHash("sha256").update(data).digest("hex");

beforeAll(async () => {
  const made = [tempDir(), tempDir("orch-inbox-"), tempDir("orch-bulk-")];
  cleanups = made.map((m) => m.cleanup);
  [dir, inbox, bulk] = made.map((m) => m.dir) as [string, string, string];
  await Bun.write(join(dir, "flows/files.yaml"), flows());
  await start();
});

afterAll(async () => {
  up?.proc.kill("SIGKILL");
  await up?.proc.exited;
  for (const cleanup of cleanups) cleanup();
});

describe("file-arrival triggers through orch up", () => {
  test("a file moved in runs its flow once with its path, size and sha256, then goes to the done folder", async () => {
    const outside = join(dir, "orders.csv");
    writeFileSync(outside, "id,amount\n1,42\n");
    renameSync(outside, join(inbox, "orders.csv"));
    const [run] = await waitForRuns("ingest", 1);
    expect(run!.parameters).toEqual({
      path: join(inbox, "orders.csv"),
      sha: sha("id,amount\n1,42\n"),
      size: 15,
    });
    await waitFor("the file to move", () => existsSync(join(inbox, "done/orders.csv")));
    expect(existsSync(join(inbox, "orders.csv"))).toBe(false);
  });

  test("an editor's save (a temp file written, then renamed) is one arrival; the temp file is none", async () => {
    const temp = join(inbox, "report.csv.tmp");
    writeFileSync(temp, "a,b\n");
    await Bun.sleep(1500); // longer than the settle time: a temp file still never counts
    writeFileSync(temp, "a,b\n1,2\n", { flag: "a" });
    renameSync(temp, join(inbox, "report.csv"));
    const runs = await waitForRuns("ingest", 2);
    expect(runs).toHaveLength(2);
    expect(runs[1]!.parameters.path).toBe(join(inbox, "report.csv"));
    expect(runs[1]!.parameters.sha).toBe(sha("a,b\na,b\n1,2\n"));
  });

  test("a 200 MB file copied in with cp runs its flow exactly once, after the copy ended, and not again after kill -9 and a restart", async () => {
    const source = join(dir, "big.bin");
    const big = Buffer.alloc(200 * 1024 * 1024);
    for (let i = 0; i < big.length; i += 4096) big.writeUInt32LE(i, i);
    writeFileSync(source, big);
    const cp = Bun.spawn(["cp", source, join(bulk, "big.bin")]);
    expect(await cp.exited).toBe(0);
    const [run] = await waitForRuns("bulk", 1);
    expect(run!.parameters).toEqual({
      path: join(bulk, "big.bin"),
      sha: sha(big),
      size: 200 * 1024 * 1024,
    });

    up!.proc.kill("SIGKILL");
    await up!.proc.exited;
    await start();
    // A new file after the restart: once its run is done, the big one was scanned and settled
    // before it (it was there first), so a second run of it would be here by then.
    await Bun.write(join(bulk, "sub/after.bin"), "after restart");
    const runs = await waitForRuns("bulk", 2);
    expect(runs.map((r) => r.parameters.path)).toEqual([
      join(bulk, "big.bin"),
      join(bulk, "sub/after.bin"),
    ]);
  });

  test("a file written slowly (longer than the settle time in all) counts once, when it stopped growing", async () => {
    const path = join(bulk, "slow.bin");
    let content = "";
    // Short pauses between writes (far below the settle time), longer than it in all.
    for (let i = 0; i < 30; i++) {
      content += `chunk ${i}\n`;
      writeFileSync(path, content);
      await Bun.sleep(100);
    }
    const runs = await waitForRuns("bulk", 3);
    expect(runs[2]!.parameters).toMatchObject({ path, sha: sha(content) });
  });

  test("a changed file (new content) is new; the same content written again is not", async () => {
    const path = join(bulk, "sub/after.bin");
    writeFileSync(path, "after restart"); // same bytes, new mtime: already handled
    await Bun.sleep(10);
    await Bun.write(join(bulk, "marker.bin"), "marker");
    const runs = await waitForRuns("bulk", 4);
    expect(runs[3]!.parameters.path).toBe(join(bulk, "marker.bin"));
    writeFileSync(path, "changed");
    const after = await waitForRuns("bulk", 5);
    expect(after[4]!.parameters).toMatchObject({ path, sha: sha("changed") });
    expect(after).toHaveLength(5);
  });

  test("a file that left the folder (moved to done, or deleted) and is dropped in again is a new arrival, also across a restart", async () => {
    // orders.csv was handled and moved to done/ by the first test: the same bytes again are new.
    writeFileSync(join(inbox, "orders.csv"), "id,amount\n1,42\n");
    const again = await waitForRuns("ingest", 3);
    expect(again[2]!.parameters).toMatchObject({
      path: join(inbox, "orders.csv"),
      sha: sha("id,amount\n1,42\n"),
    });
    await waitFor("the file to move again", () => !existsSync(join(inbox, "orders.csv")));

    // Deleted while orch is down, then put back with the same bytes: new too.
    const path = join(bulk, "marker.bin");
    up!.proc.kill("SIGTERM");
    await up!.proc.exited;
    rmSync(path);
    await start();
    // A file of its own first: once its run is done, the folder was scanned without marker.bin.
    await Bun.write(join(bulk, "first.bin"), "first after the restart");
    await waitForRuns("bulk", 6);
    await Bun.write(path, "marker");
    const runs7 = await waitForRuns("bulk", 7);
    expect(runs7.slice(5).map((r) => r.parameters.path)).toEqual([join(bulk, "first.bin"), path]);
    expect(runs7[6]!.parameters.sha).toBe(sha("marker"));
  });

  test("a folder found empty forgets nothing: its files back (a share mounted again) do not run again", async () => {
    const bulkRuns = (await waitForRuns("bulk", 7)).length;
    const inboxRuns = (await waitForRuns("ingest", 3)).length;
    // Everything leaves the bulk folder; the inbox's runs show that scans went by meanwhile.
    const kept = join(dir, "kept");
    renameSync(bulk, kept);
    mkdirSync(bulk);
    writeFileSync(join(inbox, "tick-1.csv"), "1");
    await waitForRuns("ingest", inboxRuns + 1);
    writeFileSync(join(inbox, "tick-2.csv"), "2");
    await waitForRuns("ingest", inboxRuns + 2);
    // The same files back, then one more scan's worth: none of them is new.
    rmSync(bulk, { recursive: true });
    renameSync(kept, bulk);
    writeFileSync(join(inbox, "tick-3.csv"), "3");
    await waitForRuns("ingest", inboxRuns + 3);
    await Bun.write(join(bulk, "new.bin"), "new");
    const after = await waitForRuns("bulk", bulkRuns + 1);
    expect(after.slice(bulkRuns).map((r) => r.parameters.path)).toEqual([join(bulk, "new.bin")]);
  });
});

test("a bad files: trigger is reported with file:line:column", async () => {
  const bad = tempDir();
  try {
    await Bun.write(
      join(bad.dir, "flows/bad.yaml"),
      `deployments:
  - name: a
    command: ["true"]
    triggers:
      - files: { folder: ./nowhere, glob: "*.csv" }
      - files: { folder: ., glob: "**/*.csv", move_to: ./done }
      - on: flow-run.completed
        files: { folder: . }
      - files: { folder: ., glob: "../*.csv", settle: soon }
`,
    );
    const r = await orch(["deploy", "--dir", bad.dir]);
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(/flows\/bad\.yaml:5:\d+: .*"\.\/nowhere" does not exist/);
    expect(r.stderr).toMatch(/flows\/bad\.yaml:6:\d+: .*move_to.*inside the watched folder/);
    expect(r.stderr).toMatch(/flows\/bad\.yaml:7:\d+: .*fires on file\.arrived/);
    expect(r.stderr).toMatch(/flows\/bad\.yaml:9:\d+: .*glob/);
    expect(r.stderr).toMatch(/flows\/bad\.yaml:9:\d+: .*settle/);
  } finally {
    bad.cleanup();
  }
});
