/**
 * The API as users reach it: `orch up --headless` in its own process, driven over HTTP the way a
 * client does (trigger with POST, see the run end on the event stream, asking it for runs' ends), each figure beside its
 * baseline taken in the same run: raw `Bun.spawn(["true"])` in this process at the same
 * concurrency, and a bare Bun.serve (its own process) answering the same health JSON.
 */
import {
  existsSync,
  mkdirSync,
  mkdtempSync,
  readdirSync,
  readFileSync,
  rmSync,
  writeFileSync,
} from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";

const ROOT = join(import.meta.dir, "..");

export interface HttpBenchOptions {
  /** Runs triggered at once for the throughput figure. */
  runs: number;
  /** One-at-a-time samples for latencies. */
  latency: number;
  /** The embedded worker's concurrency, and raw spawn's. */
  concurrency: number;
  /**
   * Runs one at a time before the one-at-a-time figure (default WARM_RUNS): a server that has
   * run this many is past its compiler's warm-up. The figure after 20 is reported beside it.
   */
  warmRuns?: number;
}

/**
 * Why a long warm-up: the JavaScript engine compiles a function to faster code only once it has
 * run often enough, and one run's way through the server runs most of its code once; 200 runs
 * after 20 are still largely interpreted (a lone run's server CPU was 20 % higher than after
 * 1,500). A server that has been up a while is past it; the cold figure stays in the output.
 */
const WARM_RUNS = 1500;

/** Lone runs measured interleaved with raw spawn (see interleaved). */
const INTERLEAVED = 2000;

/** Rounds of a burst of orch and one of raw spawn, in turn (which goes first alternates). */
const BURST_ROUNDS = 6;

/** The middle value, or the mean of the two middle ones. */
const median = (xs: number[]) => {
  const sorted = [...xs].sort((a, b) => a - b);
  const mid = sorted.length >> 1;
  return sorted.length % 2 ? sorted[mid]! : (sorted[mid - 1]! + sorted[mid]!) / 2;
};

const percentile = (xs: number[], p: number) => {
  const sorted = [...xs].sort((a, b) => a - b);
  return sorted[Math.min(sorted.length - 1, Math.floor((p / 100) * sorted.length))]!;
};
const round = (x: number, digits = 2) => Number(x.toFixed(digits));

/** A child process that prints or writes where it listens; killed by stop(). */
interface Served {
  url: string;
  headers: Record<string, string>;
  /** CPU the server's process has used so far (user + system, all its threads), in ms. */
  cpuMs(): number;
  /** The same by thread: `main` (the JavaScript thread) and the others by their kernel names. */
  threadCpuMs(): Map<string, number>;
  stop(): Promise<void>;
}

/** CPU time of a process (Linux /proc; clock ticks of 10 ms), in ms; 0 where it cannot be read. */
function cpuMsOf(pid: number): number {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, "latin1");
    const fields = stat.slice(stat.lastIndexOf(")") + 2).split(" ");
    return (Number(fields[11]) + Number(fields[12])) * 10;
  } catch {
    return 0;
  }
}

/**
 * CPU time of each thread of a process (Linux /proc), in ms: the main thread as `main`, the others
 * summed by their names without digits (`Bun Pool 0` and `Bun Pool 1` are `Bun Pool`).
 */
function threadCpuMsOf(pid: number): Map<string, number> {
  const byName = new Map<string, number>();
  let tids: string[] = [];
  try {
    tids = readdirSync(`/proc/${pid}/task`);
  } catch {
    return byName;
  }
  for (const tid of tids) {
    try {
      const stat = readFileSync(`/proc/${pid}/task/${tid}/stat`, "latin1");
      const comm = stat.slice(stat.indexOf("(") + 1, stat.lastIndexOf(")"));
      const fields = stat.slice(stat.lastIndexOf(")") + 2).split(" ");
      const name = tid === String(pid) ? "main" : comm.replace(/[\d\s]+$/, "");
      const ms = (Number(fields[11]) + Number(fields[12])) * 10;
      byName.set(name, (byName.get(name) ?? 0) + ms);
    } catch {
      // A thread that ended meanwhile.
    }
  }
  return byName;
}

/** BENCH_ORCH_PROFILE=DIR: each orch writes a CPU profile under DIR/idle or DIR/worker. */
function profileEnv(args: string[]): Record<string, string> {
  const dir = process.env.BENCH_ORCH_PROFILE;
  if (!dir) return {};
  const where = join(dir, args.includes("--no-worker") ? "idle" : "worker");
  return { BUN_OPTIONS: `--cpu-prof --cpu-prof-dir=${where}` };
}

/** `orch up --headless` for a project of one `true` deployment, from source, in its own process. */
async function orchUp(args: string[], concurrency: number): Promise<Served> {
  const root = mkdtempSync(join(tmpdir(), "orch-bench-http-"));
  mkdirSync(join(root, "flows"));
  writeFileSync(
    join(root, "flows", "bench.yaml"),
    'deployments:\n  - name: "true"\n    command: ["true"]\n',
  );
  // BENCH_ORCH_BIN runs another orch (the compiled dist/orch, e.g. under BUN_OPTIONS=--cpu-prof).
  const orch = process.env.BENCH_ORCH_BIN
    ? [process.env.BENCH_ORCH_BIN]
    : [process.execPath, join(ROOT, "src/main.ts")];
  const proc = Bun.spawn(
    [
      ...orch,
      "up",
      "--headless",
      "--port",
      "0",
      "--dir",
      root,
      "--concurrency",
      String(concurrency),
      ...args,
    ],
    { stdout: "pipe", stderr: "pipe", cwd: root, env: { ...process.env, ...profileEnv(args) } },
  );
  // Drained as a terminal would be: the server's log lines are part of what it does.
  void new Response(proc.stdout).arrayBuffer();
  const stderr = new Response(proc.stderr).text();
  const serverFile = join(root, ".orch", "server.json");
  const deadline = performance.now() + 60_000;
  while (!existsSync(serverFile)) {
    if (proc.exitCode !== null || performance.now() > deadline)
      throw new Error(`orch up did not start: ${await stderr}`);
    await Bun.sleep(20);
  }
  const { url } = JSON.parse(readFileSync(serverFile, "utf8")) as { url: string };
  const token = readFileSync(join(root, ".orch", "token"), "utf8").trim();
  return {
    url,
    headers: { authorization: `Bearer ${token}`, "content-type": "application/json" },
    cpuMs: () => cpuMsOf(proc.pid),
    threadCpuMs: () => threadCpuMsOf(proc.pid),
    async stop() {
      proc.kill("SIGTERM");
      await proc.exited;
      rmSync(root, { recursive: true, force: true });
    },
  };
}

/** The bare Bun.serve of bench-bare-serve.ts. */
async function bareServe(): Promise<Served> {
  const proc = Bun.spawn([process.execPath, join(import.meta.dir, "bench-bare-serve.ts")], {
    stdout: "pipe",
    stderr: "inherit",
  });
  const reader = proc.stdout.getReader();
  let text = "";
  while (!text.includes("\n")) {
    const { value, done } = await reader.read();
    if (done) throw new Error("the bare server did not start");
    text += new TextDecoder().decode(value);
  }
  return {
    url: text.trim(),
    headers: {},
    cpuMs: () => cpuMsOf(proc.pid),
    threadCpuMs: () => threadCpuMsOf(proc.pid),
    async stop() {
      proc.kill();
      await proc.exited;
    },
  };
}

/** What a client waiting for runs to end asks the event stream for: their ends. */
const END_EVENTS = "flow-run.completed,flow-run.failed,flow-run.crashed,flow-run.cancelled";

/**
 * Follows the event stream as a client does; `ended(id)` resolves when the run COMPLETED.
 * `prefix`: the events it asks for (default END_EVENTS; "flow-run." follows every state, as a
 * monitor does).
 */
async function followRuns(server: Served, prefix = END_EVENTS) {
  const res = await fetch(`${server.url}/api/events/stream?prefix=${prefix}`, {
    headers: server.headers,
  });
  if (!res.ok || !res.body) throw new Error(`the event stream answered ${res.status}`);
  const completed = new Set<string>();
  const waiting = new Map<string, () => void>();
  let failure: string | null = null;
  const reader = res.body.getReader();
  const decoder = new TextDecoder();
  void (async () => {
    let buffer = "";
    for (;;) {
      const { value, done } = await reader.read();
      if (done) return;
      buffer += decoder.decode(value, { stream: true });
      let end = buffer.indexOf("\n\n");
      while (end >= 0) {
        const message = buffer.slice(0, end);
        buffer = buffer.slice(end + 2);
        end = buffer.indexOf("\n\n");
        const data = message.split("\n").find((l) => l.startsWith("data: "));
        if (!data) continue;
        const event = JSON.parse(data.slice(6)) as { name: string; resource: string };
        if (event.name === "flow-run.completed") {
          completed.add(event.resource);
          waiting.get(event.resource)?.();
        } else if (event.name === "flow-run.failed" || event.name === "flow-run.crashed") {
          failure = `run ${event.resource} ended ${event.name}`;
        }
      }
    }
  })();
  return {
    ended(id: string): Promise<void> {
      if (failure) throw new Error(failure);
      if (completed.has(id)) return Promise.resolve();
      return new Promise((resolve) => waiting.set(id, resolve));
    },
    close: () => reader.cancel(),
  };
}

/** POST a run of `true`; its id. */
async function trigger(server: Served): Promise<string> {
  const res = await fetch(`${server.url}/api/deployments/true/runs`, {
    method: "POST",
    headers: server.headers,
    body: "{}",
  });
  if (res.status !== 201) throw new Error(`triggering answered ${res.status}: ${await res.text()}`);
  return ((await res.json()) as { id: string }).id;
}

/** Milliseconds each of `samples` calls of `fn` took, one at a time. */
async function timeEach(samples: number, fn: () => Promise<unknown>): Promise<number[]> {
  const times: number[] = [];
  for (let i = 0; i < samples; i++) {
    const t = performance.now();
    await fn();
    times.push(performance.now() - t);
  }
  return times;
}

/** Lone run round trips and raw spawns, one of each in turn (which goes first alternates). */
async function interleaved(samples: number, roundTrip: () => Promise<unknown>) {
  const orch: number[] = [];
  const raw: number[] = [];
  const time = async (fn: () => Promise<unknown>, into: number[]) => {
    const t = performance.now();
    await fn();
    into.push(performance.now() - t);
  };
  const spawn = () => Bun.spawn(["true"]).exited;
  for (let i = 0; i < samples; i++) {
    if (i % 2) {
      await time(roundTrip, orch);
      await time(spawn, raw);
    } else {
      await time(spawn, raw);
      await time(roundTrip, orch);
    }
  }
  return { orch, raw };
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

/** GET /api/health of each server, interleaved in rounds so both see the same load. */
async function healthTimes(servers: Served[], samples: number): Promise<number[][]> {
  const times: number[][] = servers.map(() => []);
  const get = (s: Served) => fetch(`${s.url}/api/health`).then((r) => r.arrayBuffer());
  for (const s of servers) await timeEach(50, () => get(s));
  for (let round = 0; round < 10; round++) {
    for (const [i, s] of servers.entries()) {
      times[i]!.push(...(await timeEach(samples / 10, () => get(s))));
    }
  }
  return times;
}

/** Run the through-HTTP benchmark; returns the figures. */
export async function benchApiHttp(options: HttpBenchOptions) {
  const { runs, latency, concurrency } = options;
  const bare = await bareServe();
  const idle = await orchUp(["--no-worker"], concurrency);
  const orch = await orchUp([], concurrency);
  try {
    const [orchHealth = [], bareHealth = []] = await healthTimes([idle, bare], 2000);
    // Creating a run, one at a time, on a server with no worker (nothing else competes).
    await timeEach(50, () => trigger(idle));
    const post = await timeEach(latency * 2, () => trigger(idle));

    const stream = await followRuns(orch);
    const roundTrip = async () => stream.ended(await trigger(orch));
    await timeEach(20, roundTrip);
    await timeEach(20, () => Bun.spawn(["true"]).exited);
    const raw = await timeEach(latency, () => Bun.spawn(["true"]).exited);
    // What one run alone cost the server (its JavaScript thread, and all of it): CPU time barely
    // moves with the machine's load, where the wall time does.
    const alone = async () => {
      const before = orch.threadCpuMs();
      const times = await timeEach(latency, roundTrip);
      const after = orch.threadCpuMs();
      const cpuMs = (name?: string) => {
        let ms = 0;
        for (const [thread, end] of after) {
          if (name === undefined || thread === name) ms += end - (before.get(thread) ?? 0);
        }
        return round(ms / latency);
      };
      return { times, all: cpuMs(), main: cpuMs("main") };
    };
    const cold = await alone();
    const warmRuns = options.warmRuns ?? WARM_RUNS;
    await timeEach(Math.max(0, warmRuns - 20 - latency), roundTrip);
    const warm = await alone();
    const through = warm.times;

    // The same two, interleaved with raw spawn sample by sample (in turn first and second), so
    // the machine's drift (its speed moved by half within minutes here) falls on both alike.
    const paired = await interleaved(INTERLEAVED, roundTrip);
    const rawRate = await rawThroughput(runs, concurrency);
    const cpuBefore = orch.cpuMs();
    const threadsBefore = orch.threadCpuMs();
    const started = performance.now();
    const ids = await Promise.all(Array.from({ length: runs }, () => trigger(orch)));
    await Promise.all(ids.map((id) => stream.ended(id)));
    const orchRate = runs / ((performance.now() - started) / 1000);
    // What each run cost the server, whatever else the machine ran meanwhile.
    const cpuPerRun = (orch.cpuMs() - cpuBefore) / runs;
    // Which of its threads: the JavaScript one, the spawning one, the compiler, the collector.
    const byThread: Record<string, number> = {};
    for (const [name, ms] of orch.threadCpuMs()) {
      const perRun = round((ms - (threadsBefore.get(name) ?? 0)) / runs);
      if (perRun > 0) byThread[name] = perRun;
    }
    await stream.close();

    // The same with a client that follows every state of every run (as the monitor does): four
    // events a run reach it instead of one.
    const everyState = await followRuns(orch, "flow-run.");
    const everyStarted = performance.now();
    const everyIds = await Promise.all(Array.from({ length: runs }, () => trigger(orch)));
    await Promise.all(everyIds.map((id) => everyState.ended(id)));
    const everyRate = runs / ((performance.now() - everyStarted) / 1000);
    await everyState.close();

    // Bursts of orch and of raw spawn in turn, the median of their ratios.
    const burstStream = await followRuns(orch);
    const burstRatios: number[] = [];
    for (let round = 0; round < BURST_ROUNDS; round++) {
      const rawFirst = round % 2 === 0;
      const raw = rawFirst ? await rawThroughput(runs, concurrency) : 0;
      const t = performance.now();
      const burst = await Promise.all(Array.from({ length: runs }, () => trigger(orch)));
      await Promise.all(burst.map((id) => burstStream.ended(id)));
      const rate = runs / ((performance.now() - t) / 1000);
      burstRatios.push(rate / (rawFirst ? raw : await rawThroughput(runs, concurrency)));
    }
    await burstStream.close();

    const p50 = (xs: number[]) => round(percentile(xs, 50), 3);
    return {
      concurrency,
      health_ms: {
        orch_p50: p50(orchHealth),
        orch_p99: round(percentile(orchHealth, 99), 3),
        bare_bun_serve_p50: p50(bareHealth),
        ratio: round(percentile(orchHealth, 50) / percentile(bareHealth, 50)),
      },
      post_run_ms: { p50: p50(post), p99: round(percentile(post, 99), 3) },
      trigger_to_completed_ms: {
        orch_p50: p50(through),
        orch_p95: round(percentile(through, 95), 3),
        raw_spawn_p50: p50(raw),
        ratio: round(percentile(through, 50) / percentile(raw, 50)),
        server_cpu_ms_per_run: warm.all,
        server_main_thread_cpu_ms_per_run: warm.main,
        warm_up_runs: Math.max(warmRuns, 20 + latency),
        // The same right after 20 runs, before the compiler's warm-up (see WARM_RUNS).
        cold: {
          orch_p50: p50(cold.times),
          ratio: round(percentile(cold.times, 50) / percentile(raw, 50)),
          server_cpu_ms_per_run: cold.all,
          server_main_thread_cpu_ms_per_run: cold.main,
        },
      },
      // Each beside its baseline sample by sample (lone runs) or round by round (bursts).
      interleaved: {
        trigger_to_completed: {
          samples: INTERLEAVED,
          orch_p50: p50(paired.orch),
          raw_spawn_p50: p50(paired.raw),
          ratio: round(percentile(paired.orch, 50) / percentile(paired.raw, 50)),
        },
        throughput: {
          rounds: BURST_ROUNDS,
          ratio_median: round(median(burstRatios)),
          ratios: burstRatios.map((r) => round(r)),
        },
      },
      throughput_runs_per_s: {
        runs,
        orch: Math.round(orchRate),
        raw_spawn: Math.round(rawRate),
        ratio: round(orchRate / rawRate),
        server_cpu_ms_per_run: round(cpuPerRun),
        server_cpu_ms_per_run_by_thread: byThread,
        following_every_state: { orch: Math.round(everyRate), ratio: round(everyRate / rawRate) },
      },
      targets_met: {
        health_within_2x_bare: percentile(orchHealth, 50) <= 2 * percentile(bareHealth, 50),
        post_run_p50_within_half_ms: percentile(post, 50) <= 0.5,
        latency_p50_within_3x_raw: percentile(through, 50) <= 3 * percentile(raw, 50),
        throughput_at_least_half_raw: orchRate >= 0.5 * rawRate,
        interleaved_latency_p50_within_3x_raw:
          percentile(paired.orch, 50) <= 3 * percentile(paired.raw, 50),
        interleaved_throughput_at_least_half_raw: median(burstRatios) >= 0.5,
      },
    };
  } finally {
    await Promise.all([bare.stop(), idle.stop(), orch.stop()]);
  }
}

if (import.meta.main) {
  console.log(
    JSON.stringify(await benchApiHttp({ runs: 500, latency: 200, concurrency: 8 }), null, 1),
  );
}
