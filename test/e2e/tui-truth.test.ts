import { readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { afterEach, beforeEach, describe, expect, test } from "vitest";
import { type Client, createClient } from "../../src/client/index.ts";
import { ORCH, spawnOrch, tempDir } from "../helpers.ts";
import { createTmux } from "./tui-tmux.ts";

// The monitor shows what the server has, and nothing it no longer has: each case here is one a
// user met (stale planned runs after pause, resume or a schedule edit; a cancelled slot as the
// last run; a worker gone; a file fixed; seven problems; a crash while orch was down; an empty
// filter), on the compiled binary in a real terminal.

const TICK = (interval: string) => `deployments:
  - name: tick
    command: ["true"]
    schedules:
      - interval: ${interval}
  - name: hello
    command: ["sleep", "100"]
`;

let t: ReturnType<typeof tempDir>;
let term: ReturnType<typeof createTmux>;
let up: ReturnType<typeof spawnOrch> | null = null;
let client: Client;

/** A headless server for the project, and a client of its API for the test's own checks. */
async function startHeadless() {
  up = spawnOrch(["up", "--headless", "--port", "0", "--dir", t.dir]);
  await up.waitFor("orch is up at");
  connect();
}

/** A client of the project's running server (from .orch/server.json). */
function connect() {
  const { url } = JSON.parse(readFileSync(join(t.dir, ".orch/server.json"), "utf8"));
  client = createClient({ url, token: readFileSync(join(t.dir, ".orch/token"), "utf8").trim() });
}

/** The header's count of runs in a state ("12 scheduled"), 0 when it shows none. */
function headerCount(screen: string, label: string): number {
  const header = screen.split("\n")[0] ?? "";
  return Number(new RegExp(`(\\d+) ${label}\\b`).exec(header)?.[1] ?? 0);
}

/** The count in the runs pane's title ("Runs (12)"). */
const runsShown = (screen: string) => Number(/Runs \((\d+)\)/.exec(screen)?.[1] ?? -1);

async function apiRuns() {
  return (await client.listRuns({ planned: true, limit: 1000 })).runs;
}

/** The screen and the API agree: the runs listed and the scheduled ones counted. */
async function agrees(screen: string): Promise<boolean> {
  const runs = await apiRuns();
  const scheduled = runs.filter((r) => r.state === "SCHEDULED" && r.state_name !== "Late").length;
  return runsShown(screen) === runs.length && headerCount(screen, "scheduled") === scheduled;
}

beforeEach(async () => {
  t = tempDir("orch-tui-truth-");
  await Bun.write(join(t.dir, "flows/tick.yaml"), TICK("1m"));
  term = createTmux();
});

afterEach(async () => {
  term.kill();
  if (up) {
    up.proc.kill("SIGTERM");
    await up.proc.exited;
    up = null;
  }
  t.cleanup();
});

describe("the monitor shows only what the server has", () => {
  test("pause, resume and a schedule edit leave no planned run on screen that the API no longer has", async () => {
    await startHeadless();
    term.start(`${ORCH} monitor`, t.dir);
    await term.until("the planned runs", async (s) => /● online/.test(s) && (await agrees(s)));
    const before = (await apiRuns()).length;
    expect(before).toBeGreaterThan(0);

    // p on the deployment: its planned runs are deleted by the server, and leave the screen.
    term.keys("BTab", "j");
    await term.waitFor(/› tick/);
    term.keys("p");
    await term.until("the pause", async (s) => /tick.*paused/.test(s) && (await agrees(s)));
    expect((await apiRuns()).filter((r) => r.state === "SCHEDULED")).toEqual([]);
    expect(term.screen()).not.toMatch(/due \d/);

    term.keys("p");
    await term.until(
      "the resume",
      async (s) => !/tick.*paused/.test(s) && runsShown(s) > 0 && (await agrees(s)),
    );

    // A schedule edit replaces the planned runs: no row of the old interval stays.
    await Bun.write(join(t.dir, "flows/tick.yaml"), TICK("7m"));
    await term.until("the edit", async (s) => {
      const due = (await apiRuns())
        .filter((r) => r.state === "SCHEDULED")
        .map((r) => Date.parse(r.scheduled_at!))
        .sort((a, b) => a - b);
      const every7m = due.length > 1 && due.slice(1).every((at, k) => at - due[k]! === 420_000);
      return /every 7m/.test(s) && every7m && (await agrees(s));
    });
  });

  test("LAST RUN is the run that started last: a planned slot cancelled before it started is not", async () => {
    // Slots from 5 minutes ahead, 10 minutes apart: none starts while the test runs, however slow.
    const anchor = new Date(Date.now() + 5 * 60_000).toISOString();
    await Bun.write(
      join(t.dir, "flows/tick.yaml"),
      TICK("10m").replace("interval: 10m", `interval: 10m\n        anchor: "${anchor}"`),
    );
    await startHeadless();
    term.start(`${ORCH} monitor`, t.dir);
    await term.until("the planned runs", async (s) => /● online/.test(s) && (await agrees(s)));
    const planned = (await apiRuns()).sort((a, b) =>
      a.scheduled_at!.localeCompare(b.scheduled_at!),
    );
    await client.cancelRun(planned[0]!.id);
    const [after] = (await client.listDeployments()).filter((d) => d.name === "tick");
    const next = new Date(after!.next_run!);
    const hhmm = `${String(next.getHours()).padStart(2, "0")}:${String(next.getMinutes()).padStart(2, "0")}`;
    const screen = await term.until(
      "NEXT RUN to move on",
      async (s) => new RegExp(`tick\\s.*${hhmm}`).test(s) && (await agrees(s)),
    );
    const row = screen.split("\n").find((l) => /^\W*tick\s/.test(l))!;
    expect(row).not.toContain("CANCELLED");
    expect(row).toMatch(/—/);
  });

  test("a worker that leaves leaves the header", async () => {
    await startHeadless();
    const worker = spawnOrch(["worker", "--pool", "elsewhere", "--dir", t.dir]);
    try {
      for (let tries = 0; (await client.listWorkers()).length < 2; tries++) {
        if (tries > 200) throw new Error("the worker did not join");
        await Bun.sleep(50);
      }
      term.start(`${ORCH} monitor`, t.dir);
      await term.waitFor(/● online │ 2 workers/);
    } finally {
      worker.proc.kill("SIGTERM");
      await worker.proc.exited;
    }
    await term.waitFor(/● online │ 1 worker \(embedded@/);
    expect((await client.listWorkers()).length).toBe(1);
  });

  test("a filter that matches nothing says what is true", async () => {
    await startHeadless();
    term.start(`${ORCH} monitor`, t.dir);
    await term.waitFor(/● online[\s\S]*tick/);
    term.keys("/", "c", "o", "m", "p", "l", "e", "t", "e", "d", "Enter");
    await term.waitFor("no deployments match `completed`");
    expect(term.screen()).not.toContain("add one to flows");
  });
});

describe("every problem is visible", () => {
  const SEVEN = `deployments:
  - name: broken
    command: ["true"]
    retries: -1
    timeout: soon
    retry_delay: later
    schedules:
      - cron: "61 * * * *"
      - interval: often
      - cron: "* * * * * * * *"
    concurrency: { limit: 0 }
`;

  test("all seven problems of a file in the problems pane; a second file saved at once too; valid again says so", async () => {
    await startHeadless();
    term.start(`${ORCH} monitor`, t.dir);
    await term.waitFor(/● online[\s\S]*tick/);
    // Two files saved at the same moment as a third one's redeploy.
    writeFileSync(join(t.dir, "flows/seven.yaml"), SEVEN);
    writeFileSync(join(t.dir, "flows/other.yaml"), "deployments: [unclosed\n");
    writeFileSync(join(t.dir, "flows/tick.yaml"), TICK("3m"));
    await term.waitFor(/! 2 invalid files/);
    term.keys("!");
    const { files } = await client.listProblems();
    const all = files.flatMap((f) => f.problems);
    expect(files.find((f) => f.file === "flows/seven.yaml")?.problems).toHaveLength(7);
    const pane = await term.waitFor([
      "Problems",
      "flows/other.yaml",
      "flows/seven.yaml (7 problems",
    ]);
    for (const p of all) expect(pane).toContain(p.slice(0, 60));

    term.keys("Escape");
    writeFileSync(
      join(t.dir, "flows/seven.yaml"),
      TICK("5m").replaceAll("tick", "seven").replaceAll("hello", "seven-2"),
    );
    await term.waitFor([/flows\/seven\.yaml is valid again/, /! 1 invalid file\b/]);
    term.keys("!");
    const left = await term.waitFor(["Problems", "flows/other.yaml"]);
    // The pane (above the event line and the key bar) no longer lists it.
    expect(left.trimEnd().split("\n").slice(0, -2).join("\n")).not.toContain("flows/seven.yaml");
  });

  test("after kill -9 and a restart, orch up says which run crashed, and lists it until acknowledged", async () => {
    await startHeadless();
    const run = await client.triggerRun("hello");
    for (;;) {
      if ((await client.getRun(run.id)).state === "RUNNING") break;
      await Bun.sleep(50);
    }
    up!.proc.kill("SIGKILL");
    await up!.proc.exited;
    up = null;
    term.start(`${ORCH} up --port 0; echo "EXITED=$?"`, t.dir);
    const short = run.id.slice(0, 8);
    await term.waitFor([/● online/, new RegExp(`run ${short} of hello crashed`), /! 1 crash/]);
    connect();
    term.keys("!");
    await term.waitFor([
      "Found at start-up",
      new RegExp(`run ${short} of hello crashed: orch stopped`),
    ]);
    term.keys("a");
    // Acknowledged, the notice is gone, and with it the last problem: the pane closes.
    await term.until(
      "the notice to go",
      (s) => !/! 1 crash/.test(s) && /Deployments \(2\)/.test(s),
    );
    expect((await client.listProblems()).notices).toEqual([]);
    term.keys("q");
    await term.waitFor("EXITED=0");
  });
});
