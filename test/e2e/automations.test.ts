import { readFileSync } from "node:fs";
import { join } from "node:path";
import { afterAll, afterEach, beforeAll, describe, expect, test } from "vitest";
import { orch, spawnOrch, tempDir } from "../helpers.ts";

/** A webhook receiver the test runs: every body it gets. */
const received: unknown[] = [];
const receiver = Bun.serve({
  port: 0,
  hostname: "127.0.0.1",
  fetch: async (req) => {
    received.push(await req.json());
    return new Response("ok");
  },
});
afterAll(() => receiver.stop(true));

const FLOWS = `deployments:
  - name: nightly
    command: ["sh", "-c", "echo failing; exit 3"]
    notify: { on: [failed, crashed], webhook: "http://127.0.0.1:${receiver.port}/slack" }
  - name: counted
    command: [true]
    triggers:
      - name: three-hits
        on: custom.hit
        threshold: 3
        within: 10m
        parameters: { last: "{{ event.id }}" }
  - name: watchdog
    command: [true]
    triggers:
      - name: stuck
        posture: proactive
        after: custom.start
        expect: custom.done
        for_each: resource
        within: 3s
        parameters: { job: "{{ event.resource }}" }
  - name: sequence
    command: [true]
    triggers:
      - after: [custom.a, { on: custom.b, match: { env: "!dev" } }]
        expect: custom.c
        within: 10m
  - name: extract-a
    command: [true]
  - name: extract-b
    command: [true]
  - name: report
    command: [true]
    triggers:
      - name: after-extracts
        after:
          - { on: flow-run.completed, match: { deployment: extract-a } }
          - { on: flow-run.completed, match: { deployment: extract-b } }
        within: 2h
  - name: misfire
    command: [true]
    triggers:
      - on: custom.misfire
        actions: [{ run: "{{ event.payload.target }}" }]
  - name: capped
    command: [true]
    triggers:
      - on: custom.burst
        rate_limit: { limit: 3, per: 1h }
`;

let dir: string;
let cleanup: () => void;
let up: ReturnType<typeof spawnOrch> | null = null;

beforeAll(async () => {
  ({ dir, cleanup } = tempDir());
  await Bun.write(join(dir, "flows/auto.yaml"), FLOWS);
});
afterEach(async () => {
  up?.proc.kill("SIGTERM");
  await up?.proc.exited;
  up = null;
});
afterAll(() => cleanup());

const cli = (...args: string[]) => orch([...args, "--dir", dir]);
async function start() {
  up = spawnOrch(["up", "--headless", "--port", "0", "--dir", dir]);
  await up.waitFor("orch is up at", 20_000);
}
/** Emit an event through the API, as any client does; its id. */
async function emit(name: string, resource?: string, payload?: object): Promise<number> {
  const { url } = JSON.parse(readFileSync(join(dir, ".orch/server.json"), "utf8"));
  const token = readFileSync(join(dir, ".orch/token"), "utf8").trim();
  const res = await fetch(`${url}/api/events`, {
    method: "POST",
    headers: { authorization: `Bearer ${token}`, "content-type": "application/json" },
    body: JSON.stringify({ name, resource, payload }),
  });
  if (res.status !== 201) throw new Error(`emit ${name}: ${res.status} ${await res.text()}`);
  return ((await res.json()) as { id: number }).id;
}
async function json<T>(...args: string[]): Promise<T> {
  const r = await cli(...args, "--json");
  if (r.code !== 0) throw new Error(`orch ${args.join(" ")}: ${r.stderr}`);
  return JSON.parse(r.stdout) as T;
}
interface Run {
  id: string;
  parameters: Record<string, unknown>;
  triggered_by: { trigger: string; event_id: number } | null;
}
const runsOf = (deployment: string) => json<Run[]>("runs", "ls", "--deployment", deployment);
interface TriggerState {
  deployment: string;
  name: string;
  counts: Record<string, number>;
  deadline: string | null;
  fired: number;
  failed: number;
  suppressed: number;
}
const triggerOf = async (deployment: string) =>
  (await json<TriggerState[]>("triggers", "ls")).find((t) => t.deployment === deployment)!;

/** Poll until `check` gives a value, up to a deadline. */
async function until<T>(what: string, check: () => Promise<T | undefined | false>, ms = 30_000) {
  const end = Date.now() + ms;
  for (;;) {
    const value = await check();
    if (value) return value;
    if (Date.now() > end) throw new Error(`timed out waiting for ${what}\n${up?.stderr ?? ""}`);
    await new Promise((r) => setTimeout(r, 100));
  }
}

describe("automations through the binary", () => {
  test("a threshold window and a proactive deadline survive kill -9: nothing lost, nothing fired twice", async () => {
    await start();
    await emit("custom.hit");
    await emit("custom.hit");
    await emit("custom.start", "job-1");
    await until("the window and the deadline stored", async () => {
      const [counted, watchdog] = [await triggerOf("counted"), await triggerOf("watchdog")];
      return counted.counts[""] === 2 && watchdog.deadline !== null;
    });
    up!.proc.kill("SIGKILL");
    await up!.proc.exited;
    up = null;
    await start();
    const third = await emit("custom.hit");
    const [run] = await until("the threshold's run", async () => {
      const runs = await runsOf("counted");
      return runs.length ? runs : undefined;
    });
    expect(run!.triggered_by).toMatchObject({ trigger: "three-hits", event_id: third });
    expect(run!.parameters).toEqual({ last: third });
    const inspected = await cli("runs", "inspect", run!.id);
    expect(inspected.stdout).toMatch(
      new RegExp(`started by\\s+three-hits of counted, on custom\\.hit #${third}\\n`),
    );
    // The deadline opened before the kill fires once; a second one, opened now, fires after it.
    await until("the first deadline's run", async () => (await runsOf("watchdog")).length > 0);
    await emit("custom.start", "job-2");
    await until("the second deadline's run", async () => (await runsOf("watchdog")).length >= 2);
    const jobs = (await runsOf("watchdog")).map((r) => r.parameters.job).sort();
    expect(jobs).toEqual(["job-1", "job-2"]);
    const missed = await json<{ resource: string }[]>("events", "ls", "--name", "trigger.missed");
    expect(missed.map((e) => e.resource).sort()).toEqual(["job-1", "job-2"]);
    expect((await runsOf("counted")).length).toBe(1);
  });

  test("a failed run's notification reaches a local webhook as Slack/Discord JSON; a sequence fires; triggers ls and events ls show it", async () => {
    await start();
    const failed = await cli("run", "nightly", "--watch");
    expect(failed.code).toBe(1);
    const body = (await until("the notification", async () => received[0])) as {
      text: string;
      content: string;
    };
    expect(body.text).toMatch(/^orch: nightly run [0-9a-f]{8} Failed/);
    expect(body.content).toBe(body.text);

    await emit("custom.a");
    await emit("custom.b", undefined, { env: "dev" }); // negated: does not count
    await emit("custom.c");
    await emit("custom.b", undefined, { env: "prod" });
    const c = await emit("custom.c");
    const [seq] = await until("the sequence's run", async () => {
      const runs = await runsOf("sequence");
      return runs.length ? runs : undefined;
    });
    expect(seq!.triggered_by).toMatchObject({ trigger: "triggers[0]", event_id: c });

    // A firing whose run could not be created: counted apart, with why.
    await emit("custom.misfire", undefined, { target: "nowhere" });
    await until("the failed firing", async () => (await triggerOf("misfire")).failed === 1);
    const listed = await cli("triggers", "ls");
    expect(listed.code).toBe(0);
    expect(listed.stdout).toMatch(/misfire\s+triggers\[0\].*\s0 \(1 failed\)/);
    expect(listed.stdout).toMatch(/failed misfire triggers\[0\] at .*: .*nowhere/);
    expect(listed.stdout).toMatch(/nightly\s+notify\s+reactive\s+flow-run\.\*/);
    expect(listed.stdout).toMatch(/watchdog\s+stuck\s+proactive\s+custom\.done/);
    const events = await json<{ name: string }[]>(
      "events",
      "ls",
      "--name",
      "custom.*",
      "--since",
      "1h",
    );
    expect(events.map((e) => e.name)).toEqual(
      expect.arrayContaining(["custom.a", "custom.b", "custom.c"]),
    );
    expect(events.every((e) => e.name.startsWith("custom."))).toBe(true);
  });

  test("a join (after: alone, as Dagu's depends) runs report once extract-a and extract-b completed, in either order", async () => {
    await start();
    expect((await cli("run", "extract-b", "--watch")).code).toBe(0);
    await until("extract-b counted", async () => (await triggerOf("report")).counts[""] === 1);
    expect(await runsOf("report")).toHaveLength(0);
    expect((await cli("run", "extract-a", "--watch")).code).toBe(0);
    const [report] = await until("the report's run", async () => {
      const runs = await runsOf("report");
      return runs.length ? runs : undefined;
    });
    expect(report!.triggered_by).toMatchObject({ trigger: "after-extracts" });
    // It starts afresh: extract-a alone again makes no second report.
    expect((await cli("run", "extract-a", "--watch")).code).toBe(0);
    await until("extract-a counted", async () => (await triggerOf("report")).counts[""] === 1);
    expect(await runsOf("report")).toHaveLength(1);
    const listed = await cli("triggers", "ls", "--deployment", "report");
    expect(listed.stdout).toMatch(
      /report\s+after-extracts\s+sequence\s+all of flow-run\.completed, flow-run\.completed\s+2 in 2h, 1 counted/,
    );
  });

  test("a rate cap holds under a burst of 1,000 matching events, and says once that it bit", async () => {
    await start();
    for (let i = 0; i < 1000; i += 50) {
      await Promise.all(Array.from({ length: 50 }, (_, j) => emit("custom.burst", `b${i + j}`)));
    }
    const capped = await until("every event handled", async () => {
      const t = await triggerOf("capped");
      return t.fired + t.suppressed === 1000 ? t : undefined;
    });
    expect(capped).toMatchObject({ fired: 3, suppressed: 997 });
    expect(await runsOf("capped")).toHaveLength(3);
    const limited = await json<{ payload: object }[]>(
      "events",
      "ls",
      "--name",
      "trigger.rate-limited",
    );
    expect(limited).toHaveLength(1);
    expect(limited[0]!.payload).toMatchObject({
      deployment: "capped",
      limit: 3,
      per_ms: 3_600_000,
    });
    expect(up!.stderr).toMatch(/fired 3 times within 1h, its rate limit/);
  });

  test("orch events stream prints events as they happen, filtered by name", async () => {
    await start();
    const stream = spawnOrch(["events", "stream", "--name", "custom.s*", "--dir", dir]);
    try {
      await stream.waitFor("following events");
      const text = (async () => {
        let out = "";
        for await (const chunk of stream.proc.stdout as ReadableStream<Uint8Array>) {
          out += new TextDecoder().decode(chunk);
          if (out.includes("custom.seen")) return out;
        }
        return out;
      })();
      await emit("custom.other");
      await emit("custom.seen", "r-1");
      const out = await text;
      expect(out).toMatch(/custom\.seen\s+r-1/);
      expect(out).not.toMatch(/custom\.other/);
    } finally {
      stream.proc.kill("SIGTERM");
      await stream.proc.exited;
    }
  });

  test("a rolling proactive trigger fires when nothing came in its window: a shell action and a pause", async () => {
    const t = tempDir();
    try {
      await Bun.write(
        join(t.dir, "flows/quiet.yaml"),
        `deployments:
  - name: sensor
    command: [true]
    triggers:
      - name: no-heartbeat
        posture: proactive
        expect: sensor.heartbeat
        within: 2s
        actions:
          - shell: ["sh", "-c", 'printf "%s\\n" "$1" >> missed.txt', "x", "{{ trigger.name }} {{ event.name }}"]
          - pause
`,
      );
      const quiet = spawnOrch(["up", "--headless", "--port", "0", "--dir", t.dir]);
      try {
        await quiet.waitFor("orch is up at", 20_000);
        const paused = await until("the deployment paused by its trigger", async () => {
          const r = await orch(["deployments", "inspect", "sensor", "--json", "--dir", t.dir]);
          return r.code === 0 && JSON.parse(r.stdout).paused === true;
        });
        expect(paused).toBe(true);
        const file = join(t.dir, "missed.txt");
        await until("the shell action's line", async () => Bun.file(file).exists());
        expect(readFileSync(file, "utf8")).toBe("no-heartbeat trigger.missed\n");
      } finally {
        quiet.proc.kill("SIGTERM");
        await quiet.proc.exited;
      }
    } finally {
      t.cleanup();
    }
  });
});
