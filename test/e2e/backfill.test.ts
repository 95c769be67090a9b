import { existsSync, mkdirSync, readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { afterEach, expect, test } from "vitest";
import { orch, spawnOrch, tempDir } from "../helpers.ts";
import { createMarker } from "../processes.ts";

let cleanups: (() => void | Promise<void>)[] = [];
afterEach(async () => {
  for (const c of cleanups.reverse()) await c();
  cleanups = [];
});

interface RunJson {
  id: string;
  state: string;
  slot_at: string | null;
  backfill_id: string | null;
}

/**
 * Berlin's daily 02:30 over 30 days across the spring-forward (2026-03-29 has no 02:30; the
 * schedule runs it at 03:00, just after the gap), as UTC instants.
 */
const SLOTS = Array.from({ length: 30 }, (_, i) => {
  const day = Temporal.PlainDate.from("2026-03-15").add({ days: i });
  const time = day.toString() === "2026-03-29" ? "03:00" : "02:30";
  return day
    .toPlainDateTime(time)
    .toZonedDateTime("Europe/Berlin")
    .toInstant()
    .toString({ smallestUnit: "millisecond" });
});

/** A project with one daily deployment in Berlin whose runs write their slot to slots.txt. */
function project(marker: ReturnType<typeof createMarker>) {
  const t = tempDir("orch-backfill-");
  cleanups.push(t.cleanup);
  mkdirSync(join(t.dir, "flows"));
  writeFileSync(
    join(t.dir, "flows/etl.yaml"),
    [
      "deployments:",
      "  - name: etl",
      "    command:",
      "      - sh",
      "      - -c",
      `      - 'echo "$ORCH_RUN_ID {{ run.scheduled_at }} $ORCH_SCHEDULED_AT" >> "$ORCH_PROJECT_DIR/slots.txt"; sleep 0.2'`,
      `    ${marker.yaml}`,
      "    schedules:",
      '      - cron: "30 2 * * *"',
      "        timezone: Europe/Berlin",
      "        catchup: none",
      "",
    ].join("\n"),
  );
  return t.dir;
}

/** Register the definitions without a server (what orch up does at start). */
async function deploy(dir: string): Promise<void> {
  const ran = await orch(["deploy", "--dir", dir]);
  expect(ran.code, ran.stderr).toBe(0);
}

function startUp(dir: string, marker: ReturnType<typeof createMarker>) {
  const up = spawnOrch(["up", "--headless", "--port", "0", "--dir", dir], { env: marker.env });
  cleanups.push(async () => {
    up.proc.kill("SIGINT");
    await up.proc.exited;
  });
  return up;
}

async function json<T>(args: string[]): Promise<T> {
  const ran = await orch([...args, "--json"]);
  expect(ran.code, ran.stderr).toBe(0);
  return JSON.parse(ran.stdout) as T;
}

async function until<T>(what: string, get: () => Promise<T>, ok: (v: T) => boolean): Promise<T> {
  const deadline = Date.now() + 60_000;
  for (;;) {
    const value = await get();
    if (ok(value)) return value;
    if (Date.now() > deadline)
      throw new Error(`timed out waiting for ${what}: ${JSON.stringify(value)}`);
    await Bun.sleep(100);
  }
}

test("30 daily slots across a DST change: one run per slot, each with its own slot time, resumed after kill -9", async () => {
  const marker = createMarker("backfill");
  cleanups.push(() => marker.kill());
  const dir = project(marker);
  const out = join(dir, "slots.txt");
  await deploy(dir);
  const lines = () => (existsSync(out) ? readFileSync(out, "utf8").trim().split("\n") : []);

  const dry = await orch([
    "backfill",
    "etl",
    "--from",
    "2026-03-15",
    "--to",
    "2026-04-13T23:59",
    "--dry-run",
    "--dir",
    dir,
  ]);
  expect(dry.code, dry.stderr).toBe(0);
  expect(
    dry.stdout
      .trim()
      .split("\n")
      .map((l) => l.split(/\s+/).find((w) => w.endsWith("Z"))),
  ).toEqual(SLOTS);
  // Each slot's local time says its zone.
  expect(dry.stdout).toMatch(
    /^run {2}\d{4}-\d\d-\d\d \d\d:\d\d:\d\d UTC([+-]\d\d:\d\d)? {2}2026-/m,
  );
  expect(dry.stderr).toContain("30 of 30 slots");

  const first = startUp(dir, marker);
  await first.waitFor("orch is up at");
  const made = await json<{ id: string; total: number }>([
    "backfill",
    "etl",
    "--from",
    "2026-03-15",
    "--to",
    "2026-04-13T23:59",
    "--max-concurrency",
    "3",
    "--dir",
    dir,
  ]);
  expect(made.total).toBe(30);
  await until(
    "ten slots to run",
    async () => lines().length,
    (n) => n >= 10,
  );
  first.proc.kill("SIGKILL");
  await first.proc.exited;
  const before = lines().length;
  expect(before).toBeLessThan(30);

  const second = startUp(dir, marker);
  await second.waitFor("orch is up at");
  const done = await until(
    "the backfill to complete",
    () =>
      json<{ status: string; created: number; runs: Record<string, number> }>([
        "backfills",
        "inspect",
        made.id.slice(0, 8),
        "--dir",
        dir,
      ]),
    (b) => b.status === "completed",
  );
  expect(done.created).toBe(30);

  const runs = (
    await json<RunJson[]>(["runs", "ls", "--deployment", "etl", "--limit", "100", "--dir", dir])
  ).filter((r) => r.backfill_id === made.id);
  // One run per slot: none twice, none skipped.
  expect(runs.map((r) => r.slot_at).sort()).toEqual(SLOTS);
  // Runs the kill caught mid-way may have ended CRASHED; the rest completed after the restart.
  expect(runs.filter((r) => r.state !== "COMPLETED").length).toBeLessThanOrEqual(3);
  // Each run wrote its own slot, through the placeholder and through the environment.
  const written = new Map(
    lines().map((l) => {
      const [id, arg, env] = l.split(" ");
      return [id!, { arg, env }];
    }),
  );
  for (const run of runs.filter((r) => r.state === "COMPLETED")) {
    expect(written.get(run.id)).toEqual({ arg: run.slot_at, env: run.slot_at });
  }
  expect(lines().length).toBe(new Set(lines()).size);

  // A time range finds a backfill's runs by the slot they process, not by when they ran.
  const week = await json<RunJson[]>([
    "runs",
    "ls",
    "--deployment",
    "etl",
    "--since",
    "2026-03-20T00:00:00Z",
    "--until",
    "2026-03-27T00:00:00Z",
    "--dir",
    dir,
  ]);
  expect(week.map((r) => r.slot_at).sort()).toEqual(SLOTS.slice(5, 12));
  // The table has a FOR column with that slot; a run's page has a line of its own for it.
  const utc = { env: { TZ: "UTC" } };
  const table = await orch(
    ["runs", "ls", "--deployment", "etl", "--limit", "100", "--dir", dir],
    utc,
  );
  expect(table.stdout.split("\n")[0]).toMatch(/DUE\s+FOR\s+DURATION/);
  const one = runs.find((r) => r.slot_at === SLOTS[0])!;
  expect(table.stdout).toContain(`${one.id.slice(0, 8)} `);
  expect(table.stdout).toMatch(new RegExp(`^${one.id.slice(0, 8)} .* 2026-03-15 01:30:00 `, "m"));
  const shown = await orch(["runs", "inspect", one.id, "--dir", dir], utc);
  expect(shown.stdout).toMatch(/^for\s+2026-03-15 01:30:00 \(its backfill slot\)$/m);

  // --only-missing now has nothing left to do but the runs that did not complete.
  const missing = await orch([
    "backfill",
    "etl",
    "--from",
    "2026-03-15",
    "--to",
    "2026-04-13T23:59",
    "--only-missing",
    "--dry-run",
    "--json",
    "--dir",
    dir,
  ]);
  const plan = JSON.parse(missing.stdout) as { slots: { at: string; completed: boolean }[] };
  expect(plan.slots.filter((s) => !s.completed).length).toBe(
    runs.filter((r) => r.state !== "COMPLETED").length,
  );
}, 120_000);

test("backfills ls, pause, resume and cancel through the CLI", async () => {
  const marker = createMarker("backfill-verbs");
  cleanups.push(() => marker.kill());
  const dir = project(marker);
  await deploy(dir);
  // No server yet: the backfill is stored, and orch up feeds it.
  const made = await json<{ id: string; status: string }>([
    "backfill",
    "etl",
    "--from",
    "2026-01-01",
    "--to",
    "2026-01-31T23:59",
    "--dir",
    dir,
  ]);
  expect(made.status).toBe("running");
  const id = made.id.slice(0, 8);
  expect((await json<{ status: string }>(["backfills", "pause", id, "--dir", dir])).status).toBe(
    "paused",
  );
  const paused = await orch(["backfills", "pause", id, "--dir", dir]);
  expect(paused.code).toBe(1);
  expect(paused.stderr).toContain("cannot be paused: it is paused");

  const up = startUp(dir, marker);
  await up.waitFor("orch is up at");
  const ls = await json<{ id: string; created: number }[]>(["backfills", "ls", "--dir", dir]);
  expect(ls.map((b) => [b.id, b.created])).toEqual([[made.id, 0]]); // paused: nothing fed
  await json(["backfills", "resume", id, "--dir", dir]);
  await until(
    "runs to be fed",
    () => json<{ created: number }>(["backfills", "inspect", id, "--dir", dir]),
    (b) => b.created >= 2,
  );
  const cancelled = await json<{ status: string; created: number; runs: { active: number } }>([
    "backfills",
    "cancel",
    id,
    "--dir",
    dir,
  ]);
  expect(cancelled.status).toBe("cancelled");
  const after = await until(
    "its runs to end",
    () =>
      json<{ created: number; runs: { active: number } }>([
        "backfills",
        "inspect",
        id,
        "--dir",
        dir,
      ]),
    (b) => b.runs.active === 0,
  );
  expect(after.created).toBe(cancelled.created); // nothing fed after the cancel
  expect(after.created).toBeLessThan(31);

  const bad = await orch([
    "backfill",
    "etl",
    "--from",
    "soon",
    "--to",
    "2026-01-02",
    "--max-concurrency",
    "0",
    "--dir",
    dir,
  ]);
  expect(bad.code).toBe(2);
  expect(bad.stderr).toContain("--max-concurrency must be a whole number of at least 1");
}, 120_000);
