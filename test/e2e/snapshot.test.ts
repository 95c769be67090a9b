import { existsSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { join, resolve } from "node:path";
import { afterAll, beforeAll, expect, test } from "vitest";
import { orch, projectServer, tempDir } from "../helpers.ts";

// orch runs snapshot: a failed run becomes a test file; the test fails as the run did, and
// passes once the flow is fixed. Through the compiled binary, with no Bun or Node on PATH
// (orch test), and under a real `bun test`.
const NO_BUN = { PATH: "/usr/local/bin:/usr/bin:/bin" };
const BUN = resolve(import.meta.dirname, "../../node_modules/.bin/bun");

// fetch reads the "production" source; transform has the bug: it cannot take more than 2 rows.
const BROKEN = `import { readFileSync } from "node:fs";
import { flow, task } from "orch";
const fetchRows = task("fetch", (source: string) => JSON.parse(readFileSync(source, "utf8")) as number[]);
const transform = task("transform", (rows: number[]) => {
  if (rows.length > 2) throw new Error("transform takes at most 2 rows, got " + rows.length);
  return rows.map((n) => n * 10);
});
const load = task("load", (values: number[]) => values.reduce((a, b) => a + b, 0));
export const etl = flow("etl", async ({ source }: { source: string }) => {
  const rows = await fetchRows(source);
  return await load(await transform(rows));
});
`;
const FIXED = BROKEN.replace(
  'if (rows.length > 2) throw new Error("transform takes at most 2 rows, got " + rows.length);',
  "",
);

let dir: string;
let cleanup: () => void;
let runId: string;
const server = projectServer(() => dir);
const cli = (...args: string[]) => orch([...args, "--dir", dir], { env: NO_BUN });

beforeAll(async () => {
  ({ dir, cleanup } = tempDir());
  await Bun.write(
    join(dir, "flows/etl.yaml"),
    "deployments:\n  - name: etl\n    flow: ./pipeline/etl.ts:etl\n",
  );
  await Bun.write(join(dir, "flows/pipeline/etl.ts"), BROKEN);
  await Bun.write(join(dir, "source.json"), "[1, 2, 3]");
  await server.start();
  const ran = await cli(
    "run",
    "etl",
    "-p",
    `source=${join(dir, "source.json")}`,
    "--watch",
    "--json",
  );
  const run = JSON.parse(ran.stdout);
  expect(run.state).toBe("FAILED");
  runId = run.id;
  await server.stop();
});

afterAll(async () => {
  await server.stop();
  cleanup();
});

test("a snapshot test fails as the run did, and passes once the flow is fixed", async () => {
  // With no server running: the snapshot reads the project's store.
  const made = await cli("runs", "snapshot", runId.slice(0, 8));
  expect(made.code).toBe(0);
  const file = `tests/etl.${runId.slice(0, 8)}.test.ts`;
  expect(made.stderr).toContain(`wrote ${file}`);
  expect(made.stderr).toContain("1 recorded task result(s)");
  const text = readFileSync(join(dir, file), "utf8");
  expect(text).toContain('import { etl as flowUnderTest } from "../flows/pipeline/etl.ts";');
  expect(text).toContain(JSON.stringify(join(dir, "source.json")));

  // The production source is gone: the test has the rows fetch returned in the run.
  rmSync(join(dir, "source.json"));
  const failing = await orch(["test", file, "--dir", dir], { env: NO_BUN });
  expect(failing.code).not.toBe(0);
  expect(failing.stdout + failing.stderr).toContain("transform takes at most 2 rows, got 3");

  // The author fixes the flow: the same test passes, on the current code.
  writeFileSync(join(dir, "flows/pipeline/etl.ts"), FIXED);
  const passing = await orch(["test", file, "--dir", dir], { env: NO_BUN });
  expect(passing.stdout + passing.stderr).toContain("1 pass");
  expect(passing.code).toBe(0);

  // A plain `bun test` runs the same file (orch test left node_modules/orch in the project).
  expect(existsSync(join(dir, "node_modules/orch"))).toBe(true);
  const bun = Bun.spawnSync([BUN, "test", `./${file}`], {
    cwd: dir,
    env: { ...process.env, NO_COLOR: "1" },
  });
  expect(bun.stderr.toString()).toContain("1 pass");
  expect(bun.exitCode).toBe(0);

  // A second snapshot does not overwrite the first without --force.
  const again = await cli("runs", "snapshot", runId);
  expect(again.code).toBe(2);
  expect(again.stderr).toContain("--force");
});

test("a snapshot of a command deployment's run says why there is none", async () => {
  await Bun.write(
    join(dir, "flows/cmd.yaml"),
    'deployments:\n  - name: cmd\n    command: ["sh", "-c", "exit 3"]\n',
  );
  await server.start();
  const ran = JSON.parse((await cli("run", "cmd", "--watch", "--json")).stdout);
  await server.stop();
  const r = await cli("runs", "snapshot", ran.id);
  expect(r.code).toBe(2);
  expect(r.stderr).toContain("runs a command, not a TypeScript flow");
});

// A map whose third item fails: its first two items' results are recorded.
const MAPPED = `import { flow, task } from "orch";
const convert = task("convert", (n: number) => {
  if (n < 0) throw new Error("row " + n + " is negative");
  return n * 10;
});
export default flow("mapped", async ({ rows }: { rows: number[] }) => {
  const out = await convert.map(rows, { concurrency: 1 });
  return out.reduce((a, b) => a + b, 0);
});
`;

test("a snapshot of a run that failed inside a map gives back the recorded items and runs the failed one, its error said once", async () => {
  await Bun.write(
    join(dir, "flows/mapped.yaml"),
    "deployments:\n  - name: mapped\n    flow: ./mapped.ts\n",
  );
  await Bun.write(join(dir, "flows/mapped.ts"), MAPPED);
  await server.start();
  const ran = JSON.parse(
    (await cli("run", "mapped", "--params", '{"rows": [1, 2, -3, 4]}', "--watch", "--json")).stdout,
  );
  await server.stop();
  expect(ran.state).toBe("FAILED");
  const made = await cli("runs", "snapshot", ran.id);
  expect(made.code, made.stderr).toBe(0);
  expect(made.stderr).toContain("2 recorded task result(s)");
  const file = `tests/mapped.${ran.id.slice(0, 8)}.test.ts`;

  const failing = await orch(["test", file, "--dir", dir], { env: NO_BUN });
  expect(failing.code).not.toBe(0);
  const out = failing.stdout + failing.stderr;
  // The flow's own error, not the snapshot's bookkeeping, and said once.
  expect(out).not.toContain("was called");
  // (The test's name says how the run ended; the error itself, with its stack, comes once.)
  expect(out.match(/error: row -3 is negative/g)).toHaveLength(1);
  expect(out.match(/flows\/mapped\.ts:3:\d+/g)).toHaveLength(1);

  writeFileSync(join(dir, "flows/mapped.ts"), MAPPED.replace("if (n < 0)", "if (n < -100)"));
  const passing = await orch(["test", file, "--dir", dir], { env: NO_BUN });
  expect(passing.stdout + passing.stderr).toContain("1 pass");
  expect(passing.code).toBe(0);
});
