import { readFileSync } from "node:fs";
import { join } from "node:path";
import { afterAll, beforeAll, expect, test } from "vitest";
import { orch, projectServer, tempDir } from "../helpers.ts";

// A backfill runs past slots only: a range that reaches slots still to come is refused, by the
// CLI (exit 2) and the API (400 naming the field), before any run is made.
let dir: string;
let cleanup: () => void;
const server = projectServer(() => dir);

beforeAll(async () => {
  ({ dir, cleanup } = tempDir("orch-backfill-future-"));
  await Bun.write(
    join(dir, "flows/bf.yaml"),
    [
      "deployments:",
      "  - name: daily",
      '    command: ["true"]',
      "    include: []",
      "    schedules:",
      '      - cron: "0 6 * * *"',
      "        timezone: Europe/Berlin",
      "        catchup: none",
      "  - name: yearly",
      '    command: ["true"]',
      "    include: []",
      "    schedules:",
      '      - cron: "0 0 1 1 *"',
      "        timezone: UTC",
      "        catchup: none",
      "",
    ].join("\n"),
  );
  await server.start();
});

afterAll(async () => {
  await server.stop();
  cleanup();
});

const day = (offsetDays: number) =>
  new Date(Date.now() + offsetDays * 86_400_000).toISOString().slice(0, 10);

test("orch backfill refuses a range in the future with exit 2 and says what to do", async () => {
  const ahead = await orch(["backfill", "daily", "--from", day(-3), "--to", day(30), "--dir", dir]);
  expect(ahead.code).toBe(2);
  expect(ahead.stderr).toContain(`to: ${day(30)} takes in slots still to come (the first at `);
  expect(ahead.stderr).toMatch(
    /a backfill runs past slots only \(at or before now, \d{4}-.*Z\); the schedule runs later ones when they come; end the range at now or earlier/,
  );
  const later = await orch(["backfill", "daily", "--from", day(30), "--to", day(31), "--dir", dir]);
  expect(later.code).toBe(2);
  expect(later.stderr).toContain(`from: ${day(30)} is in the future`);
  // A dry run is held to the same rule: it lists what a backfill would run.
  const dry = await orch(["backfill", "daily", "--from", day(30), "--to", day(31), "--dry-run"], {
    cwd: dir,
  });
  expect(dry.code).toBe(2);
  const listed = await orch(["backfills", "ls", "--json", "--dir", dir]);
  expect(JSON.parse(listed.stdout)).toEqual([]);
});

test("a --to a little after now is fine when no slot falls after now", async () => {
  const soon = new Date(Date.now() + 60_000).toISOString();
  const ran = await orch(
    ["backfill", "yearly", "--from", "2025-12-31", "--to", soon, "--dry-run", "--json"],
    { cwd: dir },
  );
  expect(ran.code, ran.stderr).toBe(0);
  expect(JSON.parse(ran.stdout).total).toBeGreaterThanOrEqual(1);
});

test("the API answers 400 with a JSON body that names the field", async () => {
  const { url } = JSON.parse(readFileSync(join(dir, ".orch/server.json"), "utf8"));
  const token = readFileSync(join(dir, ".orch/token"), "utf8").trim();
  const res = await fetch(`${url}/api/backfills`, {
    method: "POST",
    headers: { authorization: `Bearer ${token}`, "content-type": "application/json" },
    body: JSON.stringify({ deployment: "daily", from: day(-3), to: day(30) }),
  });
  expect(res.status).toBe(400);
  const body = (await res.json()) as {
    error: { code: string; problems: { where: string; message: string }[] };
  };
  expect(body.error.code).toBe("E_BAD_INPUT");
  expect(body.error.problems).toEqual([
    { where: "to", message: expect.stringContaining("takes in slots still to come") },
  ]);
});
