/**
 * The run engine's benchmark: trigger-to-COMPLETED latency and throughput of a `["true"]`
 * deployment through the real store and embedded worker, each beside raw `Bun.spawn(["true"])`
 * measured in the same process at the same concurrency, log ingestion of a flow printing a
 * million lines beside the same lines read through a pipe (stored nowhere), and how soon a run waiting for a slot is claimed once the slot frees.
 */
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { specWithDefaults } from "../src/core/index.ts";
import { deployFolder } from "../src/definitions/index.ts";
import {
  countLogs,
  createRun,
  type DeploymentRow,
  openStore,
  type RunRow,
  type Store,
} from "../src/store/index.ts";
import { becomeSubreaper, startEmbeddedWorker } from "../src/worker/index.ts";
import { pipeLinesPerSecond } from "./bench-pipe.ts";

/** How many times a freed slot is measured, and the target each is held to. */
const FREED_SLOT_SAMPLES = 30;
const FREED_SLOT_TARGET_MS = 50;

export interface RunsBenchOptions {
  runs: number;
  latency: number;
  concurrency: number;
  lines: number;
}

/** Run the engine's benchmark; returns the figures. */
export async function benchRuns(options: RunsBenchOptions) {
  const RUNS = options.runs;
  const LATENCY_SAMPLES = options.latency;
  const CONCURRENCY = options.concurrency;
  const LINES = options.lines;

  const dir = mkdtempSync(join(tmpdir(), "orch-bench-"));
  const store = openStore(join(dir, "orch.db"));
  const bundlesDir = join(dir, "bundles");

  function deploy(name: string, command: string[], workPool = "default"): DeploymentRow {
    const folder = join(dir, "src", name);
    mkdirSync(folder, { recursive: true });
    writeFileSync(join(folder, "README.md"), `${name}\n`);
    const spec = specWithDefaults({ name, command, work_pool: workPool });
    return deployFolder(store, bundlesDir, folder, spec).deployment;
  }

  const trigger = (d: DeploymentRow, workPool = "default"): RunRow =>
    createRun(store, { deploymentId: d.id, deployment: d.name, version: d.version, workPool });

  /** Resolves when each of the given runs has finished (from store events, no polling). */
  function whenFinished(s: Store): (runId: string) => Promise<void> {
    const waiting = new Map<string, () => void>();
    s.subscribe((e) => {
      if (!e.resource) return;
      if (e.name === "flow-run.completed") waiting.get(e.resource)?.();
      else if (e.name === "flow-run.failed" || e.name === "flow-run.crashed") {
        throw new Error(`run ${e.resource} did not complete: ${e.payload}`);
      }
    });
    return (runId) =>
      new Promise((resolve) => {
        waiting.set(runId, () => {
          waiting.delete(runId);
          resolve();
        });
      });
  }

  const percentile = (xs: number[], p: number) => {
    const sorted = [...xs].sort((a, b) => a - b);
    return sorted[Math.min(sorted.length - 1, Math.floor((p / 100) * sorted.length))]!;
  };
  const round = (x: number, digits = 2) => Number(x.toFixed(digits));

  async function rawLatency(samples: number): Promise<number[]> {
    const times: number[] = [];
    for (let i = 0; i < samples; i++) {
      const t = performance.now();
      await Bun.spawn(["true"]).exited;
      times.push(performance.now() - t);
    }
    return times;
  }

  async function rawThroughput(total: number, concurrency: number): Promise<number> {
    let next = 0;
    const t = performance.now();
    await Promise.all(
      Array.from({ length: concurrency }, async () => {
        while (next++ < total) await Bun.spawn(["true"]).exited;
      }),
    );
    return total / ((performance.now() - t) / 1000);
  }

  const finished = whenFinished(store);
  // As orch up does: runs' leftovers are found among our children, not by a pass over /proc.
  becomeSubreaper();
  const worker = await startEmbeddedWorker({
    store,
    bundlesDir,
    runsDir: join(dir, "runs"),
    concurrency: CONCURRENCY,
  });
  const truth = deploy("true", ["true"]);

  // Warm up both paths (first spawns, statement caches, the bundle's materialization).
  await rawLatency(20);
  for (let i = 0; i < 20; i++) {
    const run = trigger(truth);
    await finished(run.id);
  }

  const raw = await rawLatency(LATENCY_SAMPLES);
  const orch: number[] = [];
  for (let i = 0; i < LATENCY_SAMPLES; i++) {
    const t = performance.now();
    const run = trigger(truth);
    await finished(run.id);
    orch.push(performance.now() - t);
  }

  const rawRate = await rawThroughput(RUNS, CONCURRENCY);
  const started = performance.now();
  const burst = store.tx(() => Array.from({ length: RUNS }, () => trigger(truth)));
  await Promise.all(burst.map((r) => finished(r.id)));
  const orchRate = RUNS / ((performance.now() - started) / 1000);

  const pipeRate = await pipeLinesPerSecond(LINES);
  const chatty = deploy("chatty", ["seq", "1", String(LINES)]);
  const logStart = performance.now();
  const logRun = trigger(chatty);
  await finished(logRun.id);
  const logSeconds = (performance.now() - logStart) / 1000;
  const stored = countLogs(store, logRun.seq);
  if (stored !== LINES) throw new Error(`stored ${stored} of ${LINES} lines`);

  await worker.stop();

  // A freed slot: a worker of one slot runs `hold`; `next` waits for it. The figure is the time
  // from hold's COMPLETED to next's PENDING, both seen as store events in this process.
  const single = await startEmbeddedWorker({
    store,
    bundlesDir,
    runsDir: join(dir, "runs"),
    pool: "single",
    concurrency: 1,
  });
  const hold = deploy("hold", ["sleep", "0.02"], "single");
  const next = deploy("next", ["true"], "single");
  const slotGaps: number[] = [];
  for (let i = 0; i < FREED_SLOT_SAMPLES; i++) {
    const first = trigger(hold, "single");
    const second = trigger(next, "single");
    let freedAt = 0;
    const claimed = new Promise<number>((resolve) => {
      const unsubscribe = store.subscribe((e) => {
        if (e.resource === first.id && e.name === "flow-run.completed") freedAt = performance.now();
        if (e.resource === second.id && e.name === "flow-run.pending") {
          unsubscribe();
          resolve(performance.now());
        }
      });
    });
    const claimedAt = await claimed;
    await finished(second.id);
    slotGaps.push(claimedAt - freedAt);
  }
  await single.stop();
  store.close();
  rmSync(dir, { recursive: true, force: true });

  const result = {
    concurrency: CONCURRENCY,
    latency_ms: {
      orch_p50: round(percentile(orch, 50)),
      orch_p95: round(percentile(orch, 95)),
      raw_p50: round(percentile(raw, 50)),
      raw_p95: round(percentile(raw, 95)),
      p50_ratio: round(percentile(orch, 50) / percentile(raw, 50)),
    },
    throughput_runs_per_s: {
      runs: RUNS,
      orch: Math.round(orchRate),
      raw: Math.round(rawRate),
      ratio: round(orchRate / rawRate),
    },
    logs: {
      lines: LINES,
      seconds: round(logSeconds, 3),
      lines_per_s: Math.round(LINES / logSeconds),
      pipe_lines_per_s: pipeRate,
      ratio_to_pipe: round(LINES / logSeconds / pipeRate),
    },
    freed_slot_to_claim_ms: {
      samples: FREED_SLOT_SAMPLES,
      p50: round(percentile(slotGaps, 50)),
      max: round(Math.max(...slotGaps)),
      target_max: FREED_SLOT_TARGET_MS,
    },
    targets_met: {
      latency_p50_within_3x_raw: percentile(orch, 50) <= 3 * percentile(raw, 50),
      throughput_at_least_half_raw: orchRate >= 0.5 * rawRate,
      logs_at_least_100k_per_s: LINES / logSeconds >= 100_000,
      freed_slot_claimed_within_50ms: Math.max(...slotGaps) < FREED_SLOT_TARGET_MS,
    },
  };
  return result;
}
