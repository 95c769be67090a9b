/**
 * The flow author's loop (`npm run bench -- --only testing`): a flow of 20 tasks under testFlow
 * beside the same steps as plain functions, and `orch test` on the example test of `orch init`
 * (start-up included) beside `bun test` on the same project, each the median of several runs.
 * Prints one JSON line.
 */
import { mkdtempSync, realpathSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join, resolve } from "node:path";
import { flow, task } from "../src/sdk/index.ts";
import { testFlow } from "../src/sdk/testing.ts";

const ORCH = resolve(import.meta.dirname, "../dist/orch");
const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)]!;
const round = (ms: number) => Math.round(ms * 1000) / 1000;

async function timed(fn: () => Promise<unknown>, times: number): Promise<number> {
  const all: number[] = [];
  for (let i = 0; i < times; i++) {
    const started = performance.now();
    await fn();
    all.push(performance.now() - started);
  }
  return median(all);
}

const stepBody = async (i: number) => i * 2;
const step = task("step", stepBody);
const twenty = flow("twenty", async () => {
  let sum = 0;
  for (let i = 0; i < 20; i++) sum += await step(i);
  return sum;
});
const plain = async () => {
  let sum = 0;
  for (let i = 0; i < 20; i++) sum += await stepBody(i);
  return sum;
};
await timed(() => testFlow(twenty) as unknown as Promise<unknown>, 20); // warm-up
const harnessMs = await timed(async () => {
  const run = await testFlow(twenty);
  if (run.state !== "COMPLETED" || run.tasks.length !== 20) throw new Error("the flow failed");
}, 100);
const plainMs = await timed(plain, 100);

const dir = realpathSync(mkdtempSync(join(tmpdir(), "orch-bench-testing-")));
try {
  const init = Bun.spawnSync([ORCH, "init", dir], { stderr: "pipe" });
  if (init.exitCode !== 0) throw new Error(`orch init failed: ${init.stderr}`);
  const run =
    (argv: string[], env: Record<string, string> = {}) =>
    async () => {
      const proc = Bun.spawn(argv, {
        cwd: dir,
        env: { ...process.env, ...env },
        stdout: "pipe",
        stderr: "pipe",
      });
      if ((await proc.exited) !== 0) throw new Error(`${argv.join(" ")} failed`);
    };
  // No bun or node on PATH for orch test: the binary alone.
  const orchTest = run([ORCH, "test"], { PATH: dir });
  const bunTest = run([process.execPath, "test"]);
  await orchTest();
  const orchTestMs = await timed(orchTest, 7);
  const bunTestMs = await timed(bunTest, 7);
  console.log(
    JSON.stringify({
      twenty_tasks_test_ms: round(harnessMs),
      twenty_tasks_plain_ms: round(plainMs),
      twenty_tasks_target_ms: 50,
      init_example_orch_test_ms: round(orchTestMs),
      init_example_bun_test_ms: round(bunTestMs),
      init_example_target_ms: 1000,
    }),
  );
} finally {
  rmSync(dir, { recursive: true, force: true });
}
