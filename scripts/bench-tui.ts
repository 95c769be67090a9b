/**
 * The monitor's benchmark, on the compiled dist/orch (build it first): a server with 100
 * deployments; `orch monitor` started in tmux (120x40) until its first frame, until the
 * deployments show, and until it is online with them (its live stream open; median of --runs);
 * then its CPU while idle over --idle seconds (utime+stime
 * from /proc), and the same for `orch up` with its monitor (server, scheduler, worker and TUI in
 * one process). Beside it, in the same minutes: the first frame of the smallest Ink program,
 * compiled as orch is (scripts/bench-ink-hello.tsx). Prints one JSON line.
 * `bun scripts/bench-tui.ts [--runs 5] [--idle 10]`
 */
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join, resolve } from "node:path";
import { parseArgs } from "node:util";
import { COMPILE_OPTIONS, COMPILE_RUNTIME } from "./build-options.ts";

const { values } = parseArgs({
  options: {
    runs: { type: "string", default: "5" },
    idle: { type: "string", default: "10" },
    deployments: { type: "string", default: "100" },
  },
});
const RUNS = Number(values.runs);
const IDLE_S = Number(values.idle);
const COUNT = Number(values.deployments);
const ORCH = resolve(import.meta.dirname, "../dist/orch");
const TICKS = 100; // USER_HZ on Linux

const dir = mkdtempSync(join(tmpdir(), "orch-bench-tui-"));

// The baseline, compiled as orch is: the first frame of the smallest Ink program.
const BASELINE = join(dir, "ink-hello");
const built = await Bun.build({
  entrypoints: [join(import.meta.dirname, "bench-ink-hello.tsx")],
  compile: { outfile: BASELINE, ...COMPILE_RUNTIME },
  ...COMPILE_OPTIONS,
});
if (!built.success) throw new Error(`building the baseline failed: ${built.logs.join("\n")}`);
mkdirSync(join(dir, "flows"));
const yaml = ["deployments:"];
for (let i = 0; i < COUNT; i++) {
  // Daily schedules spread over the night: scheduled, but nothing runs while measuring.
  yaml.push(
    `  - name: job-${String(i).padStart(3, "0")}`,
    `    command: ["sh", "-c", "echo {{ parameters.n }}"]`,
    `    parameters: { n: ${i} }`,
    "    schedules:",
    `      - cron: "${i % 60} ${1 + (i % 4)} * * *"`,
  );
}
writeFileSync(join(dir, "flows", "many.yaml"), `${yaml.join("\n")}\n`);

const socket = `orch-bench-${process.pid}`;
function tmux(...args: string[]): string {
  const r = Bun.spawnSync(["tmux", "-L", socket, ...args], { stderr: "pipe" });
  if (r.exitCode !== 0) throw new Error(`tmux ${args[0]}: ${r.stderr.toString()}`);
  return r.stdout.toString();
}

/** Poll the pane until `ok` (every ~2 ms); the time since `started`, in ms. */
async function until(ok: (screen: string) => boolean, started: number, ms = 15_000) {
  for (;;) {
    const screen = tmux("capture-pane", "-p", "-t", "b");
    if (ok(screen)) return performance.now() - started;
    if (performance.now() - started > ms) throw new Error(`timed out; screen:\n${screen}`);
    await Bun.sleep(2);
  }
}

const cpuTicks = (pid: number) => {
  const fields = readFileSync(`/proc/${pid}/stat`, "utf8").split(") ")[1]!.split(" ");
  return Number(fields[11]) + Number(fields[12]);
};

/** CPU used by `pid` over `seconds`, as a percentage of one core. */
async function idleCpu(pid: number, seconds: number): Promise<number> {
  const before = cpuTicks(pid);
  const t0 = performance.now();
  await Bun.sleep(seconds * 1000);
  const used = (cpuTicks(pid) - before) / TICKS;
  return Math.round((used / ((performance.now() - t0) / 1000)) * 10000) / 100;
}

const median = (xs: number[]) => {
  const s = [...xs].sort((a, b) => a - b);
  return Math.round(s[Math.floor(s.length / 2)]!);
};

const listed = (screen: string) => screen.includes(`Deployments (${COUNT})`);
const result: Record<string, unknown> = { bench: "tui", deployments: COUNT };

let up: ReturnType<typeof Bun.spawn> | undefined;
try {
  // A session that outlives the measured ones, so tmux's server never exits between runs.
  tmux("new-session", "-d", "-s", "keep", "sleep 600");
  // A headless server in its own process, as `orch monitor` would attach to.
  up = Bun.spawn([ORCH, "up", "--headless", "--port", "0", "--dir", dir], {
    stdout: "ignore",
    stderr: "pipe",
    env: { ...process.env, NO_COLOR: "1" },
  });
  const decoder = new TextDecoder();
  let log = "";
  for await (const chunk of up.stderr as ReadableStream<Uint8Array>) {
    log += decoder.decode(chunk);
    if (log.includes("orch is up at")) break;
  }
  /** A 120x40 tmux session "b" in the project, running `command`. */
  const session = (command: string) =>
    tmux("new-session", "-d", "-s", "b", "-x", "120", "-y", "40", "-c", dir, command);
  const firstFrame: number[] = [];
  const dataFrame: number[] = [];
  const onlineFrame: number[] = [];
  let monitorPid = 0;
  const baselineFrame: number[] = [];
  for (let i = 0; i < RUNS; i++) {
    // The baseline first, in the same minute as each measured run.
    const begun = performance.now();
    session(`exec ${BASELINE}`);
    baselineFrame.push(await until((s) => s.includes("orch monitor (baseline)"), begun));
    tmux("kill-session", "-t", "b");
    const started = performance.now();
    session(`exec ${ORCH} monitor`);
    firstFrame.push(await until((s) => s.includes("orch monitor"), started));
    dataFrame.push(await until(listed, started));
    onlineFrame.push(await until((s) => listed(s) && s.includes("● online"), started));
    if (i < RUNS - 1) tmux("kill-session", "-t", "b");
    else monitorPid = Number(tmux("list-panes", "-t", "b", "-F", "#{pane_pid}").trim());
  }
  result.first_frame_ms = median(firstFrame);
  result.deployments_shown_ms = median(dataFrame);
  result.online_ms = median(onlineFrame);
  result.first_frame_runs_ms = firstFrame.map(Math.round);
  result.baseline_ink_first_frame_ms = median(baselineFrame);
  result.first_frame_ratio_to_baseline =
    Math.round((median(firstFrame) / median(baselineFrame)) * 100) / 100;
  await Bun.sleep(1000);
  result.idle_cpu_monitor_pct = await idleCpu(monitorPid, IDLE_S);
  result.idle_cpu_server_pct = await idleCpu(up.pid, IDLE_S);
  tmux("send-keys", "-t", "b", "q");
  tmux("kill-session", "-t", "b");
  up.kill("SIGTERM");
  await up.exited;

  // orch up with its monitor: server, scheduler, watcher, worker and TUI in one process.
  const started = performance.now();
  session(`exec ${ORCH} up --port 0`);
  result.up_deployments_shown_ms = Math.round(await until(listed, started));
  const upPid = Number(tmux("list-panes", "-t", "b", "-F", "#{pane_pid}").trim());
  await Bun.sleep(1000);
  result.idle_cpu_up_with_monitor_pct = await idleCpu(upPid, IDLE_S);
  const first = result.first_frame_ms as number;
  const idle = result.idle_cpu_monitor_pct as number;
  result.targets_met = { first_frame_under_300ms: first < 300, idle_cpu_under_2pct: idle < 2 };
  tmux("send-keys", "-t", "b", "q");
  await Bun.sleep(500);
} finally {
  up?.kill("SIGTERM");
  await up?.exited;
  try {
    tmux("kill-server");
  } catch {}
  rmSync(dir, { recursive: true, force: true });
}
console.log(JSON.stringify(result));
