/**
 * orch's benchmark (`npm run bench`): the run engine beside raw Bun.spawn in the same process,
 * a schedule's start lag, deployments from 1,000 definition files, the API through HTTP beside
 * raw spawn, a bare Bun.serve and its peers on Bun (BullMQ, graphile-worker), the API over a
 * million runs,
 * the monitor's state with 10,000 runs, the monitor on the compiled binary (built first), and a
 * TypeScript flow of 1,000 tasks beside the same code untracked (on the binary too), and
 * retention deleting 100,000 runs while the API is asked.
 * Prints one JSON line with every figure beside its baseline and target.
 * A `true` command in a Docker container beside `docker run` by hand.
 * Start-up of `orch --version` and `orch runs ls` beside a compiled hello world.
 * The web UI's files gzipped and the runs page's first meaningful paint in chromium, beside a
 * static page of the same size.
 * Large projects on the binary: 1,000 and 10,000 deployments from start to healthy and to fully
 * planned, idle CPU and RSS, and 2,000 new deployments saved beside 5,000 (`scale`).
 * The flow author's loop: a flow of 20 tasks under testFlow, and `orch test` of orch init's example.
 * `--only runs|schedule|deploy|api|monitor|tui|tasks|web|docker|retention|startup|scale|testing`
 * runs one section.
 */
import { parseArgs } from "node:util";
import { benchApi } from "./bench-api.ts";
import { benchDeploy } from "./bench-deploy.ts";
import { benchDocker } from "./bench-docker.ts";
import { benchMonitor } from "./bench-monitor.ts";
import { benchRetention } from "./bench-retention.ts";
import { benchRuns } from "./bench-runs.ts";
import { benchSchedule } from "./bench-schedule.ts";

const { values } = parseArgs({
  options: {
    only: { type: "string" },
    runs: { type: "string", default: "500" },
    latency: { type: "string", default: "200" },
    concurrency: { type: "string", default: "8" },
    lines: { type: "string", default: "1000000" },
  },
});

const sections: Record<string, () => Promise<unknown>> = {
  runs: () =>
    benchRuns({
      runs: Number(values.runs),
      latency: Number(values.latency),
      concurrency: Number(values.concurrency),
      lines: Number(values.lines),
    }),
  schedule: () => benchSchedule(),
  deploy: benchDeploy,
  api: () =>
    benchApi({
      runs: Number(values.runs),
      latency: Number(values.latency),
      concurrency: Number(values.concurrency),
    }),
  monitor: async () => benchMonitor(),
  tui: () => benchOnBinary("scripts/bench-tui.ts", "the monitor's benchmark"),
  tasks: () => benchOnBinary("scripts/bench-tasks.ts", "the tasks' benchmark"),
  web: () => benchOnBinary("scripts/bench-web.ts", "the web UI's benchmark"),
  docker: () => benchDocker(),
  retention: benchRetention,
  startup: () => benchOnBinary("scripts/bench-startup.ts", "the start-up benchmark"),
  scale: () => benchOnBinary("scripts/bench-scale.ts", "the large-project benchmark"),
  testing: () => benchOnBinary("scripts/bench-testing.ts", "the testing benchmark"),
};

let built = false;

/** A benchmark that drives dist/orch (built once), in its own process. */
async function benchOnBinary(script: string, what: string): Promise<unknown> {
  if (!built) {
    const build = Bun.spawnSync([process.execPath, "scripts/build.ts"], { stderr: "inherit" });
    if (build.exitCode !== 0) throw new Error("building dist/orch failed");
    built = true;
  }
  const proc = Bun.spawn([process.execPath, script], { stdout: "pipe", stderr: "inherit" });
  const out = await new Response(proc.stdout).text();
  if ((await proc.exited) !== 0) throw new Error(`${what} failed`);
  return JSON.parse(out.trim().split("\n").at(-1)!);
}

const result: Record<string, unknown> = {};
for (const [name, run] of Object.entries(sections)) {
  if (values.only && values.only !== name) continue;
  result[name] = await run();
}
console.log(JSON.stringify(result));
