import { readFileSync } from "node:fs";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, test } from "vitest";
import { createClient } from "../../src/client/index.ts";
import { orch, spawnOrch, tempDir } from "../helpers.ts";

const GOOD = `import { flow } from "orch";
export default flow("x", async ({ n }: { n: number }) => {
  console.log("n times 21 is", n * 21);
  console.error("a line on stderr");
});
export const named = flow("named", async () => console.log("the named export"));
export const limit = 5;
`;
const BAD = `import { flow } from "orch";
export default flow("bad", async () => {
  console.log("about to fail");
  throw new Error("this flow fails");
});
`;
const BROKEN = `import { flow } from "orch";
export default flow("broken", async () => {
  const x = ;
});
`;
const TYPED = `import { flow } from "orch";
export default flow(
  { name: "typed", parameters: { type: "object", properties: { count: { type: "integer" } }, additionalProperties: false } },
  async ({ count }: { count: number }) => console.log(count),
);
`;
const PAUSES = `import { flow, pause } from "orch";
export default flow("pauses", async () => {
  await pause();
});
`;
// A brace left open: Bun finds several errors in one build.
const TANGLED = `import { flow } from "orch";
export default flow("tangled", async ({ count }: { count: number }) => {
  console.log("starting", { count ;
});
`;
const SLOW = `import { flow } from "orch";
export default flow("slow", async () => {
  console.log("started");
  await new Promise((resolve) => setTimeout(resolve, 30_000));
});
`;
// The flow's own options, as a deployment of it would honour them.
const OWN_OPTIONS = `import { flow } from "orch";
export const slow = flow({ name: "slow", timeout: "1s", retries: 1 }, async () => {
  console.log("sleeping");
  await new Promise((resolve) => setTimeout(resolve, 30_000));
});
export const throws = flow({ name: "throws", retries: 2 }, async () => {
  throw new Error("it throws");
});
export const later = flow({ name: "later", retries: 1, retryDelay: 600 }, async () => {
  throw new Error("try again later");
});
`;
// Top-level code with a side effect: each load of the file leaves a line (its attempt, or none).
const ONCE = `import { appendFileSync } from "node:fs";
import { flow } from "orch";
appendFileSync(new URL("./loads.log", import.meta.url), (process.env.ORCH_ATTEMPT ?? "none") + "\\n");
console.log("top level ran");
export default flow({ name: "once", timeout: "1m", retries: 1 }, async ({ fail }: { fail?: boolean }) => {
  if (fail) throw new Error("failing on purpose");
});
`;
const RECORDED = `import { createArtifact, flow, task } from "orch";
const square = task("square", async (n: number) => n * n);
const child = flow("child", async ({ n }: { n: number }) => n + 1);
export default flow("recorded", async () => {
  const four = await square(2);
  const five = await child({ n: four });
  await createArtifact({ key: "note", type: "markdown", data: "# five" });
  return { five };
});
`;

let dir: string;
let cleanup: () => void;

beforeAll(async () => {
  ({ dir, cleanup } = tempDir());
  await Bun.write(join(dir, "flows/x.ts"), GOOD);
  await Bun.write(join(dir, "flows/bad.ts"), BAD);
  await Bun.write(join(dir, "flows/slow.ts"), SLOW);
  await Bun.write(join(dir, "flows/broken.ts"), BROKEN);
  await Bun.write(join(dir, "flows/recorded.ts"), RECORDED);
  await Bun.write(join(dir, "flows/tangled.ts"), TANGLED);
  await Bun.write(join(dir, "flows/typed.ts"), TYPED);
  await Bun.write(join(dir, "flows/pauses.ts"), PAUSES);
  await Bun.write(join(dir, "flows/own.ts"), OWN_OPTIONS);
  await Bun.write(join(dir, "flows/once.ts"), ONCE);
});
afterAll(() => cleanup());

const run = (...args: string[]) => orch(args, { cwd: dir });
const listRuns = async () => JSON.parse((await run("runs", "ls", "--json")).stdout);

/** What both modes (with and without a server) must do alike. */
function sharedTests() {
  test("runs the flow here, prints its output, exits 0, and the run is tracked with no deployment", async () => {
    const r = await run("flow", "run", "flows/x.ts", "-p", "n=2");
    expect(r.stdout.split("\n").sort()).toEqual(["", "ERROR a line on stderr", "n times 21 is 42"]);
    expect(r.stderr).not.toContain("a line on stderr");
    expect(r.code).toBe(0);
    const [latest] = await listRuns();
    expect(latest).toMatchObject({
      deployment: null,
      state: "COMPLETED",
      parameters: { n: 2 },
      attempt: 1,
      exit_code: 0,
      version: null,
    });
    const logs = await run("runs", "logs", latest.id);
    expect(logs.stdout.split("\n").sort()).toEqual([
      "",
      "ERROR a line on stderr",
      "n times 21 is 42",
    ]);
    expect(logs.stderr).toBe("");
    const inspect = JSON.parse((await run("runs", "inspect", latest.id, "--json")).stdout);
    expect(inspect.states.map((s: { type: string }) => s.type)).toEqual([
      "SCHEDULED",
      "PENDING",
      "RUNNING",
      "COMPLETED",
    ]);
  });

  test("its tasks, subflows, artifacts and result are recorded", async () => {
    const r = await run("flow", "run", "flows/recorded.ts", "--json");
    expect(r.code).toBe(0);
    const { id } = JSON.parse(r.stdout);
    const detail = JSON.parse((await run("runs", "inspect", id, "--json")).stdout);
    expect(detail.result.value).toEqual({ five: 5 });
    expect(detail.tasks.map((t: { name: string; state: string }) => [t.name, t.state])).toEqual([
      ["square", "COMPLETED"],
    ]);
    expect(
      detail.children.map((c: { flow_name: string; state: string }) => [c.flow_name, c.state]),
    ).toEqual([["child", "COMPLETED"]]);
    const artifacts = await run("runs", "artifacts", id);
    expect(artifacts.code).toBe(0);
    expect(artifacts.stdout).toContain("# five");
  });

  test("FILE:EXPORT runs a named export; --json prints the run as it ended", async () => {
    const r = await run("flow", "run", "flows/x.ts:named", "--json");
    expect(r.code).toBe(0);
    expect(JSON.parse(r.stdout)).toMatchObject({ deployment: null, state: "COMPLETED" });
    expect(r.stderr).toMatch(/the named export/);
  });

  test("a failing flow exits 1 and its run is FAILED", async () => {
    const r = await run("flow", "run", "flows/bad.ts");
    expect(r.code).toBe(1);
    // The run's lines, its error too, are on stdout in their order; orch's own on stderr.
    expect(r.stdout).toMatch(/^about to fail\nERROR .*this flow fails/);
    const [latest] = await listRuns();
    expect(latest).toMatchObject({ deployment: null, state: "FAILED", exit_code: 1 });
  });

  test("a flow file that does not build fails its run with the file, line and column, and exits 2", async () => {
    const r = await run("flow", "run", "flows/broken.ts");
    expect(r.code).toBe(2);
    expect(r.stdout).toMatch(/broken\.ts:3:13: Unexpected ;\nERROR\s+const x = ;\nERROR\s+\^/);
    const [latest] = await listRuns();
    expect(latest).toMatchObject({
      state: "FAILED",
      state_message: "broken.ts:3:13: Unexpected ;",
    });
  });

  test("a flow file with several build errors names each with its place, the first in the run's message", async () => {
    const r = await run("flow", "run", "flows/tangled.ts");
    expect(r.code).toBe(2);
    expect(r.stdout).not.toContain("AggregateError");
    expect(r.stdout).toMatch(
      /tangled\.ts:3:35: Expected "}" but found ";"\nERROR\s+console\.log\("starting", \{ count ;\nERROR\s+\^/,
    );
    expect(r.stdout).toMatch(/tangled\.ts:4:\d+: /);
    const [latest] = await listRuns();
    expect(latest.state_message).toMatch(
      /^tangled\.ts:3:35: Expected "}" but found ";" \(and \d+ more errors\)$/,
    );
  });

  test("a mistyped parameter fails the run with the server's words and a guess, no stack, and exits 2", async () => {
    const r = await run("flow", "run", "flows/typed.ts", "-p", "cont=3");
    expect(r.code).toBe(2);
    expect(`${r.stdout}${r.stderr}`).not.toMatch(/^(ERROR )?Error: |\n(ERROR )?\s+at /m);
    const [latest] = await listRuns();
    expect(latest.state_message).toBe(
      'the parameters do not match the flow\'s schema: parameters.cont: is not in the schema; did you mean "count"?',
    );
  });

  test("pause() in a run ad hoc fails it saying why, without the API's words", async () => {
    const r = await run("flow", "run", "flows/pauses.ts");
    expect(r.code).toBe(1);
    expect(`${r.stdout}${r.stderr}`).not.toContain("RunApiError");
    const [latest] = await listRuns();
    expect(latest.state_message).toBe(
      "pause() needs a deployment's run: a flow run ad hoc (orch flow run) cannot be started again once resumed; deploy the flow to pause it",
    );
  });

  test("an export that is not a flow fails the run saying so, not with an exit code", async () => {
    const r = await run("flow", "run", "flows/x.ts:limit");
    expect(r.code).toBe(2);
    const [latest] = await listRuns();
    expect(latest.state).toBe("FAILED");
    expect(latest.state_message).toMatch(
      /^x\.ts has no function export named limit \(it exports default, limit, named\); make it with flow\(\) from "orch"$/,
    );
  });

  test("the flow's own timeout and retries are honoured; --timeout and --retries go over them", async () => {
    const states = async (id: string) =>
      JSON.parse((await run("runs", "inspect", id, "--json")).stdout).states.map(
        (s: { name: string }) => s.name,
      );
    const slow = await run("flow", "run", "flows/own.ts:slow", "--json");
    expect(slow.code).toBe(1);
    const timedOut = JSON.parse(slow.stdout);
    expect(timedOut).toMatchObject({ state: "FAILED", state_name: "TimedOut", attempt: 2 });
    expect(await states(timedOut.id)).toEqual([
      "Scheduled",
      "Pending",
      "Running",
      "AwaitingRetry",
      "Pending",
      "Retrying",
      "TimedOut",
    ]);
    expect(slow.stderr).toMatch(/attempt 1: timed out after 1s/);

    const throws = await run("flow", "run", "flows/own.ts:throws", "--json");
    expect(throws.code).toBe(1);
    expect(JSON.parse(throws.stdout)).toMatchObject({ state: "FAILED", attempt: 3 });
    expect(throws.stderr.match(/it throws/g)?.length).toBeGreaterThanOrEqual(3);

    const once = await run("flow", "run", "flows/own.ts:throws", "--retries", "0", "--json");
    expect(JSON.parse(once.stdout)).toMatchObject({ state: "FAILED", attempt: 1 });
    const shorter = await run("flow", "run", "flows/x.ts", "-p", "n=1", "--timeout", "1ms");
    expect(shorter.code).toBe(1);
    expect((await listRuns())[0]).toMatchObject({ state: "FAILED", state_name: "TimedOut" });
    const bad = await run("flow", "run", "flows/x.ts", "--retries", "-1");
    expect(bad.stderr).toMatch(/--retries must be a whole number/);
    expect(bad.code).toBe(2);
  });

  test("the flow file's top level runs once per attempt, its own options still honoured", async () => {
    const loads = join(dir, "flows/loads.log");
    await Bun.write(loads, "");
    const ok = await run("flow", "run", "flows/once.ts", "--json");
    expect(ok.code).toBe(0);
    expect(readFileSync(loads, "utf8")).toBe("1\n");
    expect(ok.stderr.match(/top level ran/g)).toHaveLength(1);

    await Bun.write(loads, "");
    const failed = await run("flow", "run", "flows/once.ts", "-p", "fail=true", "--json");
    expect(failed.code).toBe(1);
    // retries: 1 from the flow's options: two attempts, each loading the file once.
    expect(JSON.parse(failed.stdout)).toMatchObject({ state: "FAILED", attempt: 2 });
    expect(readFileSync(loads, "utf8")).toBe("1\n2\n");
  });

  test("bad input exits 2 and creates no run", async () => {
    const before = (await listRuns()).length;
    expect((await run("flow", "run", "flows/missing.ts")).code).toBe(2);
    expect((await run("flow", "run", "flows/x.ts", "-p", "novalue")).code).toBe(2);
    expect((await run("flow", "run", "flows/x.ts", "--params", "[1]")).code).toBe(2);
    const nope = await run("flow", "run", "flows/x.ts:nope");
    expect(nope.code).toBe(2);
    expect(nope.stderr).toMatch(/has no export named nope \(it exports .*named/);
    expect((await listRuns()).length).toBe(before);
  });
}

describe("without a server", () => {
  sharedTests();
});

describe("with a server", () => {
  let up: ReturnType<typeof spawnOrch>;
  beforeAll(async () => {
    up = spawnOrch(["up", "--headless", "--port", "0", "--dir", dir]);
    await up.waitFor("orch is up at");
  });
  afterAll(async () => {
    up.proc.kill("SIGTERM");
    await up.proc.exited;
  });

  sharedTests();

  test("orch runs cancel stops an ad-hoc run; it exits 1 as CANCELLED, and it cannot be retried", async () => {
    const flow = spawnOrch(["flow", "run", "flows/slow.ts"], { cwd: dir });
    await flow.waitFor("(ad hoc)");
    const short = /run (\w{8}) of/.exec(flow.stderr)![1]!;
    // Its first line is stored after its RUNNING: once the server has it, the flow is running.
    const { url } = JSON.parse(readFileSync(join(dir, ".orch/server.json"), "utf8"));
    const token = readFileSync(join(dir, ".orch/token"), "utf8").trim();
    const abort = new AbortController();
    for await (const message of createClient({ url, token }).followLogs(short, {}, abort.signal)) {
      if (message.event === "log") break;
    }
    abort.abort();
    const [latest] = await listRuns();
    expect(latest.id.startsWith(short)).toBe(true);
    expect(latest.state).toBe("RUNNING");
    expect((await run("runs", "cancel", latest.id)).code).toBe(0);
    expect(await flow.proc.exited).toBe(1);
    const [ended] = await listRuns();
    expect(ended).toMatchObject({ id: latest.id, state: "CANCELLED" });
    const retry = await run("runs", "retry", latest.id);
    expect(retry.code).toBe(1);
    expect(retry.stderr).toMatch(/ad-hoc run/);
  });

  test("orch runs cancel while an ad-hoc run waits for its retry ends it CANCELLED, and the command exits 1", async () => {
    const flow = spawnOrch(["flow", "run", "flows/own.ts:later"], { cwd: dir });
    await flow.waitFor("; next in ");
    const short = /run (\w{8}) of/.exec(flow.stderr)![1]!;
    const [waiting] = await listRuns();
    expect(waiting).toMatchObject({ state: "SCHEDULED", state_name: "AwaitingRetry" });
    expect(waiting.id.startsWith(short)).toBe(true);
    expect((await run("runs", "cancel", waiting.id)).code).toBe(0);
    expect(await flow.proc.exited).toBe(1);
    expect(flow.stderr).toMatch(/CANCELLED/);
    expect((await listRuns())[0]).toMatchObject({ id: waiting.id, state: "CANCELLED", attempt: 1 });
  });
});
