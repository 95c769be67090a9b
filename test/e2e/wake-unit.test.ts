import { mkdirSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { afterEach, expect, test } from "vitest";
import { orch, tempDir } from "../helpers.ts";

let cleanups: (() => void)[] = [];
afterEach(() => {
  for (const c of cleanups.reverse()) c();
  cleanups = [];
});

test("orch wake-unit writes a systemd timer with WakeSystem= (or pmset lines) for the next runs of wake: true schedules", async () => {
  const t = tempDir("orch-wake-");
  cleanups.push(t.cleanup);
  mkdirSync(join(t.dir, "flows"));
  writeFileSync(
    join(t.dir, "flows/etl.yaml"),
    [
      "deployments:",
      "  - name: etl",
      '    command: ["true"]',
      "    schedules:",
      '      - cron: "30 2 * * *"',
      "        timezone: Europe/Berlin",
      "        wake: true",
      "      - interval: 1m",
      "  - name: plain",
      '    command: ["true"]',
      "    schedules:",
      "      - interval: 1h",
      "",
    ].join("\n"),
  );
  const deployed = await orch(["deploy", "--dir", t.dir]);
  expect(deployed.code, deployed.stderr).toBe(0);

  const systemd = await orch([
    "wake-unit",
    "etl",
    "--format",
    "systemd",
    "--count",
    "3",
    "--lead",
    "2m",
    "--dir",
    t.dir,
  ]);
  expect(systemd.code, systemd.stderr).toBe(0);
  const calendar = [...systemd.stdout.matchAll(/^OnCalendar=(.*) UTC$/gm)].map((m) => m[1]!);
  expect(calendar).toHaveLength(3);
  // Only the wake: true schedule counts (not the 1-minute one): 02:28 Berlin, a day apart.
  for (const [i, at] of calendar.entries()) {
    const wake = Temporal.Instant.from(`${at.replace(" ", "T")}Z`).add({ minutes: 2 });
    expect(wake.toZonedDateTimeISO("Europe/Berlin").toPlainTime().toString()).toBe("02:30:00");
    if (i > 0) {
      const before = Temporal.Instant.from(`${calendar[i - 1]!.replace(" ", "T")}Z`);
      expect(wake.since(before).total("hours")).toBeGreaterThanOrEqual(23);
    }
  }
  expect(systemd.stdout).toContain("WakeSystem=true");
  expect(systemd.stdout).toContain("# ---- orch-wake-etl.timer");
  expect(systemd.stdout).toContain("# ---- orch-wake-etl.service");

  const pmset = await orch([
    "wake-unit",
    "etl",
    "--format",
    "pmset",
    "--count",
    "2",
    "--dir",
    t.dir,
  ]);
  expect(pmset.code, pmset.stderr).toBe(0);
  expect(
    pmset.stdout.match(/^pmset schedule wake "\d\d\/\d\d\/\d\d \d\d:\d\d:00"$/gm),
  ).toHaveLength(2);

  const none = await orch(["wake-unit", "plain", "--dir", t.dir]);
  expect(none.code).toBe(2);
  expect(none.stderr).toContain('add "wake: true" to the schedule');
  const bad = await orch(["wake-unit", "etl", "--format", "launchd", "--dir", t.dir]);
  expect(bad.code).toBe(2);
  expect(bad.stderr).toContain("must be systemd or pmset");
});
