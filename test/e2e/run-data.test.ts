import { existsSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, test } from "vitest";
import { ORCH, orch, spawnOrch, tempDir } from "../helpers.ts";
import { eventually } from "../worker/helpers.ts";

// What a run keeps, through the compiled binary with no Bun on PATH: results (a flow's and its
// tasks', in the database or in a file, or why not), the task cache across runs, a server
// restart and a remote worker, and artifacts.

const FLOWS = `deployments:
  - name: data
    flow: ./data.ts
    parameters: { n: 3 }
  - name: data-remote
    flow: ./data.ts
    parameters: { n: 4 }
    work_pool: remote
  - name: sizes
    flow: ./sizes.ts
    parameters: { over: false }
  - name: expiring
    flow: ./expiring.ts
  - name: secretive
    flow: ./secretive.ts
  - name: parent
    flow: ./parent.ts
`;

const DATA_FLOW = `import { createArtifact, flow, task } from "orch";

const square = task({ name: "square", cache: true }, async (n: number) => {
  console.log(\`computing \${n}\`);
  return n * n;
});

const describe = task("describe", async (total: number) => {
  await createArtifact({ key: "summary", type: "markdown", data: \`# Total\\n\\n**\${total}**\` });
  return { total };
});

export default flow("data", async ({ n }: { n: number }) => {
  const squares: number[] = [];
  for (let i = 1; i <= n; i++) squares.push(await square(i));
  const total = squares.reduce((a, b) => a + b, 0);
  await createArtifact({
    key: "squares",
    type: "table",
    data: squares.map((s, i) => ({ n: i + 1, square: s })),
    description: "n and its square",
  });
  await createArtifact({ key: "docs", type: "link", data: "https://example.com/squares" });
  const summary = await describe(total);
  return { squares, total: summary.total };
});
`;

const SIZES_FLOW = `import { flow, task } from "orch";

const big = task("big", async () => "x".repeat(100_000));
const huge = task("huge", async () => "y".repeat(1_200_000));
const odd = task("odd", async () => ({ lookup: new Map([["a", 1]]) }));

export default flow("sizes", async ({ over }: { over: boolean }) => {
  const lengths = [(await big()).length, (await huge()).length, (await odd()).lookup.size];
  return over ? "z".repeat(1_100_000) : { lengths };
});
`;

const EXPIRING_FLOW = `import { flow, task } from "orch";

const brief = task({ name: "brief", cache: { expires: "1s" } }, async () => {
  console.log("brief ran");
  return "brief";
});
const hourly = task({ name: "hourly", cacheKey: () => "the-hour", expires: "1h" }, async () => {
  console.log("hourly ran");
  return "hourly";
});

export default flow("expiring", async () => [await brief(), await hourly()]);
`;

const SECRET_FLOW = `import { createArtifact, flow, getSecret } from "orch";

export default flow("secretive", async () => {
  const key = getSecret("api_key");
  await createArtifact({ key: "note", type: "markdown", data: \`the key is \${key}\` });
  return { key, quoted: \`"\${key}"\` };
});
`;

const PARENT_FLOW = `import { flow } from "orch";

const child = flow("child", async ({ n }: { n: number }) => ({ doubled: n * 2 }));

export default flow("parent", async () => ({ fromChild: await child({ n: 21 }) }));
`;

/** The PATH of every orch started here: no Bun on it, as on a user's machine. */
const NO_BUN = { PATH: "/usr/bin:/bin", ORCH_KEYCHAIN: "off" };

let project: { dir: string; cleanup: () => void };
let elsewhere: { dir: string; cleanup: () => void };
let up: ReturnType<typeof spawnOrch>;
let worker: ReturnType<typeof spawnOrch> | undefined;

const cli = (...args: string[]) => orch([...args, "--dir", project.dir], { env: NO_BUN });

async function startUp() {
  up = spawnOrch(["up", "--headless", "--port", "0", "--dir", project.dir], { env: NO_BUN });
  await up.waitFor("orch is up at", 15_000);
}

async function stopUp() {
  up.proc.kill("SIGTERM");
  await up.proc.exited;
}

/** Run a deployment to its end; the run as it ended. */
async function runToEnd(name: string, ...params: string[]) {
  const r = await cli("run", name, ...params.flatMap((p) => ["-p", p]), "--watch", "--json");
  expect(r.code, r.stderr).toBe(0);
  return JSON.parse(r.stdout) as { id: string; state: string };
}

/** The lines a run printed on stdout. */
async function output(id: string): Promise<string[]> {
  const r = await cli("runs", "logs", id, "--json");
  return (JSON.parse(r.stdout) as { stream: string; line: string }[])
    .filter((l) => l.stream === "stdout")
    .map((l) => l.line);
}

async function inspect(id: string) {
  return JSON.parse((await cli("runs", "inspect", id, "--json")).stdout);
}

/** Ask an API path of the running server with the project's token (GET, or `init`'s method). */
type Answer = { value?: unknown; error?: { message: string; problems?: { message: string }[] } };
async function api(
  path: string,
  init: RequestInit = {},
): Promise<{ status: number; body: Answer }> {
  const { url } = JSON.parse(readFileSync(join(project.dir, ".orch/server.json"), "utf8"));
  const token = readFileSync(join(project.dir, ".orch/token"), "utf8").trim();
  const res = await fetch(`${url}${path}`, {
    ...init,
    headers: { authorization: `Bearer ${token}`, "content-type": "application/json" },
  });
  return { status: res.status, body: (await res.json()) as Answer };
}

beforeAll(async () => {
  project = tempDir("orch-data-");
  elsewhere = tempDir("orch-data-worker-");
  await Bun.write(join(project.dir, "flows/all.yaml"), FLOWS);
  await Bun.write(join(project.dir, "flows/data.ts"), DATA_FLOW);
  await Bun.write(join(project.dir, "flows/sizes.ts"), SIZES_FLOW);
  await Bun.write(join(project.dir, "flows/expiring.ts"), EXPIRING_FLOW);
  await Bun.write(join(project.dir, "flows/secretive.ts"), SECRET_FLOW);
  await Bun.write(join(project.dir, "flows/parent.ts"), PARENT_FLOW);
  // The secret the secretive flow reads exists before its definition is deployed.
  const set = Bun.spawn([ORCH, "secrets", "set", "api_key", "--dir", project.dir], {
    env: { ...process.env, ...NO_BUN },
    stdin: new TextEncoder().encode("sk-very-secret-123"),
    stdout: "pipe",
    stderr: "pipe",
  });
  expect(await set.exited, await new Response(set.stderr).text()).toBe(0);
  await startUp();
});

afterAll(async () => {
  worker?.proc.kill("SIGTERM");
  up.proc.kill("SIGTERM");
  await Promise.all([worker?.proc.exited, up.proc.exited]);
  project.cleanup();
  elsewhere.cleanup();
});

describe("results", () => {
  let id: string;
  beforeAll(async () => {
    id = (await runToEnd("data")).id;
  });

  test("a flow's return value is its run's result: orch runs result, the API and inspect", async () => {
    const r = await cli("runs", "result", id);
    expect(r.code).toBe(0);
    expect(JSON.parse(r.stdout)).toEqual({ squares: [1, 4, 9], total: 14 });
    const { status, body } = await api(`/api/runs/${id}/result`);
    expect(status).toBe(200);
    expect(body).toEqual({
      run_id: id,
      task: null,
      value: { squares: [1, 4, 9], total: 14 },
      size: 30,
      file: null,
    });
    expect((await inspect(id)).result).toEqual({
      value: { squares: [1, 4, 9], total: 14 },
      size: 30,
      file: null,
    });
    expect((await cli("runs", "inspect", id)).stdout).toMatch(
      /result +\{"squares":\[1,4,9\],"total":14\}/,
    );
  });

  test("a task's return value is its task run's result; one of several runs of a task by NAME#N", async () => {
    const r = await cli("runs", "result", id, "--task", "describe");
    expect(r.code).toBe(0);
    expect(JSON.parse(r.stdout)).toEqual({ total: 14 });
    expect((await api(`/api/runs/${id}/result?task=square%232`)).body.value).toBe(4);
    const several = await api(`/api/runs/${id}/result?task=square`);
    expect(several.status).toBe(409);
    expect(several.body.error?.message).toMatch(/task square ran 3 times .* square#1 … square#3/);
    const none = await cli("runs", "result", id, "--task", "nope");
    expect(none.code).toBe(2);
    expect(none.stderr).toMatch(/no task run named "nope"; its tasks: square, describe/);
  });

  test("a large result is kept in a file under .orch/results/; one over the cap is refused with why, and the run still completes", async () => {
    const run = await runToEnd("sizes");
    expect(run.state).toBe("COMPLETED");
    expect(JSON.parse((await cli("runs", "result", run.id)).stdout)).toEqual({
      lengths: [100_000, 1_200_000, 1],
    });
    const big = JSON.parse((await cli("runs", "result", run.id, "--task", "big", "--json")).stdout);
    expect(big).toMatchObject({
      task: "big",
      size: 100_002,
      file: expect.stringMatching(/^results\/[0-9a-f]{64}\.json$/),
    });
    expect(big.value).toBe("x".repeat(100_000));
    expect(readFileSync(join(project.dir, ".orch", big.file), "utf8")).toBe(
      JSON.stringify(big.value),
    );

    const huge = await cli("runs", "result", run.id, "--task", "huge");
    expect(huge.code).toBe(2);
    expect(huge.stderr).toMatch(
      /the result of task huge was not kept: task huge's return value is 1\.2 MB as JSON, over the 1\.0 MB cap; return something smaller/,
    );
    const odd = await cli("runs", "result", run.id, "--task", "odd");
    expect(odd.code).toBe(2);
    expect(odd.stderr).toMatch(
      /task odd's return value is not JSON: value\.lookup is a Map \(return Object\.fromEntries/,
    );
    // The flow's author sees why in the run's logs too.
    const logs = (await cli("runs", "logs", run.id)).stdout;
    expect(logs).toMatch(/WARN +result not kept: task huge's return value is 1\.2 MB/);

    const over = await runToEnd("sizes", "over=true");
    expect(over.state).toBe("COMPLETED");
    const refused = await cli("runs", "result", over.id);
    expect(refused.code).toBe(2);
    expect(refused.stderr).toMatch(
      /the flow's return value is 1\.1 MB as JSON, over the 1\.0 MB cap/,
    );
    expect((await cli("runs", "inspect", over.id)).stdout).toMatch(
      /result +not kept: the flow's return value is 1\.1 MB/,
    );
  });
});

test("a subflow's return value is its own run's result; the parent's holds what it returned", async () => {
  const parent = await runToEnd("parent");
  expect(JSON.parse((await cli("runs", "result", parent.id)).stdout)).toEqual({
    fromChild: { doubled: 42 },
  });
  const runs = JSON.parse((await cli("runs", "ls", "--json", "--limit", "100")).stdout) as {
    id: string;
    parent_id: string | null;
  }[];
  const child = runs.find((r) => r.parent_id === parent.id)!;
  expect(JSON.parse((await cli("runs", "result", child.id)).stdout)).toEqual({ doubled: 42 });
});

test("a run's secrets are masked in its results and artifacts, as in its logs", async () => {
  const run = await runToEnd("secretive");
  const result = await cli("runs", "result", run.id);
  expect(JSON.parse(result.stdout)).toEqual({ key: "****", quoted: '"****"' });
  const artifacts = await cli("runs", "artifacts", run.id, "--json");
  expect(artifacts.stdout).not.toContain("sk-very-secret");
  expect(JSON.parse(artifacts.stdout)[0].data).toBe("the key is ****");
});

describe("caching", () => {
  test("a cached task's value is reused by the next run (the body does not run; the task is Cached), across a server restart and on a remote worker", async () => {
    const first = await runToEnd("data", "n=3");
    const second = await runToEnd("data", "n=4");
    // The earlier runs kept 1, 4 and 9: only 4's square is new.
    expect(await output(second.id)).toEqual(["computing 4"]);
    const tasks = (await inspect(second.id)).tasks;
    expect(tasks.map((t: { state_name: string }) => t.state_name)).toEqual([
      "Cached",
      "Cached",
      "Cached",
      "Completed",
      "Completed",
    ]);
    expect(tasks[0]).toMatchObject({ state: "COMPLETED", cached: true, attempts: 0 });
    expect(await output(first.id)).toEqual([]);
    expect(JSON.parse((await cli("runs", "result", second.id)).stdout).total).toBe(30);

    await stopUp();
    await startUp();
    const third = await runToEnd("data", "n=4");
    expect(await output(third.id)).toEqual([]);
    expect(
      (await inspect(third.id)).tasks.filter((t: { cached: boolean }) => t.cached),
    ).toHaveLength(4);

    // A worker elsewhere (its own folder, no shared disk) reads the server's cache and sends its
    // run's results through the API.
    const { url } = JSON.parse(readFileSync(join(project.dir, ".orch/server.json"), "utf8"));
    const token = readFileSync(join(project.dir, ".orch/token"), "utf8").trim();
    worker = spawnOrch(["worker", "--pool", "remote", "--api", url, "--token", token], {
      cwd: elsewhere.dir,
      env: NO_BUN,
    });
    await worker.waitFor("takes runs of pool remote", 15_000);
    const remote = await runToEnd("data-remote");
    expect(await output(remote.id)).toEqual([]);
    const detail = await inspect(remote.id);
    expect(detail.tasks.filter((t: { cached: boolean }) => t.cached)).toHaveLength(4);
    expect(detail.result.value).toEqual({ squares: [1, 4, 9, 16], total: 30 });
    worker.proc.kill("SIGTERM");
    await worker.proc.exited;
    worker = undefined;
  });

  test("a cached value expires: after its expiry the body runs again; a longer one holds", async () => {
    const first = await runToEnd("expiring");
    expect(await output(first.id)).toEqual(["brief ran", "hourly ran"]);
    const entries = JSON.parse((await cli("cache", "ls", "--json")).stdout) as {
      task: string;
      key: string;
      created_at: string;
      expires_at: string | null;
    }[];
    const brief = entries.find((e) => e.task === "brief")!;
    const hourly = entries.find((e) => e.task === "hourly")!;
    expect(Date.parse(brief.expires_at!) - Date.parse(brief.created_at)).toBe(1000);
    expect(Date.parse(hourly.expires_at!) - Date.parse(hourly.created_at)).toBe(3_600_000);
    expect(hourly.key).toBe("the-hour");
    // Wait for the clock to pass the brief value's expiry (no fixed sleep: the condition itself).
    await eventually(() => Date.now() > Date.parse(brief.expires_at!), 5000, "the expiry");
    const second = await runToEnd("expiring");
    expect(await output(second.id)).toEqual(["brief ran"]);
    expect(JSON.parse((await cli("runs", "result", second.id)).stdout)).toEqual([
      "brief",
      "hourly",
    ]);

    // An expiry past any date a timestamp holds is refused, and the cache stays listable.
    const absurd = await api(`/api/cache/brief/${"a".repeat(64)}`, {
      method: "PUT",
      body: JSON.stringify({ value: 1, expires: 9007199254740992 }),
    });
    expect(absurd.status).toBe(400);
    expect(JSON.stringify(absurd.body.error)).toMatch(/longer than 100 years/);
    expect((await api("/api/cache")).status).toBe(200);
  });

  test("orch cache ls lists entries (by task with --task); orch cache clear drops them, and the next run computes again", async () => {
    const table = await cli("cache", "ls", "--task", "square");
    expect(table.code).toBe(0);
    const rows = table.stdout.trim().split("\n");
    expect(rows[0]).toMatch(/^TASK +KEY +SIZE +CREATED +EXPIRES +RUN$/);
    expect(rows.slice(1)).toHaveLength(4);
    for (const row of rows.slice(1))
      expect(row).toMatch(/^square +[0-9a-f]{23}… +\d+ B .* never +[0-9a-f]{8}$/);

    const cleared = await cli("cache", "clear", "--task", "brief");
    expect(cleared.code).toBe(0);
    expect(cleared.stderr).toMatch(/dropped 1 cached value\(s\) of task brief/);
    const left = JSON.parse((await cli("cache", "ls", "--json")).stdout) as { task: string }[];
    expect(new Set(left.map((e) => e.task))).toEqual(new Set(["square", "hourly"]));

    expect(JSON.parse((await cli("cache", "clear", "--json")).stdout)).toEqual({ deleted: 5 });
    expect((await cli("cache", "ls")).stderr).toMatch(/nothing is cached/);
    const again = await runToEnd("data", "n=2");
    expect(await output(again.id)).toEqual(["computing 1", "computing 2"]);
  });
});

test("orch runs artifacts prints a run's artifacts: tables as tables, markdown as written, links; with the task each was made in", async () => {
  const run = await runToEnd("data", "n=2");
  const r = await cli("runs", "artifacts", run.id);
  expect(r.code).toBe(0);
  const time = "\\d{4}-\\d\\d-\\d\\d \\d\\d:\\d\\d:\\d\\d";
  expect(r.stdout).toMatch(
    new RegExp(
      [
        `^squares {2}table {2}${time} {2}n and its square`,
        "N +SQUARE",
        "1 +1",
        "2 +4",
        "",
        `docs {2}link {2}${time}`,
        "https://example\\.com/squares",
        "",
        `summary {2}markdown {2}task describe {2}${time}`,
        "# Total",
        "",
        "\\*\\*5\\*\\*\n$",
      ].join("\n"),
    ),
  );
  const json = JSON.parse((await cli("runs", "artifacts", run.id, "--json")).stdout);
  expect(json.map((a: { key: string; task: string | null }) => [a.key, a.task])).toEqual([
    ["squares", null],
    ["docs", null],
    ["summary", "describe"],
  ]);
  expect(existsSync(join(project.dir, ".orch/results"))).toBe(true);
});

test("the example flow orch init writes keeps its result, caches its extract, maps a task, calls a subflow, logs with fields and makes a table", async () => {
  const t = tempDir("orch-example-");
  const init = await orch(["init", t.dir], { env: NO_BUN });
  expect(init.code, init.stderr).toBe(0);
  const server = spawnOrch(["up", "--headless", "--port", "0", "--dir", t.dir], { env: NO_BUN });
  try {
    await server.waitFor("orch is up at", 15_000);
    const here = (...args: string[]) => orch([...args, "--dir", t.dir], { env: NO_BUN });
    const runs: { id: string }[] = [];
    for (let i = 0; i < 2; i++) {
      const r = await here("run", "etl", "--watch", "--json");
      expect(r.code, r.stderr).toBe(0);
      runs.push(JSON.parse(r.stdout));
    }
    const [first, second] = runs as [{ id: string }, { id: string }];
    for (const run of runs) {
      expect(JSON.parse((await here("runs", "result", run.id)).stdout)).toEqual({
        day: "today",
        orders: 3,
        total: 72,
        report: "today: 72",
      });
      // The subflow is a child run of its own, with its own result.
      const [child] = JSON.parse((await here("runs", "inspect", run.id, "--json")).stdout).children;
      expect([child.flow_name, child.state, child.parent_id]).toEqual([
        "report",
        "COMPLETED",
        run.id,
      ]);
      expect(JSON.parse((await here("runs", "result", child.id)).stdout)).toBe("today: 72");
    }
    const tasks = async (id: string) =>
      JSON.parse((await here("runs", "inspect", id, "--json")).stdout).tasks.map(
        (x: { name: string; state_name: string }) => `${x.name} ${x.state_name}`,
      );
    const priced = ["price Completed", "price Completed", "price Completed"];
    expect(await tasks(first.id)).toEqual(["extract Completed", ...priced, "load Completed"]);
    expect(await tasks(second.id)).toEqual(["extract Cached", ...priced, "load Completed"]);
    const artifacts = await here("runs", "artifacts", second.id);
    expect(artifacts.stdout).toMatch(
      /^orders {2}table {2}task load .*Orders loaded\nORDER +TOTAL\n1 +12\n2 +24\n3 +36\n$/,
    );
    // The logger's structured line, found by level and text.
    const logs = await here(
      "runs",
      "logs",
      second.id,
      "--level",
      "info",
      "--grep",
      "loaded orders",
    );
    expect(logs.stdout + logs.stderr).toMatch(/loaded orders.*rows=3.*total=72/);
  } finally {
    server.proc.kill("SIGTERM");
    await server.proc.exited;
    t.cleanup();
  }
});
