import { mkdirSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { afterEach, expect, test } from "vitest";
import { orch, spawnOrch, tempDir } from "../helpers.ts";

let cleanups: (() => void | Promise<void>)[] = [];
afterEach(async () => {
  for (const c of cleanups.reverse()) await c();
  cleanups = [];
});

interface RunJson {
  id: string;
  state: string;
  scheduled_at: string;
  started_at: string | null;
  created_by: string;
}

// How soon after its slot each run starts is a figure, not a pass/fail: `npm run bench -- --only
// schedule` prints it beside its baseline.
test("a 1s interval deployment runs once per whole-second slot, never before its time", async () => {
  const t = tempDir();
  cleanups.push(t.cleanup);
  const dir = t.dir;
  mkdirSync(join(dir, "flows"));
  writeFileSync(
    join(dir, "flows/tick.yaml"),
    [
      "deployments:",
      "  - name: tick",
      '    command: ["true"]',
      "    schedules:",
      "      - interval: 1s",
      "      - cron: 30 2 * * *",
      "        timezone: Europe/Berlin",
      "        active: false",
      "",
    ].join("\n"),
  );
  const up = spawnOrch(["up", "--headless", "--port", "0", "--dir", dir]);
  cleanups.push(async () => {
    up.proc.kill("SIGINT");
    await up.proc.exited;
  });
  await up.waitFor("orch is up at");

  const completed = async (): Promise<RunJson[]> => {
    const ls = await orch([
      "runs",
      "ls",
      "--json",
      "--deployment",
      "tick",
      "--limit",
      "100",
      "--dir",
      dir,
    ]);
    expect(ls.code, ls.stderr).toBe(0);
    return (JSON.parse(ls.stdout) as RunJson[]).filter(
      (r) => r.state === "COMPLETED" && r.created_by === "schedule",
    );
  };
  const deadline = Date.now() + 20_000;
  let runs = await completed();
  while (runs.length < 6) {
    if (Date.now() > deadline)
      throw new Error(`only ${runs.length} runs completed in 20 s:\n${up.stderr}`);
    await Bun.sleep(250);
    runs = await completed();
  }

  const slots = runs.map((r) => r.scheduled_at).sort();
  expect(new Set(slots).size).toBe(slots.length); // one run per slot
  for (const r of runs) {
    expect(new Date(r.scheduled_at).getUTCMilliseconds()).toBe(0); // slots on whole seconds
    expect(Date.parse(r.started_at!)).toBeGreaterThanOrEqual(Date.parse(r.scheduled_at));
  }

  // The listing and inspect show what is planned, in words and in the schedule's zone.
  const list = JSON.parse((await orch(["deployments", "ls", "--json", "--dir", dir])).stdout);
  expect(Date.parse(list[0].next_run)).toBeGreaterThan(Date.now() - 5000);
  const detail = JSON.parse(
    (await orch(["deployments", "inspect", "tick", "--json", "--dir", dir])).stdout,
  );
  expect(detail.next_runs).toHaveLength(5);
  const human = await orch(["deployments", "inspect", "tick", "--dir", dir]);
  expect(human.stdout).toContain("every 1s");
  expect(human.stdout).toContain("every day at 02:30, Europe/Berlin (inactive)");
  expect(human.stdout).toMatch(/\d{4}-\d\d-\d\d \d\d:\d\d:\d\d UTC {2}\d{4}-.* local/);

  // runs ls shows what happened first; the planned future is there with --planned.
  const ls = async (...more: string[]) =>
    JSON.parse(
      (await orch(["runs", "ls", "--json", "--limit", "1000", "--dir", dir, ...more])).stdout,
    ) as RunJson[];
  const future = (rs: RunJson[]) =>
    rs.filter((r) => r.state === "SCHEDULED" && Date.parse(r.scheduled_at) > Date.now() + 2000);
  expect(future(await ls())).toEqual([]);
  expect(future(await ls("--planned")).length).toBeGreaterThan(0);
});
