import { copyFileSync, mkdirSync, writeFileSync } from "node:fs";
import { join, resolve } from "node:path";
import { afterEach, expect, test } from "vitest";
import { orch, spawnOrch, tempDir } from "../helpers.ts";

const FIXTURE = resolve(import.meta.dirname, "../fixtures/store-schema-7.db");

let cleanup = () => {};
afterEach(() => cleanup());

interface Doctor {
  report: {
    runs: number;
    largest: { deployment: string | null; log_lines: number }[];
    retention: { project: { source: string } | null };
    would_free: { runs: number; log_lines: number };
  };
  checks: { name: string; ok: boolean | null; detail: string }[];
}

test("orch doctor tells the store's size, its largest deployments by logs, what retention would free, and health", async () => {
  const t = tempDir();
  cleanup = t.cleanup;
  mkdirSync(join(t.dir, ".orch"), { mode: 0o700 });
  mkdirSync(join(t.dir, "flows"));
  copyFileSync(FIXTURE, join(t.dir, ".orch/orch.db"));
  // The fixture's two finished runs ended long before a minute ago.
  writeFileSync(
    join(t.dir, "flows/orch.yaml"),
    `retention: { runs: 1m, events: 90d }
deployments:
  - name: hello
    command: ["sh", "-c", "echo hello"]
  - name: broken
    command: ["sh", "-c", "exit 3"]
`,
  );
  expect((await orch(["deploy", "--dir", t.dir])).code).toBe(0);

  const json = await orch(["doctor", "--json", "--dir", t.dir]);
  expect(json.stderr).toBe("");
  expect(json.code).toBe(0);
  const doctor = JSON.parse(json.stdout) as Doctor;
  expect(doctor.report.retention.project?.source).toBe("flows/orch.yaml");
  expect(doctor.report.would_free).toMatchObject({ runs: 2, log_lines: 3 });
  expect(doctor.report.largest.map((d) => d.deployment).sort()).toEqual(["broken", "hello"]);
  const check = (name: string) => doctor.checks.find((c) => c.name === name);
  expect(check("integrity")?.ok).toBe(true);
  expect(check("server")).toMatchObject({ ok: null });
  expect(check("token mode")?.ok ?? true).toBe(true);

  const up = spawnOrch(["up", "--headless", "--port", "0", "--dir", t.dir]);
  try {
    await up.waitFor("orch is up at");
    const text = await orch(["doctor", "--dir", t.dir]);
    expect(text.code).toBe(0);
    expect(text.stdout).toContain("Largest deployments by logs");
    expect(text.stdout).toMatch(
      /Retention\n {2}runs 1m, logs all, events 90d \(set in flows\/orch\.yaml\)/,
    );
    expect(text.stdout).toMatch(/would delete now: 2 runs, 3 log lines/);
    expect(text.stdout).toMatch(/✔ server: answering at http:\/\/127\.0\.0\.1:\d+/);
    expect(text.stdout).toMatch(/✔ integrity: quick check ok/);
  } finally {
    up.proc.kill("SIGTERM");
    await up.proc.exited;
  }
});
