import { join } from "node:path";
import { afterAll, beforeAll, expect, test } from "vitest";
import { orch, spawnOrch, tempDir } from "../helpers.ts";

const FLOWS = `deployments:
  - name: greet
    command: ["sh", "-c", "echo hello {{ parameters.name }}"]
    parameters: { name: world, times: 1 }
  - name: fail
    command: ["sh", "-c", "exit 3"]
  - name: tasks
    flow: ./tasks.ts
  - name: nested
    flow: ./nested.ts
`;

const NESTED_FLOW = `import { flow } from "orch";
const inner = flow("inner", async ({ n }: { n: number }) => n * 2);
const middle = flow("middle", async () => inner({ n: 2 }));
export default flow("outer", async () => middle({}));
`;

const TASKS_FLOW = `import { flow, task } from "orch";
const extract = task("extract", async () => [1, 2, 3]);
const load = task("load", async (rows: number[]) => rows.length);
export default flow("tasks", async () => load(await extract()));
`;

interface Span {
  traceId: string;
  spanId: string;
  parentSpanId?: string;
  name: string;
  startTimeUnixNano: string;
  endTimeUnixNano: string;
  attributes: { key: string; value: Record<string, unknown> }[];
  status: { code: number; message?: string };
}

// A local OTLP/HTTP receiver: it decodes each JSON export request as a collector would.
const bodies: string[] = [];
const spans: Span[] = [];
const receiver = Bun.serve({
  port: 0,
  hostname: "127.0.0.1",
  async fetch(req) {
    const url = new URL(req.url);
    if (req.method !== "POST" || url.pathname !== "/v1/traces")
      return new Response("", { status: 404 });
    expect(req.headers.get("content-type")).toBe("application/json");
    const body = await req.text();
    bodies.push(body);
    const decoded = JSON.parse(body) as {
      resourceSpans: {
        resource: { attributes: Span["attributes"] };
        scopeSpans: { scope: { name: string }; spans: Span[] }[];
      }[];
    };
    for (const rs of decoded.resourceSpans) {
      expect(rs.resource.attributes).toContainEqual({
        key: "service.name",
        value: { stringValue: "orch" },
      });
      for (const ss of rs.scopeSpans) spans.push(...ss.spans);
    }
    return Response.json({});
  },
});

let dir: string;
let cleanup: () => void;
let up: ReturnType<typeof spawnOrch>;

beforeAll(async () => {
  ({ dir, cleanup } = tempDir());
  await Bun.write(join(dir, "flows/all.yaml"), FLOWS);
  await Bun.write(join(dir, "flows/tasks.ts"), TASKS_FLOW);
  await Bun.write(join(dir, "flows/nested.ts"), NESTED_FLOW);
  up = spawnOrch([
    "up",
    "--headless",
    "--port",
    "0",
    "--dir",
    dir,
    "--otel",
    `http://127.0.0.1:${receiver.port}`,
  ]);
  await up.waitFor("orch is up at");
});

afterAll(async () => {
  up.proc.kill("SIGTERM");
  await up.proc.exited;
  receiver.stop(true);
  cleanup();
});

async function spanOf(runId: string, deadlineMs = 20_000): Promise<Span> {
  const deadline = Date.now() + deadlineMs;
  for (;;) {
    const found = spans.find(
      (s) =>
        s.attributes.some((a) => a.key === "orch.run.id" && a.value.stringValue === runId) &&
        !s.parentSpanId,
    );
    if (found) return found;
    if (Date.now() > deadline) throw new Error(`no span for run ${runId}; got ${spans.length}`);
    await Bun.sleep(50);
  }
}

const attr = (span: Span, key: string) => span.attributes.find((a) => a.key === key)?.value;

test("each finished run reaches the collector as a span: state, parameter names but not values", async () => {
  const ran = await orch([
    "run",
    "greet",
    "-p",
    "name=secret-value-42",
    "--watch",
    "--json",
    "--dir",
    dir,
  ]);
  expect(ran.code).toBe(0);
  const run = JSON.parse(ran.stdout) as { id: string };
  const span = await spanOf(run.id);
  expect(span.name).toBe("greet");
  expect(span.traceId).toMatch(/^[0-9a-f]{32}$/);
  expect(span.spanId).toMatch(/^[0-9a-f]{16}$/);
  expect(BigInt(span.endTimeUnixNano)).toBeGreaterThanOrEqual(BigInt(span.startTimeUnixNano));
  expect(attr(span, "orch.run.state")).toEqual({ stringValue: "COMPLETED" });
  expect(attr(span, "orch.deployment")).toEqual({ stringValue: "greet" });
  expect(attr(span, "orch.run.parameters")).toEqual({
    arrayValue: { values: [{ stringValue: "name" }, { stringValue: "times" }] },
  });
  expect(span.status.code).toBe(1);
  // The value a user passed never leaves orch.
  expect(bodies.some((b) => b.includes("secret-value-42"))).toBe(false);

  const failed = await orch(["run", "fail", "--watch", "--json", "--dir", dir]);
  const failSpan = await spanOf((JSON.parse(failed.stdout) as { id: string }).id);
  expect(attr(failSpan, "orch.run.state")).toEqual({ stringValue: "FAILED" });
  expect(failSpan.status.code).toBe(2);
});

test("a TypeScript flow's task runs are child spans of its run's span", async () => {
  const ran = await orch(["run", "tasks", "--watch", "--json", "--dir", dir]);
  expect(ran.code).toBe(0);
  const run = JSON.parse(ran.stdout) as { id: string };
  const span = await spanOf(run.id);
  const children = spans.filter((s) => s.parentSpanId === span.spanId);
  expect(children.map((s) => s.name).sort()).toEqual(["extract", "load"]);
  for (const child of children) {
    expect(child.traceId).toBe(span.traceId);
    expect(attr(child, "orch.task.state")).toEqual({ stringValue: "COMPLETED" });
  }
});

test("a subflow's run is a child span of its parent run's span, in its trace, named by its flow", async () => {
  const ran = await orch(["run", "nested", "--watch", "--json", "--dir", dir]);
  expect(ran.code).toBe(0);
  const outer = await spanOf((JSON.parse(ran.stdout) as { id: string }).id);
  const childOf = async (parent: Span, deadlineMs = 20_000): Promise<Span> => {
    const deadline = Date.now() + deadlineMs;
    for (;;) {
      const found = spans.find((s) => s.parentSpanId === parent.spanId);
      if (found) return found;
      if (Date.now() > deadline) throw new Error(`no child span of ${parent.name}`);
      await Bun.sleep(50);
    }
  };
  const middle = await childOf(outer);
  const inner = await childOf(middle);
  expect([outer.name, middle.name, inner.name]).toEqual(["nested", "middle", "inner"]);
  expect(middle.traceId).toBe(outer.traceId);
  expect(inner.traceId).toBe(outer.traceId);
  expect(attr(inner, "orch.flow")).toEqual({ stringValue: "inner" });
  expect(attr(inner, "orch.run.parent_id")).toEqual(attr(middle, "orch.run.id"));
  expect(attr(inner, "orch.run.state")).toEqual({ stringValue: "COMPLETED" });
});
