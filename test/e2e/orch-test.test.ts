import { mkdirSync, rmSync } from "node:fs";
import { join, resolve } from "node:path";
import { afterAll, beforeAll, expect, test } from "vitest";
import { ORCH, orch, realNode, runCommand, tempDir } from "../helpers.ts";

// orch test and orch/testing from a new project: the example test orch init writes passes under
// orch test (the binary alone, no bun or node on PATH) and under bun test; the harness works
// under node:test and Vitest on Node too, from the package orch init writes; and the project,
// tests included, typechecks in an editor with nothing more installed.
const REPO = resolve(import.meta.dirname, "../..");
const BUN = resolve(REPO, "node_modules/.bin/bun");
const TSC = resolve(REPO, "node_modules/.bin/tsc");
const VITEST = resolve(REPO, "node_modules/vitest/vitest.mjs");
const NODE = realNode();

let dir: string;
let cleanup: () => void;
let emptyPath: string;

async function run(argv: string[], env: Record<string, string> = {}, cwd = dir) {
  const ran = await runCommand(argv, { cwd, env });
  return { code: ran.code, out: ran.stdout + ran.stderr };
}

beforeAll(async () => {
  ({ dir, cleanup } = tempDir());
  emptyPath = join(dir, "empty-bin");
  mkdirSync(emptyPath);
  const init = await orch(["init", dir]);
  expect(init.code, init.stderr).toBe(0);
  expect(init.stderr).toContain("created tests/etl.test.ts");
  expect(init.stderr).toContain("created node_modules/orch");
});

afterAll(() => cleanup());

test("orch test runs the example test of orch init with the binary alone (no bun or node on PATH)", async () => {
  expect(Bun.which("bun", { PATH: emptyPath })).toBeNull();
  expect(Bun.which("node", { PATH: emptyPath })).toBeNull();
  const ran = await run([ORCH, "test"], { PATH: emptyPath });
  expect(ran.out).toContain("2 pass");
  expect(ran.out).toContain("0 fail");
  expect(ran.code, ran.out).toBe(0);
});

test("the project typechecks in an editor, its tests included, with nothing installed", async () => {
  // As an editor's TypeScript sees it: the project's own tsconfig, the package orch init wrote.
  const files = await run([TSC, "-p", dir, "--listFilesOnly"]);
  expect(files.out).toContain(join(dir, "tests/etl.test.ts"));
  expect(files.out).toContain(join(dir, "node_modules/orch/types/bun-test.d.ts"));
  // With the shipped declarations checked too, not skipped as a library's.
  const checked = await run([TSC, "-p", dir, "--skipLibCheck", "false"]);
  expect(checked.out).toBe("");
  expect(checked.code).toBe(0);
});

test("with @types/bun installed, Bun's own bun:test types apply, beside the shipped ones", async () => {
  const bunOnly = join(dir, "tests/bun-only.test.ts");
  const withTypes = join(dir, "tsconfig.bun.json");
  try {
    await Bun.write(
      bunOnly,
      `import { expect, test } from "bun:test";\ntest("even", () => expect(2).toBeEven());\n`,
    );
    // A matcher the shipped subset leaves out: red with the project as orch init writes it.
    const shipped = await run([TSC, "-p", dir]);
    expect(shipped.out).toContain("Property 'toBeEven' does not exist");
    await Bun.write(
      withTypes,
      JSON.stringify({
        extends: "./tsconfig.json",
        compilerOptions: { types: ["bun"], typeRoots: [resolve(REPO, "node_modules/@types")] },
      }),
    );
    const withBun = await run([TSC, "-p", withTypes]);
    expect(withBun.out).toBe("");
    expect(withBun.code).toBe(0);
  } finally {
    rmSync(bunOnly, { force: true });
    rmSync(withTypes, { force: true });
  }
});

test("a failing flow test fails orch test; runner options pass after --", async () => {
  await Bun.write(
    join(dir, "tests/failing.test.ts"),
    `import { expect, test } from "bun:test";
import { flow } from "orch";
import { testFlow } from "orch/testing";
test("a failing flow", async () => {
  const run = await testFlow(flow("boom", () => { throw new Error("boom"); }));
  expect(run.state).toBe("COMPLETED");
});
`,
  );
  try {
    const failed = await run([ORCH, "test"], { PATH: emptyPath });
    expect(failed.code).toBe(1);
    expect(failed.out).toContain("1 fail");
    const only = await run([ORCH, "test", "--", "-t", "fixture"], { PATH: emptyPath });
    expect(only.out).toContain("1 pass");
    expect(only.code, only.out).toBe(0);
  } finally {
    await Bun.file(join(dir, "tests/failing.test.ts")).delete();
  }
});

test("a refused resume fails the test at its own line, with orch's words, no line of the package", async () => {
  await Bun.write(
    join(dir, "tests/refused.test.ts"),
    `import { expect, test } from "bun:test";
import { flow, pause } from "orch";
import { testFlow } from "orch/testing";
const gate = flow("gate", async () => {
  await pause({ input: { type: "object", properties: { ok: { type: "boolean" } } } });
});
test("a refused resume", async () => {
  const t = testFlow(gate);
  await t;
  await t.resume({ ok: "nope" });
});
`,
  );
  try {
    const failed = await run([ORCH, "test"], { PATH: emptyPath });
    expect(failed.code).toBe(1);
    expect(failed.out).toMatch(
      /error: the input does not match what pause-1 of run \w{8} asks for: input\.ok: must be a boolean, not "nope"/,
    );
    expect(failed.out).toMatch(/await t\.resume\(\{ ok: "nope" \}\);\n\s+\^/);
    expect(failed.out).toMatch(/at .*tests\/refused\.test\.ts:10:/);
    expect(failed.out).not.toContain("testing.js");
  } finally {
    await Bun.file(join(dir, "tests/refused.test.ts")).delete();
  }
});

test("the example test passes under bun test too", async () => {
  const ran = await run([BUN, "test"]);
  expect(ran.out).toContain("2 pass");
  expect(ran.code, ran.out).toBe(0);
});

const HARNESS_TEST = (imports: string) => `${imports}
import { flow, task } from "orch";
import { testFlow } from "orch/testing";

const fetchRates = task("fetch-rates", async () => { throw new Error("no network"); });
const flaky = task("flaky", async (n) => { if (n < 2) throw new Error("down"); return n; }, { retries: 1, retryDelay: "1h" });
const pricing = flow("pricing", async ({ n }) => (await fetchRates())[0] * (await flaky(n)));

test("a retry delay of an hour on a manual clock, and a mock", async () => {
  const t = testFlow(pricing, { parameters: { n: 1 }, clock: "manual", mocks: { "fetch-rates": () => [10] } });
  await t.advance("1h");
  const run = await t;
  assert.equal(run.state, "FAILED");
  assert.deepEqual(run.tasks.map((x) => [x.name, x.state_name, x.attempts]), [["fetch-rates", "Mocked", 1], ["flaky", "Failed", 2]]);
  const ok = await testFlow(pricing, { parameters: { n: 3 }, mocks: { "fetch-rates": [10] } });
  assert.equal(ok.result, 30);
});
`;

test.skipIf(!NODE)("orch/testing works under node:test (Node, no Bun)", async () => {
  await Bun.write(
    join(dir, "node-tests/pricing.test.mjs"),
    HARNESS_TEST(`import { test } from "node:test";\nimport assert from "node:assert/strict";`),
  );
  const ran = await run([NODE!, "--test", "node-tests/pricing.test.mjs"], { PATH: emptyPath });
  expect(ran.out).toContain("# pass 1");
  expect(ran.code, ran.out).toBe(0);
});

test.skipIf(!NODE)("orch/testing works under Vitest on Node", async () => {
  await Bun.write(
    join(dir, "vitest-tests/pricing.test.mjs"),
    HARNESS_TEST(`import assert from "node:assert/strict";`),
  );
  const ran = await run(
    [NODE!, VITEST, "run", "--globals", "--root", dir, "vitest-tests/pricing.test.mjs"],
    { PATH: emptyPath },
  );
  expect(ran.out).toContain("1 passed");
  expect(ran.code, ran.out).toBe(0);
});
