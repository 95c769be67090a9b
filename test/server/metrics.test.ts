import parsePrometheusTextFormat from "parse-prometheus-text-format";
import { afterAll, beforeAll, expect, test } from "vitest";
import { createClient } from "../../src/client/index.ts";
import { type OrchServer, startServer } from "../../src/server/index.ts";
import { tempDir } from "../helpers.ts";

const FLOWS = `deployments:
  - name: ok
    command: ["sh", "-c", "echo one; sleep 0.05; echo two"]
  - name: fails
    command: ["sh", "-c", "echo failing; exit 3"]
  - name: nobody-takes
    command: ["true"]
    work_pool: elsewhere
`;

let server: OrchServer;
let cleanup: () => void;

beforeAll(async () => {
  const t = tempDir();
  cleanup = t.cleanup;
  await Bun.write(`${t.dir}/flows/a.yaml`, FLOWS);
  server = await startServer({ dir: t.dir, port: 0 });
});
afterAll(async () => {
  await server.stop();
  cleanup();
});

async function until<T>(what: string, fn: () => Promise<T | undefined>, ms = 15_000): Promise<T> {
  const deadline = Date.now() + ms;
  for (;;) {
    const value = await fn();
    if (value !== undefined) return value;
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await Bun.sleep(20);
  }
}

type Family = ReturnType<typeof parsePrometheusTextFormat>[number];

/**
 * One series of a histogram, read by the parser. It folds a family's labelled series into one
 * and drops their labels (with _sum and _count), so the series is given to it alone, with the
 * labels that pick it taken off.
 */
function histogramSeries(text: string, name: string, labels: Record<string, string>) {
  const picked = Object.entries(labels).map(([k, v]) => `${k}="${v}"`);
  const lines = text
    .split("\n")
    .filter(
      (line) =>
        line === `# HELP ${name}` ||
        line.startsWith(`# HELP ${name} `) ||
        line === `# TYPE ${name} histogram` ||
        (line.startsWith(name) && picked.every((p) => line.includes(p))),
    )
    .map((line) =>
      picked.reduce((l, p) => l.replace(`${p},`, "").replace(p, ""), line).replace("{}", ""),
    );
  const [family] = parsePrometheusTextFormat(`${lines.join("\n")}\n`);
  expect(family?.name).toBe(name);
  expect(family!.metrics).toHaveLength(1);
  const series = family!.metrics[0]!;
  return { buckets: series.buckets ?? {}, count: series.count, sum: series.sum };
}

test("GET /metrics is Prometheus text a real parser reads: runs, durations, queue, workers, logs, size", async () => {
  const client = createClient({ url: server.url, token: server.token });
  const ok = await client.triggerRun("ok");
  const fails = await client.triggerRun("fails");
  await client.triggerRun("nobody-takes");
  for (const id of [ok.id, fails.id]) {
    await until(`run ${id} to end`, async () => {
      const run = await client.getRun(id);
      return ["COMPLETED", "FAILED"].includes(run.state) ? run : undefined;
    });
  }

  const res = await fetch(`${server.url}/metrics`, {
    headers: { authorization: `Bearer ${server.token}` },
  });
  expect(res.status).toBe(200);
  expect(res.headers.get("content-type")).toMatch(/^text\/plain; version=0\.0\.4/);
  const text = await res.text();
  const families = parsePrometheusTextFormat(text);
  const family = (name: string): Family => {
    const found = families.find((f) => f.name === name);
    if (!found) throw new Error(`no family ${name} in ${families.map((f) => f.name).join(", ")}`);
    return found;
  };
  const value = (name: string, labels: Record<string, string> = {}) =>
    (family(name).metrics as { labels?: Record<string, string>; value: string }[]).find((m) =>
      Object.entries(labels).every(([k, v]) => m.labels?.[k] === v),
    )?.value;

  expect(family("orch_flow_runs").type).toBe("GAUGE");
  expect(value("orch_flow_runs", { deployment: "ok", state: "COMPLETED" })).toBe("1");
  expect(value("orch_flow_runs", { deployment: "fails", state: "FAILED" })).toBe("1");
  expect(value("orch_queue_depth", { pool: "elsewhere", queue: "default" })).toBe("1");
  // A queue with nothing waiting is there at 0, not missing.
  expect(value("orch_queue_depth", { pool: "default", queue: "default" })).toBe("0");
  expect(value("orch_workers", { pool: "default", status: "online" })).toBe("1");
  expect(Number(value("orch_log_lines"))).toBeGreaterThanOrEqual(3);
  expect(value("orch_late_runs")).toBe("0");
  expect(Number(value("orch_store_size_bytes"))).toBeGreaterThan(0);
  expect(family("orch_store_free_bytes").type).toBe("GAUGE");

  expect(family("orch_flow_run_duration_seconds").type).toBe("HISTOGRAM");
  const ok1 = histogramSeries(text, "orch_flow_run_duration_seconds", {
    deployment: "ok",
    state: "COMPLETED",
  });
  expect(ok1.count).toBe("1");
  // The run slept 50 ms between its lines: its duration holds at least that.
  expect(Number(ok1.sum)).toBeGreaterThanOrEqual(0.05);
  expect(ok1.buckets["+Inf"]).toBe("1");
  expect(ok1.buckets["21600"]).toBe("1");
  expect(Object.keys(ok1.buckets)).toContain("0.1");
  // Buckets are cumulative.
  const counts = Object.entries(ok1.buckets)
    .sort(([a], [b]) => Number(a) - Number(b))
    .map(([, n]) => Number(n));
  expect(counts).toEqual([...counts].sort((a, b) => a - b));
  expect(
    histogramSeries(text, "orch_flow_run_duration_seconds", {
      deployment: "fails",
      state: "FAILED",
    }).count,
  ).toBe("1");
});

test("GET /metrics needs the token, like every route", async () => {
  const res = await fetch(`${server.url}/metrics`);
  expect(res.status).toBe(401);
  expect(((await res.json()) as { error: { code: string } }).error.code).toBe("E_UNAUTHORIZED");
});
