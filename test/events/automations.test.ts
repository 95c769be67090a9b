import { chmodSync, existsSync, readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { afterEach, beforeEach, describe, expect, test } from "vitest";
import { specWithDefaults, type TriggerSpec } from "../../src/core/index.ts";
import { listTriggerStates, startTriggers, type TriggerEngine } from "../../src/events/index.ts";
import {
  createDeploymentRun,
  getDeployment,
  getRun,
  listEvents,
  listRuns,
  openStore,
  recordEvent,
  type Store,
  transitionRun,
  upsertDeployment,
} from "../../src/store/index.ts";
import { rawSqliteForTests } from "../../src/store/testing.ts";
import { cancelRun } from "../../src/worker/index.ts";
import { tempDir } from "../helpers.ts";

let dir: string;
let store: Store;
let engine: TriggerEngine | null = null;
let cleanup = () => {};
let now = Date.UTC(2026, 0, 1);
/** A clock the test moves: windows are counted in event time. */
const clock = { now: () => now };
const lines: string[] = [];
const logger = {
  info: (m: string) => lines.push(m),
  warn: (m: string) => lines.push(m),
  error: (m: string) => lines.push(String(m)),
};

beforeEach(() => {
  const t = tempDir();
  dir = t.dir;
  cleanup = t.cleanup;
  now = Date.UTC(2026, 0, 1);
  store = openStore(join(dir, "orch.db"), { clock });
  lines.length = 0;
});
afterEach(async () => {
  await engine?.stop();
  engine = null;
  store.close();
  cleanup();
});

function deploy(name: string, triggers: Partial<TriggerSpec>[] = []) {
  // `on: undefined` leaves on out (a join).
  const full = triggers.map((t) =>
    JSON.parse(JSON.stringify({ on: "x", match: {}, parameters: {}, ...t })),
  );
  const spec = specWithDefaults({ name, command: ["true"], triggers: full });
  upsertDeployment(store, {
    spec,
    hash: `${name}-${JSON.stringify(full)}`,
    bundle: null,
    sourceFile: "f",
    sourceLine: 1,
  });
}

const start = (env?: Record<string, string>) => {
  engine = startTriggers({
    store,
    logger,
    cancel: cancelRun,
    outside: { cwd: dir, env: env ?? process.env },
  });
  return engine;
};
const runsOf = (deployment: string) => listRuns(store, { deployment, limit: 10_000 });
/** Let the engine handle what was recorded (it works from a queue, off the writer's call). */
const settle = async () => {
  for (let i = 0; i < 20; i++) await new Promise((r) => setImmediate(r));
};
/** Wait for a condition, polling, up to a deadline. */
async function until<T>(what: string, check: () => T | undefined | false, ms = 10_000): Promise<T> {
  const end = Date.now() + ms;
  for (;;) {
    const value = check();
    if (value) return value;
    if (Date.now() > end) throw new Error(`timed out waiting for ${what}\n${lines.join("\n")}`);
    await new Promise((r) => setTimeout(r, 20));
  }
}
const emit = (
  name: string,
  payload: Record<string, unknown> = {},
  resource: string | null = null,
) => recordEvent(store, name, resource, payload);

describe("matching", () => {
  test("wildcards, negation and lists on any payload or resource field", async () => {
    deploy("m", [
      {
        on: "deploy.*",
        match: {
          env: ["prod", "stage-*"],
          "payload.who.name": "!bot-*",
          resource: "svc-*",
        },
      },
    ]);
    start();
    emit("deploy.done", { env: "prod", who: { name: "ann" } }, "svc-a"); // fires
    emit("deploy.done", { env: "stage-2", who: { name: "bot-1" } }, "svc-a"); // negated
    emit("deploy.done", { env: "dev", who: { name: "ann" } }, "svc-a"); // not in the list
    emit("deploy.done", { env: "stage-2" }, "svc-b"); // no who: "not a bot" holds
    emit("deploy.done", { env: "prod" }, "db-1"); // resource
    emit("other.done", { env: "prod" }, "svc-a"); // name
    await settle();
    expect(runsOf("m")).toHaveLength(2);
  });
});

describe("threshold, within, for_each", () => {
  test("N events within the window fire once, counted per for_each value; old ones leave the window", async () => {
    deploy("t", [{ on: "job.failed", threshold: 3, within_ms: 60_000, for_each: ["payload.job"] }]);
    start();
    emit("job.failed", { job: "a" });
    emit("job.failed", { job: "b" });
    emit("job.failed", { job: "a" });
    now += 61_000; // the first two leave the window
    emit("job.failed", { job: "a" });
    emit("job.failed", { job: "b" });
    await settle();
    expect(runsOf("t")).toHaveLength(0);
    emit("job.failed", { job: "a" });
    emit("job.failed", { job: "a" });
    await settle();
    expect(runsOf("t")).toHaveLength(1);
    // The firing started the count afresh.
    emit("job.failed", { job: "a" });
    emit("job.failed", { job: "a" });
    emit("job.failed", { job: "b" });
    await settle();
    expect(runsOf("t")).toHaveLength(1);
    emit("job.failed", { job: "b" });
    await settle();
    expect(runsOf("t")).toHaveLength(2);
  });

  test("a restart keeps the count and never counts an event twice", async () => {
    deploy("t", [{ on: "job.failed", threshold: 3, within_ms: 60_000 }]);
    start();
    emit("job.failed");
    emit("job.failed");
    await settle();
    await engine!.stop();
    // A crash: the cursor is older than what was counted; those events are looked at again.
    rawSqliteForTests(store).query("UPDATE event_cursors SET last_id = 0").run();
    start();
    await settle();
    expect(runsOf("t")).toHaveLength(0);
    const third = emit("job.failed");
    await settle();
    expect(runsOf("t").map((r) => JSON.parse(getRun(store, r.id)!.triggered_by!).event_id)).toEqual(
      [third.id],
    );
  });
});

describe("sequences", () => {
  test("after all of A and B, C within the window fires; C alone, or too late, does not", async () => {
    deploy("s", [
      {
        on: "c",
        after: {
          mode: "all",
          events: [
            { on: "a", match: {} },
            { on: "b", match: {} },
          ],
        },
        within_ms: 60_000,
      },
    ]);
    start();
    emit("c");
    emit("a");
    emit("c"); // b not yet
    await settle();
    expect(runsOf("s")).toHaveLength(0);
    emit("b");
    emit("c");
    await settle();
    expect(runsOf("s")).toHaveLength(1);
    emit("c"); // the sequence was used up
    emit("a");
    emit("b");
    now += 61_000;
    emit("c"); // too late
    await settle();
    expect(runsOf("s")).toHaveLength(1);
  });

  test("any of the after events opens the way", async () => {
    deploy("s", [
      {
        on: "c",
        after: {
          mode: "any",
          events: [
            { on: "a", match: {} },
            { on: "b", match: {} },
          ],
        },
      },
    ]);
    start();
    emit("b");
    emit("c");
    await settle();
    expect(runsOf("s")).toHaveLength(1);
  });
});

describe("joins: after events alone", () => {
  test("fires once all of them came, in any order, within the window, then starts afresh", async () => {
    deploy("report", [
      {
        on: undefined,
        after: {
          mode: "all",
          events: [
            { on: "flow-run.completed", match: { deployment: "extract-a" } },
            { on: "flow-run.completed", match: { deployment: "extract-b" } },
          ],
        },
        within_ms: 60_000,
      },
    ]);
    start();
    emit("flow-run.completed", { deployment: "extract-b" });
    emit("flow-run.completed", { deployment: "extract-b" });
    await settle();
    expect(runsOf("report")).toHaveLength(0);
    const a = emit("flow-run.completed", { deployment: "extract-a" }); // b came first: fires
    await settle();
    expect(
      runsOf("report").map((r) => JSON.parse(getRun(store, r.id)!.triggered_by!).event_id),
    ).toEqual([a.id]);
    expect(listTriggerStates(store, "report")[0]).toMatchObject({
      kind: "sequence",
      on: "all of flow-run.completed, flow-run.completed",
      threshold: 2,
      counts: {},
    });
    emit("flow-run.completed", { deployment: "extract-a" }); // a new count: a alone
    await settle();
    expect(runsOf("report")).toHaveLength(1);
    expect(listTriggerStates(store, "report")[0]!.counts).toEqual({ "": 1 });
    now += 61_000; // a left the window
    emit("flow-run.completed", { deployment: "extract-b" });
    await settle();
    expect(runsOf("report")).toHaveLength(1);
    emit("flow-run.completed", { deployment: "extract-a" });
    await settle();
    expect(runsOf("report")).toHaveLength(2);
  });

  test("counts per for_each value; any of them fires on each", async () => {
    deploy("per-day", [
      {
        on: undefined,
        after: {
          mode: "all",
          events: [
            { on: "extract.done", match: { part: "a" } },
            { on: "extract.done", match: { part: "b" } },
          ],
        },
        for_each: ["day"],
      },
    ]);
    deploy("either", [
      {
        on: undefined,
        after: {
          mode: "any",
          events: [
            { on: "x.done", match: {} },
            { on: "y.done", match: {} },
          ],
        },
      },
    ]);
    start();
    emit("extract.done", { part: "a", day: "mon" });
    emit("extract.done", { part: "b", day: "tue" });
    await settle();
    expect(runsOf("per-day")).toHaveLength(0);
    emit("extract.done", { part: "b", day: "mon" });
    await settle();
    expect(runsOf("per-day")).toHaveLength(1);
    emit("extract.done", { part: "a", day: "tue" });
    emit("x.done");
    emit("y.done");
    await settle();
    expect(runsOf("per-day")).toHaveLength(2);
    expect(runsOf("either")).toHaveLength(2);
  });
});

describe("proactive triggers", () => {
  test("after X, no Y for the same resource within the window fires once, on a timer; Y in time closes it", async () => {
    now = Date.now();
    clock.now = () => Date.now();
    try {
      deploy("p", [
        {
          posture: "proactive",
          on: "job.done",
          after: { mode: "all", events: [{ on: "job.started", match: {} }] },
          for_each: ["resource"],
          within_ms: 300,
          parameters: { job: "{{ event.resource }}" },
        },
      ]);
      start();
      emit("job.started", {}, "one");
      emit("job.started", {}, "two");
      emit("job.done", {}, "two");
      const [run] = await until("the missed deadline's run", () => {
        const runs = runsOf("p");
        return runs.length ? runs : undefined;
      });
      expect(JSON.parse(run!.parameters)).toEqual({ job: "one" });
      const missed = listEvents(store, { prefix: "trigger.missed" });
      expect(missed.map((e) => e.resource)).toEqual(["one"]);
      // Another deadline, opened after, fires too: the first is not fired again before it.
      emit("job.started", {}, "three");
      await until("the second deadline", () => runsOf("p").length === 2);
      expect(
        runsOf("p")
          .map((r) => JSON.parse(r.parameters).job)
          .sort(),
      ).toEqual(["one", "three"]);
    } finally {
      clock.now = () => now;
    }
  });

  test("no X in the window (rolling) fires, then watches the next window", async () => {
    clock.now = () => Date.now();
    try {
      deploy("r", [{ posture: "proactive", on: "heartbeat", within_ms: 200 }]);
      start();
      await until("two missed windows", () => runsOf("r").length >= 2);
      const missed = listEvents(store, { prefix: "trigger.missed" });
      expect(new Set(missed.map((e) => JSON.parse(e.payload).since)).size).toBe(missed.length);
    } finally {
      clock.now = () => now;
    }
  });
});

describe("actions", () => {
  test("pause and resume a deployment, cancel the event's run", async () => {
    deploy("etl");
    deploy("guard", [
      { on: "ops.stop", actions: [{ type: "pause", deployment: "{{ event.payload.target }}" }] },
      { on: "ops.go", actions: [{ type: "resume", deployment: "etl" }] },
      { on: "flow-run.running", match: { deployment: "etl" }, actions: [{ type: "cancel" }] },
    ]);
    start();
    emit("ops.stop", { target: "etl" });
    await settle();
    expect(getDeployment(store, "etl")!.paused).toBe(1);
    emit("ops.go");
    await settle();
    expect(getDeployment(store, "etl")!.paused).toBe(0);
    const run = createDeploymentRun(store, "etl");
    transitionRun(store, run.id, { type: "PENDING" });
    transitionRun(store, run.id, { type: "RUNNING" });
    await settle();
    expect(getRun(store, run.id)!.state_type).toMatch(/CANCELL/);
    expect(getRun(store, run.id)!.state_message).toMatch(
      /cancelled by the trigger triggers\[2\] of guard/,
    );
  });

  test("an action that fails is a trigger.failed event saying why; a failure on that event is only logged", async () => {
    deploy("guard", [
      { on: "ops.stop", actions: [{ type: "pause", deployment: "{{ event.payload.target }}" }] },
      { on: "trigger.failed", actions: [{ type: "pause", deployment: "also-missing" }] },
    ]);
    start();
    emit("ops.stop", { target: "etl2" });
    await settle();
    const failed = listEvents(store, { prefix: "trigger.failed" });
    expect(failed).toHaveLength(1);
    expect(JSON.parse(failed[0]!.payload)).toMatchObject({
      deployment: "guard",
      trigger: "triggers[0]",
      action: "pause",
      event: "ops.stop",
      message: expect.stringMatching(/etl2/),
    });
    // The trigger on trigger.failed fired and failed too: logged, never another event.
    await until("the second failure logged", () =>
      lines.some((l) =>
        l.includes("triggers[1] of guard could not run its pause action on trigger.failed"),
      ),
    );
    await settle();
    expect(listEvents(store, { prefix: "trigger.failed" })).toHaveLength(1);
  });

  test("a firing whose run could not be created is counted apart from those that acted, with its reason", async () => {
    deploy("target");
    deploy("guard", [
      { on: "ops.go", actions: [{ type: "run", deployment: "{{ event.payload.target }}" }] },
    ]);
    start();
    emit("ops.go", { target: "target" });
    emit("ops.go", { target: "nowhere" });
    await until("both firings handled", () => {
      const [state] = listTriggerStates(store, "guard");
      return state && state.fired + state.failed === 2;
    });
    const [state] = listTriggerStates(store, "guard");
    expect(state).toMatchObject({ fired: 1, failed: 1 });
    expect(state!.last_failure?.message).toMatch(/nowhere/);
    expect(Date.parse(state!.last_failure!.at)).toBe(now);
    expect(runsOf("target")).toHaveLength(1);
  });

  test("a webhook gets Slack- and Discord-compatible JSON, or the templated body, with secrets filled in", async () => {
    const got: { body: unknown; auth: string | null }[] = [];
    const receiver = Bun.serve({
      port: 0,
      hostname: "127.0.0.1",
      fetch: async (req) => {
        got.push({ body: await req.json(), auth: req.headers.get("authorization") });
        return new Response("ok");
      },
    });
    try {
      deploy("etl", [
        {
          on: "flow-run.failed",
          match: { deployment: "etl" },
          actions: [
            { type: "webhook", url: `http://127.0.0.1:${receiver.port}/default` },
            {
              type: "webhook",
              url: "{{ secrets.hook }}",
              headers: { authorization: "Bearer {{ secrets.token }}" },
              body: { run: "{{ event.resource }}", who: "{{ trigger.deployment }}", n: 1 },
            },
          ],
        },
      ]);
      engine = startTriggers({
        store,
        logger,
        outside: {
          cwd: dir,
          secrets: {
            values: (names) =>
              Object.fromEntries(
                names.map((n) => [
                  n,
                  n === "hook" ? `http://127.0.0.1:${receiver.port}/x` : "s3cret",
                ]),
              ),
            variables: () => ({}),
          },
        },
      });
      const run = createDeploymentRun(store, "etl");
      transitionRun(store, run.id, { type: "PENDING" });
      transitionRun(store, run.id, { type: "RUNNING" });
      transitionRun(store, run.id, { type: "FAILED", message: "exit code 3" });
      await until("two webhook calls", () => got.length === 2);
      const text = `orch: etl run ${run.id.slice(0, 8)} Failed: exit code 3`;
      expect(got).toContainEqual({ body: { text, content: text }, auth: null });
      expect(got).toContainEqual({
        body: { run: run.id, who: "etl", n: 1 },
        auth: "Bearer s3cret",
      });
    } finally {
      receiver.stop(true);
    }
  });

  test("a shell action gets event values as arguments or variables, never as code", async () => {
    const out = join(dir, "out.txt");
    deploy("sh", [
      {
        on: "custom.evil",
        actions: [
          {
            type: "shell",
            command: ["sh", "-c", 'printf "%s\\n" "$1" >> out.txt', "x", "{{ event.payload.v }}"],
          },
          { type: "shell", command: 'printf "%s\\n" "$ORCH_EVENT_PAYLOAD" >> out.txt' },
        ],
      },
    ]);
    start();
    emit("custom.evil", { v: "$(touch pwned); `touch pwned`" });
    await until(
      "two lines",
      () => existsSync(out) && readFileSync(out, "utf8").split("\n").length >= 3,
    );
    expect(readFileSync(out, "utf8")).toContain("$(touch pwned); `touch pwned`\n");
    expect(existsSync(join(dir, "pwned"))).toBe(false);
  });

  test("a desktop notification goes through notify-send when there is one, and says clearly when there is none", async () => {
    const bin = join(dir, "bin");
    const seen = join(dir, "notified.txt");
    Bun.spawnSync(["mkdir", "-p", bin]);
    writeFileSync(join(bin, "notify-send"), `#!/bin/sh\nprintf '%s|' "$@" > ${seen}\n`);
    chmodSync(join(bin, "notify-send"), 0o755);
    deploy("n", [
      { on: "custom.ping", actions: [{ type: "notify", title: "T {{ event.resource }}" }] },
    ]);
    start({ PATH: `${bin}:/usr/bin:/bin` });
    emit("custom.ping", {}, "r1");
    await until("the notification", () => existsSync(seen));
    expect(readFileSync(seen, "utf8")).toBe("--|T r1|orch: custom.ping (r1)|");
    await engine!.stop();
    start({ PATH: "/nonexistent" });
    emit("custom.ping", {}, "r2");
    await until("the message", () =>
      lines.find((l) => l.includes("desktop notifications are not available on this machine")),
    );
  });
});

describe("rate caps", () => {
  test("a burst of 1,000 matching events fires at most the cap, and says once that it held back the rest", async () => {
    deploy("burst", [{ on: "custom.hit", rate_limit: { limit: 5, per_ms: 3_600_000 } }]);
    start();
    store.tx(() => {
      for (let i = 0; i < 1000; i++) emit("custom.hit", { i });
    });
    await until("all handled", () => {
      const row = rawSqliteForTests(store)
        .query("SELECT count(*) AS n FROM trigger_firings")
        .get() as { n: number };
      return row.n === 1000;
    });
    expect(runsOf("burst")).toHaveLength(5);
    const limited = listEvents(store, { prefix: "trigger.rate-limited" });
    expect(limited).toHaveLength(1);
    expect(JSON.parse(limited[0]!.payload)).toMatchObject({
      deployment: "burst",
      trigger: "triggers[0]",
      limit: 5,
    });
    now += 3_600_001; // the window moved on
    emit("custom.hit");
    await settle();
    expect(runsOf("burst")).toHaveLength(6);
  });
});
