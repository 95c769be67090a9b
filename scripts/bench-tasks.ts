/**
 * The SDK's tracking overhead, on the compiled dist/orch (build it first): a TypeScript flow
 * that calls 1,000 trivial tasks, run by `orch up`'s worker, beside the same code with plain
 * functions (untracked), each trigger to COMPLETED (median of --runs). Also the same 1,000
 * tasks through task.map. Prints one JSON line. `bun scripts/bench-tasks.ts [--runs 5]`
 */
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join, resolve } from "node:path";
import { parseArgs } from "node:util";
import { createClient } from "../src/client/index.ts";

const { values } = parseArgs({
  options: { runs: { type: "string", default: "5" }, tasks: { type: "string", default: "1000" } },
});
const RUNS = Number(values.runs);
const TASKS = Number(values.tasks);
const ORCH = resolve(import.meta.dirname, "../dist/orch");

/** The flow: `wrap` makes each step a task (tracked) or leaves it a plain function. */
const flowSource = (tracked: boolean, map: boolean) => `import { flow, task } from "orch";
const wrap = ${tracked ? "(name, fn) => task(name, fn)" : "(_name, fn) => fn"};
const step = wrap("step", async (i) => i + 1);
export default flow("bench", async () => {
  let sum = 0;
  ${
    map
      ? `const items = Array.from({ length: ${TASKS} }, (_, i) => i);
  for (const v of await ${tracked ? "step.map(items, { concurrency: 50 })" : "Promise.all(items.map(step))"}) sum += v;`
      : `for (let i = 0; i < ${TASKS}; i++) sum += await step(i);`
  }
  return sum;
});
`;

const dir = mkdtempSync(join(tmpdir(), "orch-bench-tasks-"));
mkdirSync(join(dir, "flows"));
const variants = {
  tracked: flowSource(true, false),
  untracked: flowSource(false, false),
  tracked_map: flowSource(true, true),
  untracked_map: flowSource(false, true),
};
const yaml = ["deployments:"];
for (const [name, source] of Object.entries(variants)) {
  writeFileSync(join(dir, "flows", `${name}.ts`), source);
  yaml.push(`  - name: ${name}`, `    flow: ./${name}.ts`);
}
writeFileSync(join(dir, "flows", "bench.yaml"), `${yaml.join("\n")}\n`);

const up = Bun.spawn([ORCH, "up", "--headless", "--port", "0", "--dir", dir], {
  stdout: "ignore",
  stderr: "pipe",
});
try {
  // Read the server's output to the end (a closed pipe would end it), until it says it is up.
  const decoder = new TextDecoder();
  let log = "";
  const isUp = Promise.withResolvers<void>();
  void (async () => {
    for await (const chunk of up.stderr) {
      log += decoder.decode(chunk, { stream: true });
      if (log.includes("orch is up at")) isUp.resolve();
    }
    isUp.reject(new Error(`orch up ended:\n${log}`));
  })();
  await isUp.promise;
  const { url } = JSON.parse(readFileSync(join(dir, ".orch/server.json"), "utf8"));
  const client = createClient({
    url,
    token: readFileSync(join(dir, ".orch/token"), "utf8").trim(),
  });

  const once = async (name: string) => {
    const started = performance.now();
    const run = await client.triggerRun(name, {});
    for (;;) {
      const now = await client.getRun(run.id);
      if (now.state === "COMPLETED") {
        return { ms: performance.now() - started, tasks: now.tasks.length };
      }
      if (now.state === "FAILED" || now.state === "CRASHED") {
        throw new Error(`${name} ended ${now.state}: ${now.state_message}`);
      }
      await Bun.sleep(2);
    }
  };
  const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)]!;
  const result: Record<string, unknown> = { tasks: TASKS, runs: RUNS };
  // Runs alternate between the variants, so a slow moment of the machine hits both.
  const times: Record<string, number[]> = Object.fromEntries(
    Object.keys(variants).map((name) => [name, []]),
  );
  for (let i = 0; i < RUNS + 1; i++) {
    for (const name of Object.keys(variants)) {
      const { ms, tasks } = await once(name);
      if (name.startsWith("tracked") && tasks !== TASKS) {
        throw new Error(`${name} recorded ${tasks} task runs, not ${TASKS}`);
      }
      // The first round warms the caches (bundle copies, the OS's file cache) and is not kept.
      if (i > 0) times[name]!.push(ms);
    }
  }
  for (const [name, xs] of Object.entries(times)) result[`${name}_ms`] = Math.round(median(xs));
  const overhead = (a: string, b: string) => Math.round(median(times[a]!) - median(times[b]!));
  result.overhead_ms = overhead("tracked", "untracked");
  result.overhead_map_ms = overhead("tracked_map", "untracked_map");
  result.target_overhead_ms = 1000;
  console.log(JSON.stringify(result));
} finally {
  up.kill("SIGTERM");
  await up.exited;
  rmSync(dir, { recursive: true, force: true });
}
