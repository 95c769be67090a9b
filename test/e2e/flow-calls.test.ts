import { cpSync, mkdirSync, readdirSync, readFileSync } from "node:fs";
import { join, resolve } from "node:path";
import { afterAll, beforeAll, describe, expect, test } from "vitest";
import { orch, projectServer, realNode, tempDir } from "../helpers.ts";

// A flow called from a plain program, with the "orch" package orch init writes: a `bun` script
// (a TypeScript flow) and a `node` script (a JavaScript flow), tracked through the project's
// server, or its store when no server runs, or untracked with one warning when neither can be.
const BUN = resolve(import.meta.dirname, "../../node_modules/.bin/bun");
const NODE = realNode();

const JS_FLOW = `import { flow, getRunLogger, task } from "orch";
const add = task("add", async (a, b) => a + b);
export default flow("js-sum", async ({ n }) => {
  getRunLogger().info("adding", { n });
  console.log("plain console line");
  return add(n, 1);
});
`;
const BUN_SCRIPT = `import etl from "./flows/etl.ts";
console.log("RESULT " + JSON.stringify(await etl({ day: "mon", limit: 2 })));
`;
const NODE_SCRIPT = `import sum from "./flows/js-sum.mjs";
console.log("RESULT " + (await sum({ n: 41 })));
console.log("RESULT " + (await sum({ n: 1 })));
`;

let dir: string;
let cleanup: () => void;

/** Run a script of the project with `runtime`; its exit code and output. */
async function script(runtime: string, file: string, cwd = dir) {
  const proc = Bun.spawn([runtime, file], {
    cwd,
    env: { ...process.env, NO_COLOR: "1" },
    stdout: "pipe",
    stderr: "pipe",
  });
  const [stdout, stderr, code] = await Promise.all([
    new Response(proc.stdout).text(),
    new Response(proc.stderr).text(),
    proc.exited,
  ]);
  return { code, stdout, stderr };
}

/**
 * The project's top-level ad hoc runs, newest first, as orch lists them (not the runs its
 * scheduled deployments make meanwhile: orch init's hello runs every minute).
 */
async function adHocRuns() {
  const ls = await orch(["runs", "ls", "--json", "--dir", dir]);
  expect(ls.code, ls.stderr).toBe(0);
  return (
    JSON.parse(ls.stdout) as {
      id: string;
      deployment: string | null;
      parent_id: string | null;
      state: string;
    }[]
  ).filter((r) => r.parent_id === null && r.deployment === null);
}

async function inspect(id: string) {
  const run = await orch(["runs", "inspect", id, "--json", "--dir", dir]);
  expect(run.code, run.stderr).toBe(0);
  return JSON.parse(run.stdout) as {
    state: string;
    parameters: Record<string, unknown>;
    tasks: { name: string; state: string }[];
    states: { message: string }[];
  };
}

const text = async (args: string[]) => (await orch([...args, "--dir", dir])).stdout;

/** No `orch __record` of this project is left running (its path is the marker). */
function recordersLeft(): string[] {
  return readdirSync("/proc")
    .filter((p) => /^\d+$/.test(p))
    .flatMap((pid) => {
      try {
        const argv = readFileSync(`/proc/${pid}/cmdline`, "utf8").split("\0");
        return argv.includes("__record") && argv.includes(dir) ? [pid] : [];
      } catch {
        return [];
      }
    });
}

/** Both scripts ran, and each call is a run with its tasks, logs and result. */
async function expectTracked(before: number) {
  const bun = await script(BUN, "call.ts");
  expect(bun.code, bun.stderr).toBe(0);
  expect(bun.stdout).toContain('RESULT {"day":"mon","orders":2,"total":36,"report":"mon: 36"}');
  expect(bun.stderr).not.toContain("untracked");
  const node = await script(NODE!, "call.mjs");
  expect(node.code, node.stderr).toBe(0);
  expect(node.stdout).toMatch(/RESULT 42\n[\s\S]*RESULT 2\n/);
  expect(node.stderr).not.toContain("untracked");

  const runs = await adHocRuns();
  expect(runs).toHaveLength(before + 3);
  const [second, first, etl] = runs;
  for (const run of [second, first, etl]) expect(run?.state).toBe("COMPLETED");

  const sum = await inspect(first!.id);
  expect(sum.parameters).toEqual({ n: 41 });
  expect(sum.tasks.map((t) => [t.name, t.state])).toEqual([["add", "COMPLETED"]]);
  expect(sum.states[0]?.message).toContain("js-sum (call.mjs)");
  expect(await text(["runs", "result", first!.id])).toBe("42\n");
  const logs = await text(["runs", "logs", first!.id]);
  expect(logs).toContain("adding n=41");
  expect(logs).toContain("plain console line");

  const etlRun = await inspect(etl!.id);
  expect(etlRun.tasks.map((t) => t.name).sort()).toEqual(["extract", "load", "price", "price"]);
  expect(JSON.parse(await text(["runs", "result", etl!.id]))).toEqual({
    day: "mon",
    orders: 2,
    total: 36,
    report: "mon: 36",
  });
  // Its subflow is a child run, as under orch up.
  const all = JSON.parse(await text(["runs", "ls", "--json"])) as { parent_id: string | null }[];
  expect(all.filter((r) => r.parent_id === etl!.id)).toHaveLength(1);
  expect(recordersLeft()).toEqual([]);
}

beforeAll(async () => {
  ({ dir, cleanup } = tempDir());
  const init = await orch(["init", dir]);
  expect(init.code, init.stderr).toBe(0);
  await Bun.write(join(dir, "flows/js-sum.mjs"), JS_FLOW);
  await Bun.write(join(dir, "call.ts"), BUN_SCRIPT);
  await Bun.write(join(dir, "call.mjs"), NODE_SCRIPT);
});

afterAll(() => cleanup());

describe.skipIf(!NODE)("a flow called from a plain program", () => {
  test("with no server, bun and node scripts record their runs in the project's store", async () => {
    await expectTracked(0);
  });

  test("with the project's server up, they record through it", async () => {
    const server = projectServer(() => dir);
    await server.start();
    try {
      await expectTracked(3);
    } finally {
      await server.stop();
    }
  });

  test("with neither a project nor orch to record through, it runs untracked with one warning", async () => {
    const elsewhere = tempDir();
    try {
      // The package alone, outside any project (no flows/, no .orch/).
      mkdirSync(join(elsewhere.dir, "node_modules"));
      cpSync(join(dir, "node_modules/orch"), join(elsewhere.dir, "node_modules/orch"), {
        recursive: true,
      });
      await Bun.write(join(elsewhere.dir, "sum.mjs"), JS_FLOW);
      await Bun.write(
        join(elsewhere.dir, "call.mjs"),
        NODE_SCRIPT.replace("./flows/js-sum.mjs", "./sum.mjs"),
      );
      const node = await script(NODE!, "call.mjs", elsewhere.dir);
      expect(node.code, node.stderr).toBe(0);
      expect(node.stdout).toMatch(/RESULT 42\n[\s\S]*RESULT 2\n/);
      expect(node.stderr.match(/runs untracked/g)).toHaveLength(1);
      expect(node.stderr).toContain(
        "orch: flow js-sum runs untracked: no orch project here (a folder with flows/ or .orch/, here or above)",
      );
    } finally {
      elsewhere.cleanup();
    }
  });
});
