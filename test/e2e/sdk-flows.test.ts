import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, test } from "vitest";
import { orch, spawnOrch, tempDir } from "../helpers.ts";

// What a flow is, through the compiled binary with no Bun on PATH: its options as its
// deployment's defaults, typed parameters checked on trigger, subflows as child runs, and pause.

const FLOWS = `deployments:
  - name: family
    flow: ./family.ts
  - name: stuck-family
    flow: ./stuck-family.ts
  - name: typed
    flow: ./typed.ts
  - name: standard
    flow: ./standard.ts
  - name: approve
    flow: ./approve.ts
  - name: impatient
    flow: ./impatient.ts
  - name: flaky
    flow: ./flaky.ts
  - name: flaky-once
    flow: ./flaky.ts
    retries: 0
  - name: slow
    flow: ./slow.ts
  - name: lingering
    flow: ./lingering.ts
  - name: release
    flow: ./release.ts
  - name: release-rerun
    flow: ./release.ts:rerun
`;

const FILES: Record<string, string> = {
  "family.ts": `import { flow } from "orch";
const child = flow("child", async ({ x }: { x: number }) => {
  console.log("child got", x);
  return x * 2;
});
const picky = flow({ name: "picky", parameters: { type: "object", properties: { x: { type: "number" } } } },
  async ({ x }: { x: number }) => x);
export default flow("family", async () => {
  const sum = (await child({ x: 1 })) + (await child({ x: 2 }));
  console.log("sum", sum);
  try {
    await picky({ x: "one" } as unknown as { x: number });
  } catch (error) {
    console.log("picky refused:", (error as Error).message);
  }
});
`,
  "stuck-family.ts": `import { flow } from "orch";
const stuck = flow("stuck", async () => {
  console.log("child waiting");
  await new Promise((resolve) => setTimeout(resolve, 120_000));
});
export default flow("stuck-family", async () => {
  await stuck({});
});
`,
  "typed.ts": `import { flow } from "orch";
export default flow({
  name: "typed",
  parameters: {
    type: "object",
    additionalProperties: false,
    required: ["count"],
    properties: { count: { type: "number" }, label: { type: "string" } },
  },
}, async ({ count }: { count: number }) => console.log("count plus one", count + 1));
`,
  // A Standard Schema made by hand: what Zod 4 and its peers expose.
  "standard.ts": `import { flow } from "orch";
const jsonSchema = {
  type: "object",
  additionalProperties: false,
  required: ["city"],
  properties: { city: { type: "string" } },
};
const schema = {
  "~standard": {
    version: 1,
    vendor: "hand-made",
    validate: (value: unknown) => {
      const city = (value as { city?: unknown }).city;
      return typeof city === "string"
        ? { value: { city: city.toUpperCase() } }
        : { issues: [{ message: "must be a string", path: ["city"] }] };
    },
    jsonSchema: { input: () => jsonSchema, output: () => jsonSchema },
  },
};
export default flow({ name: "standard", parameters: schema }, async ({ city }: { city: string }) =>
  console.log("city is", city));
`,
  "approve.ts": `import { flow, pause } from "orch";
export default flow("approve", async () => {
  console.log("before the pause");
  const input = await pause({
    timeout: "1h",
    input: {
      type: "object",
      additionalProperties: false,
      required: ["ok"],
      properties: { ok: { type: "boolean" }, note: { type: "string" } },
    },
  });
  console.log("resumed with", JSON.stringify(input));
});
`,
  "impatient.ts": `import { flow, pause } from "orch";
export default flow("impatient", async () => {
  await pause({ timeout: "1s" });
  console.log("never here");
});
`,
  "flaky.ts": `import { flow } from "orch";
export default flow({ name: "flaky", retries: 1, retryDelay: "10ms" }, async () => {
  throw new Error("always broken");
});
`,
  // Its process does not end until the test opens its gate: the run, resumed, starts again
  // while its first process is still there.
  // fetch gives the rows a person approves; each call gives new ones (a count in a file).
  "release.ts": `import { existsSync, readFileSync, writeFileSync } from "node:fs";
import { flow, pause, task } from "orch";
const fetchRows = task("fetch", (day: string) => {
  const file = "__DIR__/fetched-" + process.env.ORCH_RUN_ID;
  const n = existsSync(file) ? Number(readFileSync(file, "utf8")) + 1 : 1;
  writeFileSync(file, String(n));
  return { day, batch: n };
});
const ship = task("ship", (rows: { batch: number }) => rows.batch);
const body = async () => {
  const rows = await fetchRows("d1");
  await pause({ key: "approve" });
  return { shipped: await ship(rows) };
};
export default flow("release", body);
export const rerun = flow({ name: "release-rerun", resume: "rerun" }, body);
`,
  "lingering.ts": `import { existsSync } from "node:fs";
import { flow, pause } from "orch";
export default flow("lingering", async () => {
  process.on("exit", () => {
    const gate = "__DIR__/gate-" + process.env.ORCH_RUN_ID;
    const end = Date.now() + 30_000;
    while (!existsSync(gate) && Date.now() < end) {}
  });
  const { ok } = await pause<{ ok: boolean }>({ input: { type: "object", properties: { ok: { type: "boolean" } } } });
  console.log("resumed with", ok);
});
`,
  "slow.ts": `import { flow } from "orch";
export default flow({ name: "slow", timeout: "1s" }, async () => {
  await new Promise((resolve) => setTimeout(resolve, 120_000));
});
`,
};

/** PATH without any folder that holds a bun: flows run through orch itself. */
const PATH = (process.env.PATH ?? "")
  .split(":")
  .filter((dir) => dir && !Bun.spawnSync(["test", "-x", join(dir, "bun")]).success)
  .join(":");
const env = { PATH };

let dir: string;
let cleanup: () => void;
let up: ReturnType<typeof spawnOrch>;
let api: { url: string; token: string };

beforeAll(async () => {
  ({ dir, cleanup } = tempDir());
  await Bun.write(join(dir, "flows/all.yaml"), FLOWS);
  for (const [name, text] of Object.entries(FILES))
    await Bun.write(join(dir, "flows", name), text.replaceAll("__DIR__", dir));
  up = spawnOrch(["up", "--headless", "--port", "0", "--dir", dir], { env });
  await up.waitFor("orch is up at");
  const server = JSON.parse(await Bun.file(join(dir, ".orch/server.json")).text());
  api = { url: server.url, token: (await Bun.file(join(dir, ".orch/token")).text()).trim() };
});

afterAll(async () => {
  up.proc.kill("SIGTERM");
  await up.proc.exited;
  cleanup();
});

const run = (...args: string[]) => orch([...args, "--dir", dir], { env });

interface RunJson {
  id: string;
  state: string;
  state_name: string;
  state_message: string;
  attempt: number;
  parent_id: string | null;
  flow_name: string | null;
  children?: RunJson[];
  pause?: { key: string; input_schema: unknown } | null;
}

async function inspect(id: string): Promise<RunJson> {
  const r = await run("runs", "inspect", id, "--json");
  expect(r.stderr).toBe("");
  return JSON.parse(r.stdout);
}

/** Poll the run until `ok` holds (or fail with what it last was). */
async function until(id: string, ok: (r: RunJson) => boolean, ms = 20_000): Promise<RunJson> {
  const deadline = Date.now() + ms;
  let last = await inspect(id);
  while (!ok(last)) {
    if (Date.now() > deadline)
      throw new Error(`run ${id} never got there: ${JSON.stringify(last)}`);
    await Bun.sleep(100);
    last = await inspect(id);
  }
  return last;
}

/** A run's state names, in order, as `runs inspect` lists them. */
async function stateNames(id: string): Promise<string[]> {
  const detail = JSON.parse((await run("runs", "inspect", id, "--json")).stdout);
  return detail.states.map((s: { name: string }) => s.name);
}

/** The history of a run paused once, resumed, and completed. */
const PAUSED_ONCE = [
  "Scheduled",
  "Pending",
  "Running",
  "Paused",
  "Resuming",
  "Pending",
  "Running",
  "Completed",
];

async function trigger(name: string, ...params: string[]): Promise<string> {
  const r = await run("run", name, ...params.flatMap((p) => ["-p", p]), "--json");
  expect(r.code, r.stderr).toBe(0);
  return JSON.parse(r.stdout).id;
}

async function post(path: string, body: unknown): Promise<Response> {
  return fetch(`${api.url}${path}`, {
    method: "POST",
    headers: { "content-type": "application/json", authorization: `Bearer ${api.token}` },
    body: JSON.stringify(body),
  });
}

describe("subflows", () => {
  test("a flow called in a flow is a child run with parent_id, its own states, listed under its parent", async () => {
    const id = await trigger("family");
    const parent = await until(id, (r) => r.state === "COMPLETED");
    expect(parent.children?.map((c) => [c.flow_name, c.state, c.parent_id])).toEqual([
      ["child", "COMPLETED", id],
      ["child", "COMPLETED", id],
      ["picky", "FAILED", id],
    ]);
    // A subflow's parameters are checked against its schema: its failure is the call's.
    expect(parent.children?.[2]?.state_message).toMatch(/parameters\.x: must be a number/);
    const logs = await run("runs", "logs", id);
    expect(logs.stdout).toContain("sum 6");
    expect(logs.stdout).toMatch(/picky refused: the parameters do not match/);
    const child = await inspect(parent.children![0]!.id);
    expect(child.parent_id).toBe(id);
    expect(child.state_name).toBe("Completed");
    // A subflow's logs are its own: what it printed, not its caller's or its sibling's lines.
    const childLogs = await run("runs", "logs", child.id);
    expect(childLogs.stdout).toContain("child got 1");
    expect(childLogs.stdout).not.toContain("child got 2");
    expect(childLogs.stdout).not.toContain("sum 6");
    const siblingLogs = await fetch(`${api.url}/api/runs/${parent.children![1]!.id}/logs`, {
      headers: { authorization: `Bearer ${api.token}` },
    });
    expect(
      ((await siblingLogs.json()) as { line: string }[]).map((l) => l.line).join("\n"),
    ).toMatch(/^child got 2$/);

    const ls = await run("runs", "ls");
    const lines = ls.stdout.split("\n");
    const at = lines.findIndex((l) => l.startsWith(id.slice(0, 8)));
    expect(lines.slice(at + 1, at + 4).map((l) => l.split(/\s{2,}/)[1])).toEqual([
      "└ child",
      "└ child",
      "└ picky",
    ]);
    const text = await run("runs", "inspect", id);
    expect(text.stdout).toMatch(/SUBFLOWS\n\s+\S{8}\s+child\s+COMPLETED/);
    // orch up's log names a subflow by its flow and its parent, not as a run ad hoc.
    const short = child.id.slice(0, 8);
    await up.waitFor(`run ${short} (subflow child of ${id.slice(0, 8)}) Completed`);
    expect(up.stderr).not.toMatch(new RegExp(`run ${short} \\(ad hoc`));
  });

  test("cancelling the parent cancels its running subflow", async () => {
    const id = await trigger("stuck-family");
    const parent = await until(id, (r) => r.children?.[0]?.state === "RUNNING");
    const childId = parent.children![0]!.id;
    const cancel = await run("runs", "cancel", id);
    expect(cancel.code, cancel.stderr).toBe(0);
    await until(id, (r) => r.state === "CANCELLED");
    const child = await until(childId, (r) => r.state === "CANCELLED");
    expect(child.state_message).toBe(`cancelled with its parent run ${id.slice(0, 8)}`);
  });
});

describe("typed parameters from flow()", () => {
  test("orch deploy reads the flow's schema without running it; triggers are checked against it", async () => {
    const d = JSON.parse((await run("deployments", "inspect", "typed", "--json")).stdout);
    expect(d.parameter_schema).toMatchObject({ required: ["count"] });

    const wrongType = await run("run", "typed", "-p", "count=abc");
    expect(wrongType.code).toBe(2);
    expect(wrongType.stderr).toMatch(/parameters\.count: "abc" is not a number/);

    const typo = await run("run", "typed", "-p", "count=1", "-p", "lable=x");
    expect(typo.code).toBe(2);
    expect(typo.stderr).toMatch(
      /parameters\.lable: is not in the parameter schema; did you mean "label"\?/,
    );

    const response = await post("/api/deployments/typed/runs", { parameters: { count: "x" } });
    expect(response.status).toBe(400);
    expect(await response.json()).toEqual({
      error: {
        code: "E_BAD_INPUT",
        message: "the parameters do not match the parameter schema of typed",
        problems: [{ where: "parameters.count", message: 'must be a number, not "x"' }],
      },
    });

    const id = await trigger("typed", "count=41");
    await until(id, (r) => r.state === "COMPLETED");
    expect((await run("runs", "logs", id)).stdout).toContain("count plus one 42");
  });

  test("a Standard Schema's JSON Schema is enforced on trigger, and it validates inside the run", async () => {
    const missing = await run("run", "standard");
    expect(missing.code).toBe(2);
    expect(missing.stderr).toMatch(/parameters: missing "city"/);
    const id = await trigger("standard", "city=berlin");
    await until(id, (r) => r.state === "COMPLETED");
    expect((await run("runs", "logs", id)).stdout).toContain("city is BERLIN");
  });
});

describe("pause and resume", () => {
  test("a paused run holds no process; resumed with checked input, it starts again and pause() returns it", async () => {
    const id = await trigger("approve");
    const paused = await until(id, (r) => r.state === "PAUSED");
    expect(paused.pause?.key).toBe("pause-1");

    const bad = await run("runs", "resume", id, "-p", "ok=maybe");
    expect(bad.code).toBe(2);
    expect(bad.stderr).toMatch(/input\.ok: "maybe" is not a boolean/);
    const typo = await run("runs", "resume", id, "-p", "ok=true", "-p", "nots=x");
    expect(typo.code).toBe(2);
    expect(typo.stderr).toMatch(
      /input\.nots: is not in the pause's input schema; did you mean "note"\?/,
    );
    const response = await post(`/api/runs/${id}/resume`, { input: { ok: "yes" } });
    expect(response.status).toBe(400);
    const body = (await response.json()) as { error: { message: string; problems: unknown[] } };
    // The words orch/testing's resume() refuses with too (one message, see pause-input.ts).
    expect(body.error.message).toMatch(
      /^the input does not match what pause-1 of run \w{8} asks for$/,
    );
    expect(body.error.problems).toEqual([
      { where: "input.ok", message: 'must be a boolean, not "yes"' },
    ]);
    expect((await inspect(id)).state).toBe("PAUSED");

    const ok = await run("runs", "resume", id, "-p", "ok=true", "-p", "note=fine");
    expect(ok.code, ok.stderr).toBe(0);
    const done = await until(id, (r) => r.state === "COMPLETED");
    expect(done.attempt).toBe(2);
    expect(await stateNames(id)).toEqual(PAUSED_ONCE);
    const logs = (await run("runs", "logs", id)).stdout;
    expect(logs).toContain('resumed with {"ok":true,"note":"fine"}');
    expect(logs.match(/before the pause/g)).toHaveLength(2);
    // orch's own notice of the pause is an info line, not an error.
    const errors = await run("runs", "logs", id, "--level", "warn");
    expect(errors.stdout + errors.stderr).not.toContain("paused (pause-1)");
    expect(logs).toMatch(/paused \(pause-1\): resume with orch runs resume \S{8}/);
  });

  test("orch run --watch ends when the run pauses, exit code 3, saying how to resume it", async () => {
    const watch = await run("run", "approve", "--watch");
    expect(watch.code, watch.stderr).toBe(3);
    expect(watch.stderr).toMatch(
      /run (\S{8}) PAUSED: .*resume it with orch runs resume \1; this watch ends here \(exit code 3\); orch runs logs \1 -f follows it once resumed/,
    );
    expect(watch.stdout + watch.stderr).toContain("before the pause");
    const id = /run (\S{8}) PAUSED/.exec(watch.stderr)![1]!;
    expect((await inspect(id)).state).toBe("PAUSED");
    const resumed = await run("runs", "resume", id, "-p", "ok=true");
    expect(resumed.code, resumed.stderr).toBe(0);
    await until(id, (r) => r.state === "COMPLETED");
    // --json prints the run as it paused.
    const json = await run("run", "approve", "--watch", "--json");
    expect(json.code).toBe(3);
    expect(JSON.parse(json.stdout)).toMatchObject({ state: "PAUSED" });
  });

  test("resumed while its paused process is still ending, the run's next attempt is not paused again by it", async () => {
    const id = await trigger("lingering");
    await until(id, (r) => r.state === "PAUSED");
    const resumed = await run("runs", "resume", id, "-p", "ok=true");
    expect(resumed.code, resumed.stderr).toBe(0);
    // The second attempt runs while the first one's process is still there; then it may end.
    await until(id, (r) => r.state === "RUNNING" && r.attempt === 2);
    await Bun.write(join(dir, `gate-${id}`), "");
    const done = await until(id, (r) => ["COMPLETED", "FAILED", "CRASHED"].includes(r.state));
    expect(done.state).toBe("COMPLETED");
    expect(await stateNames(id)).toEqual(PAUSED_ONCE);
    expect((await run("runs", "logs", id)).stdout).toContain("resumed with true");
  });

  test("a resumed run reuses the results of the tasks that completed before its pause, unless the flow says rerun", async () => {
    const id = await trigger("release");
    await until(id, (r) => r.state === "PAUSED");
    const resumed = await run("runs", "resume", id);
    expect(resumed.code, resumed.stderr).toBe(0);
    expect(resumed.stderr).toContain(
      "tasks that completed before the pause give back their results",
    );
    const done = await until(id, (r) => r.state === "COMPLETED");
    // What was approved is what shipped: fetch did not run again.
    expect(JSON.parse((await run("runs", "result", id)).stdout)).toEqual({ shipped: 1 });
    const tasks = JSON.parse((await run("runs", "inspect", id, "--json")).stdout).tasks;
    expect(
      tasks.map((t: { name: string; state_name: string }) => `${t.name} ${t.state_name}`),
    ).toEqual(["fetch Completed", "fetch Reused", "ship Completed"]);
    expect(done.attempt).toBe(2);
    expect((await run("runs", "logs", id)).stdout).toContain(
      "resumed: 1 result(s) of task runs that completed before the pause (attempt 1) are reused",
    );

    const again = await trigger("release-rerun");
    await until(again, (r) => r.state === "PAUSED");
    expect((await run("runs", "resume", again)).code).toBe(0);
    await until(again, (r) => r.state === "COMPLETED");
    expect(JSON.parse((await run("runs", "result", again)).stdout)).toEqual({ shipped: 2 });
  });

  test("a pause that nobody resumes in time fails the run with a clear message", async () => {
    const id = await trigger("impatient");
    const failed = await until(id, (r) => r.state === "FAILED");
    expect(failed.state_message).toMatch(/^not resumed in time: pause-1 waited \S+ and timed out$/);
    const again = await run("runs", "resume", id);
    expect(again.code).toBe(1);
    expect(again.stderr).toMatch(/is FAILED, not PAUSED/);
  });
});

describe("flow options as the deployment's defaults", () => {
  test("retries and timeout from flow() apply; the definition's own value wins", async () => {
    const flaky = JSON.parse((await run("deployments", "inspect", "flaky", "--json")).stdout);
    expect(flaky).toMatchObject({ retries: 1, retry_delay_ms: 10 });
    const once = JSON.parse((await run("deployments", "inspect", "flaky-once", "--json")).stdout);
    expect(once.retries).toBe(0);

    const retried = await until(await trigger("flaky"), (r) => r.state === "FAILED");
    expect(retried.attempt).toBe(2);
    const single = await until(await trigger("flaky-once"), (r) => r.state === "FAILED");
    expect(single.attempt).toBe(1);

    const slow = await until(await trigger("slow"), (r) => r.state === "FAILED");
    expect(slow.state_name).toBe("TimedOut");
    expect(slow.state_message).toMatch(/^timed out after 1s/);
  });
});
