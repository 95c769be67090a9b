/**
 * Large projects, through the compiled binary (`dist/orch up --headless`): N deployments with an
 * interval schedule each (files of 1,000), from the start of the process to a healthy API, to
 * every next run planned (`project.loaded`) and to every horizon planned (`project.planned`);
 * health's latency while it loads; idle CPU between runs (right after the load, and once it has
 * settled) and RSS once loaded. Then a live redeploy: a file of 2,000 new deployments saved
 * beside them, until the last is planned, with health asked all along. Prints one JSON line, each figure beside its target.
 * `BENCH_SCALE=1000,10000` picks the sizes; `BENCH_SCALE_REDEPLOY=5000` the live project's
 * (0 leaves either out).
 */
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";

/** The executable measured: dist/orch, or another build (`ORCH_BENCH_BINARY`, a baseline). */
const BINARY = process.env.ORCH_BENCH_BINARY ?? join(import.meta.dirname, "../dist/orch");
const PER_FILE = 1000;
const IDLE_SECONDS = 10;
/** How long after the first idle measure the second (settled) one starts. */
const SETTLE_SECONDS = 10;

const round = (x: number, digits = 1) => Number(x.toFixed(digits));
const percentile = (xs: number[], p: number) => {
  const sorted = [...xs].sort((a, b) => a - b);
  return sorted[Math.min(sorted.length - 1, Math.floor((p / 100) * sorted.length))] ?? 0;
};
const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

/**
 * Half an hour from the benchmark's start: the hourly schedules' anchor, so their first runs come
 * long after it ends. Anchored at the epoch, a benchmark across the hour would run every
 * deployment once inside its measures.
 */
const ANCHOR = new Date(Date.now() + 30 * 60_000).toISOString();

/** A file of deployments `from` to `to` (exclusive), each on an hourly schedule. */
function definitions(prefix: string, from: number, to: number): string {
  let text = "deployments:\n";
  for (let i = from; i < to; i++) {
    text += `  - name: ${prefix}${i}\n    command: ["true"]\n    schedules:\n      - interval: 1h\n        anchor: "${ANCHOR}"\n`;
  }
  return text;
}

function writeProject(root: string, count: number, prefix = "d"): void {
  mkdirSync(join(root, "flows"), { recursive: true });
  for (let from = 0; from < count; from += PER_FILE) {
    const to = Math.min(count, from + PER_FILE);
    writeFileSync(join(root, "flows", `${prefix}${from}.yaml`), definitions(prefix, from, to));
  }
}

/** CPU seconds (user + system) a process has used, from /proc. */
function cpuSeconds(pid: number): number {
  const fields = readFileSync(`/proc/${pid}/stat`, "utf8").split(") ")[1]!.split(" ");
  return (Number(fields[11]) + Number(fields[12])) / 100;
}

/** The CPU a process uses over IDLE_SECONDS, in percent of a core. */
async function idlePercent(pid: number): Promise<number> {
  const before = cpuSeconds(pid);
  await sleep(IDLE_SECONDS * 1000);
  return ((cpuSeconds(pid) - before) / IDLE_SECONDS) * 100;
}

function rssMib(pid: number): number {
  const line = readFileSync(`/proc/${pid}/status`, "utf8")
    .split("\n")
    .find((l) => l.startsWith("VmRSS:"));
  return round(Number(line?.split(/\s+/)[1] ?? 0) / 1024);
}

/** A running `orch up` of a project, asked through its API. */
async function startOrch(root: string) {
  const started = performance.now();
  const proc = Bun.spawn([BINARY, "up", "--headless", "--dir", root, "--port", "0"], {
    stdout: "ignore",
    stderr: "pipe",
    env: { ...process.env, ORCH_BENCH_MARKER: root },
  });
  const stderr = new Response(proc.stderr).text();
  const serverFile = join(root, ".orch/server.json");
  let url = "";
  const deadline = Date.now() + 120_000;
  while (!url) {
    if (Date.now() > deadline || proc.exitCode !== null)
      throw new Error(`orch up did not start:\n${await stderr}`);
    try {
      url = JSON.parse(readFileSync(serverFile, "utf8")).url;
    } catch {
      await sleep(2);
    }
  }
  const token = readFileSync(join(root, ".orch/token"), "utf8").trim();
  const get = async (path: string) => {
    const res = await fetch(`${url}${path}`, { headers: { authorization: `Bearer ${token}` } });
    if (!res.ok) throw new Error(`${path}: ${res.status}`);
    return res.json();
  };
  // Healthy: the first answer of GET /api/health, counted from the spawn.
  for (;;) {
    try {
      if ((await fetch(`${url}/api/health`)).ok) break;
    } catch {}
    await sleep(2);
  }
  const healthyMs = performance.now() - started;
  return {
    proc,
    url,
    get,
    started,
    healthyMs,
    async stop() {
      proc.kill("SIGTERM");
      await proc.exited;
    },
  };
}

/** Ask health back to back until `done` resolves; the latencies (ms). */
async function probeHealth(url: string, done: Promise<unknown>) {
  const latencies: number[] = [];
  let over = false;
  void done.finally(() => {
    over = true;
  });
  while (!over) {
    const t = performance.now();
    await (await fetch(`${url}/api/health`)).arrayBuffer();
    latencies.push(performance.now() - t);
    await sleep(5);
  }
  return {
    requests: latencies.length,
    p50: round(percentile(latencies, 50), 2),
    p99: round(percentile(latencies, 99), 2),
    max: round(Math.max(0, ...latencies), 2),
    target_max: 50,
  };
}

/** Wait (polling the API) until `check` says yes. */
async function until(check: () => Promise<boolean>, timeoutMs = 600_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!(await check())) {
    if (Date.now() > deadline) throw new Error("timed out");
    await sleep(20);
  }
}

type Get = (path: string) => Promise<unknown>;

/**
 * How many runs of a deployment are planned (SCHEDULED), 0 while it is not deployed yet. The
 * deployments are planned by name: the last name is the last planned, in each round.
 */
async function plannedRuns(get: Get, name: string): Promise<number> {
  try {
    // The listing is a JSON array (its next page's cursor is a header); planned runs only
    // with planned=true.
    const runs = (await get(`/api/runs?deployment=${name}&planned=true&limit=100`)) as {
      state: string;
    }[];
    return runs.filter((r) => r.state === "SCHEDULED").length;
  } catch {
    return 0;
  }
}

/** Start N deployments: healthy, loaded, health meanwhile, idle CPU, RSS. */
async function benchStart(count: number, targets: { healthy: number; planned: number }) {
  const root = mkdtempSync(join(tmpdir(), "orch-bench-scale-"));
  try {
    writeProject(root, count);
    const orch = await startOrch(root);
    try {
      // Next runs planned: the last deployment has one (the worker runs then); fully planned:
      // it has its whole horizon (the next day of an hourly schedule: ten runs).
      let loadedMs = 0;
      let loadedCpu = 0;
      const last = `d${[...Array(count).keys()].map(String).sort().at(-1)}`;
      const planned = until(async () => {
        const n = await plannedRuns(orch.get, last);
        if (!loadedMs && n > 0) {
          loadedMs = performance.now() - orch.started;
          loadedCpu = cpuSeconds(orch.proc.pid);
        }
        return n >= 10;
      });
      const health = await probeHealth(orch.url, planned);
      await planned;
      const plannedMs = performance.now() - orch.started;
      // The server's CPU time to each point: what a busy machine's wall times hide.
      const plannedCpu = cpuSeconds(orch.proc.pid);
      const lastRow = (await orch.get(`/api/deployments/${last}`)) as { next_run: string };
      const idleCpu = await idlePercent(orch.proc.pid);
      // Once the load has settled: the first seconds after it still hold its aftermath (the
      // collector and the allocator giving back its garbage, the log's last pass), which an
      // idle server does not do again.
      await sleep(SETTLE_SECONDS * 1000);
      const settledCpu = await idlePercent(orch.proc.pid);
      return {
        deployments: count,
        healthy_s: round(orch.healthyMs / 1000, 3),
        healthy_target_s: targets.healthy,
        next_runs_planned_s: round(loadedMs / 1000, 2),
        fully_planned_s: round(plannedMs / 1000, 2),
        fully_planned_target_s: targets.planned,
        cpu_s: { next_runs_planned: round(loadedCpu, 2), fully_planned: round(plannedCpu, 2) },
        last_next_run: lastRow.next_run,
        health_while_loading_ms: health,
        idle_cpu_percent_of_a_core: round(idleCpu, 2),
        idle_cpu_settled_percent_of_a_core: round(settledCpu, 2),
        idle_cpu_target_percent: 2,
        rss_mib: rssMib(orch.proc.pid),
        rss_target_mib: 300,
      };
    } finally {
      await orch.stop();
    }
  } finally {
    rmSync(root, { recursive: true, force: true });
  }
}

/** A file of 2,000 new deployments saved into a running project of `live`. */
async function benchRedeploy(live: number, added = 2000) {
  const root = mkdtempSync(join(tmpdir(), "orch-bench-redeploy-"));
  try {
    writeProject(root, live);
    const orch = await startOrch(root);
    try {
      const lastLive = `d${[...Array(live).keys()].map(String).sort().at(-1)}`;
      await until(async () => (await plannedRuns(orch.get, lastLive)) >= 10);
      const last = `n${added - 1}`;
      const saved = performance.now();
      const cpuBefore = cpuSeconds(orch.proc.pid);
      writeFileSync(join(root, "flows", "new.yaml"), definitions("n", 0, added));
      const planned = until(async () => {
        try {
          const d = (await orch.get(`/api/deployments/${last}`)) as { next_run: string | null };
          return d.next_run !== null;
        } catch {
          return false;
        }
      });
      const health = await probeHealth(orch.url, planned);
      await planned;
      return {
        live_deployments: live,
        added,
        live_s: round((performance.now() - saved) / 1000, 2),
        live_target_s: 3,
        cpu_s: round(cpuSeconds(orch.proc.pid) - cpuBefore, 2),
        health_during_ms: health,
      };
    } finally {
      await orch.stop();
    }
  } finally {
    rmSync(root, { recursive: true, force: true });
  }
}

/** Every size asked for, then the live redeploy. */
export async function benchScale() {
  const sizes = (process.env.BENCH_SCALE ?? "1000,10000")
    .split(",")
    .map(Number)
    .filter((n) => n > 0);
  const start = [];
  for (const n of sizes) {
    start.push(
      await benchStart(n, n >= 10_000 ? { healthy: 1, planned: 15 } : { healthy: 0.5, planned: 2 }),
    );
  }
  // BENCH_SCALE_REDEPLOY=0 leaves the live redeploy out; BENCH_SCALE=0 the starts.
  const live = Number(process.env.BENCH_SCALE_REDEPLOY ?? 5000);
  const redeploy = live > 0 ? await benchRedeploy(live) : null;
  return { start, redeploy };
}

if (import.meta.main) console.log(JSON.stringify({ scale: await benchScale() }));
