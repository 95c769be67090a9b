/** The files `orch init` writes, by path relative to the project root. */
export const INIT_FILES: Record<string, string> = {
  ".gitignore": `.orch/
node_modules/
`,
  "flows/hello.yaml": `# yaml-language-server: $schema=../orch.schema.json
# Deployments of this project: orch watches flows/ and redeploys on save.
deployments:
  - name: hello
    description: Say hello every minute
    command: ["echo", "hello, {{ parameters.name }}"] # a value is one argument, never shell code
    parameters: { name: world }
    tags: [example]
    include: [] # it reads no file: a file added to flows/ makes no new version of it
    schedules:
      - interval: 1m

  - name: etl
    description: A TypeScript flow with tasks and retries
    flow: ./etl.ts
    parameters: { day: today, limit: 3 }
    tags: [example, etl]
    retries: 1
    retry_delay: 5s
    timeout: 5m
`,
  "tsconfig.json": `{
  "compilerOptions": {
    "target": "ESNext",
    "module": "Preserve",
    "moduleResolution": "bundler",
    "lib": ["ESNext", "DOM"],
    "strict": true,
    "noEmit": true,
    "skipLibCheck": true,
    "allowImportingTsExtensions": true,
    // The types of bun:test (orch test is its runner), with nothing to install; @types/bun's win
    "paths": { "bun:test": ["./node_modules/orch/types/bun-test.d.ts"] }
  },
  "include": ["flows", "tests"]
}
`,
  "tests/etl.test.ts": `// A flow's test: orch test runs it (no Bun or Node needed), and so does bun test. For Vitest,
// import test and expect from "vitest" instead: orch/testing works under any runner.
import { expect, test } from "bun:test";
import { testFlow } from "orch/testing";
import etl from "../flows/etl.ts";

test("etl prices the day's orders and loads their total", async () => {
  // The real SDK against an in-memory store: no server, no files, in milliseconds.
  const run = await testFlow(etl, { parameters: { day: "2026-01-01", limit: 2 } });
  expect(run.state).toBe("COMPLETED");
  expect(run.result).toEqual({ day: "2026-01-01", orders: 2, total: 36, report: "2026-01-01: 36" });
  expect(run.tasks.filter((t) => t.name === "price")).toHaveLength(2);
  expect(run.subflows.map((s) => [s.name, s.state])).toEqual([["report", "COMPLETED"]]);
  expect(run.artifacts.map((a) => a.key)).toEqual(["orders"]);
});

test("a task replaced by a fixture", async () => {
  const run = await testFlow(etl, {
    parameters: { day: "2026-01-02" },
    mocks: { extract: (day: string) => [{ order: 1, day, amount: 100 }] },
  });
  expect(run.result).toMatchObject({ orders: 1, total: 120 });
  expect(run.tasks.find((t) => t.name === "extract")?.state_name).toBe("Mocked");
});
`,
  "flows/etl.ts": `import { createArtifact, flow, getRunLogger, task } from "orch";

// Cached for an hour: a later run for the same day and limit reuses the orders, not running this.
const extract = task(
  { name: "extract", cache: { expires: "1h" } },
  async (day: string, limit: number) =>
    Array.from({ length: limit }, (_, i) => ({ order: i + 1, day, amount: (i + 1) * 10 })),
);

// One task run per order (price.map below), at most two at once.
const price = task("price", async (order: { order: number; amount: number }) => ({
  order: order.order,
  total: Math.round(order.amount * 1.2),
}));

const load = task("load", async (rows: { order: number; total: number }[]) => {
  const total = rows.reduce((sum, row) => sum + row.total, 0);
  getRunLogger().info("loaded orders", { rows: rows.length, total }); // a structured log line
  // orch runs artifacts ID prints it as a table; the monitor lists it in the run's details.
  await createArtifact({ key: "orders", type: "table", data: rows, description: "Orders loaded" });
  return total;
});

// A flow called in a flow is a subflow: a run of its own, listed under etl by orch runs ls.
const report = flow("report", async ({ day, total }: { day: string; total: number }) => {
  getRunLogger().info("reporting", { day, total });
  return \`\${day}: \${total}\`;
});

// The return value is the run's result: orch runs result ID prints it.
export default flow(
  "etl",
  async ({ day = "today", limit = 3 }: { day?: string; limit?: number }) => {
    getRunLogger().info(\`loading orders of \${day}\`);
    const orders = await extract(day, limit);
    const total = await load(await price.map(orders, { concurrency: 2 }));
    return { day, orders: orders.length, total, report: await report({ day, total }) };
  },
);
`,
};
