import { mkdirSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { afterEach, expect, test } from "vitest";
import { orch, spawnOrch, tempDir } from "../helpers.ts";
import { createMarker } from "../processes.ts";

let cleanups: (() => void | Promise<void>)[] = [];
afterEach(async () => {
  for (const c of cleanups.reverse()) await c();
  cleanups = [];
});

const FLOW = `import { flow, getScheduledAt } from "orch";
export default flow("slot", async () => {
  console.log("slot=" + getScheduledAt()?.toISOString());
});
`;

test("a TypeScript flow reads the time its run is for with getScheduledAt(): a backfill's slot, or when an ad-hoc run was made", async () => {
  const marker = createMarker("scheduled-at");
  cleanups.push(() => marker.kill());
  const t = tempDir("orch-slot-");
  cleanups.push(t.cleanup);
  mkdirSync(join(t.dir, "flows"));
  writeFileSync(join(t.dir, "flows/slot.ts"), FLOW);
  writeFileSync(
    join(t.dir, "flows/slot.yaml"),
    [
      "deployments:",
      "  - name: slot",
      "    flow: ./slot.ts",
      `    ${marker.yaml}`,
      "    schedules:",
      '      - cron: "0 6 * * *"',
      "        timezone: America/New_York",
      "",
    ].join("\n"),
  );
  const up = spawnOrch(["up", "--headless", "--port", "0", "--dir", t.dir], { env: marker.env });
  cleanups.push(async () => {
    up.proc.kill("SIGINT");
    await up.proc.exited;
  });
  await up.waitFor("orch is up at");
  const made = await orch([
    "backfill",
    "slot",
    "--from",
    "2026-01-01",
    "--to",
    "2026-01-02T23:00",
    "--max-concurrency",
    "2",
    "--json",
    "--dir",
    t.dir,
  ]);
  expect(made.code, made.stderr).toBe(0);
  const id = (JSON.parse(made.stdout) as { id: string }).id;
  const deadline = Date.now() + 60_000;
  for (;;) {
    const b = JSON.parse(
      (await orch(["backfills", "inspect", id, "--json", "--dir", t.dir])).stdout,
    );
    if (b.status === "completed") break;
    if (Date.now() > deadline)
      throw new Error(`the backfill did not complete: ${JSON.stringify(b)}\n${up.stderr}`);
    await Bun.sleep(100);
  }
  const runs = JSON.parse(
    (await orch(["runs", "ls", "--json", "--deployment", "slot", "--dir", t.dir])).stdout,
  ) as { id: string; state: string; slot_at: string; backfill_id: string | null }[];
  const backfilled = runs.filter((r) => r.backfill_id === id);
  expect(backfilled.map((r) => r.slot_at).sort()).toEqual([
    "2026-01-01T11:00:00.000Z",
    "2026-01-02T11:00:00.000Z",
  ]);
  for (const run of backfilled) {
    expect(run.state).toBe("COMPLETED");
    const logs = await orch(["runs", "logs", run.id, "--dir", t.dir]);
    expect(logs.stdout).toBe(`slot=${run.slot_at}\n`);
  }

  const adHoc = await orch(["flow", "run", "flows/slot.ts"], { cwd: t.dir, env: marker.env });
  expect(adHoc.code, adHoc.stderr).toBe(0);
  expect(adHoc.stdout).toMatch(/^slot=\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z\n$/);
}, 120_000);
