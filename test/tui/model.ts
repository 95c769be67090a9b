/**
 * The model-based test's parts: a seeded random source, the operations a user does through the
 * API and the files, and the two views compared after each step (what the API returns, what
 * the monitor's state container holds).
 */
import { existsSync, rmSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import type { Client, RunJson } from "../../src/client/index.ts";
import { selectCounts, selectDeploymentRuns } from "../../src/tui/select.ts";
import type { MonitorState } from "../../src/tui/state.ts";

/** A small seeded generator (mulberry32): the same seed, the same sequence. */
export function createRandom(seed: number) {
  let a = seed >>> 0;
  const next = () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
  return {
    next,
    int: (n: number) => Math.floor(next() * n),
    pick<T>(list: readonly T[]): T | undefined {
      return list.length ? list[Math.floor(next() * list.length)] : undefined;
    },
  };
}
export type Random = ReturnType<typeof createRandom>;

/** The definition files the model edits, and the deployments each holds. */
export const FILES: Record<string, string[]> = {
  "a.yaml": ["alpha", "alpha-2"],
  "b.yaml": ["beta"],
  "c.yaml": ["gamma"],
};
const INTERVALS = ["1m", "3m", "5m", "7m"];
const COMMANDS = ['["true"]', '["sleep", "0.3"]', '["sh", "-c", "exit 3"]'];

/** A valid definition file: each deployment with a command and an interval schedule. */
export function goodFile(file: string, random: Random): string {
  const lines = ["deployments:"];
  for (const name of FILES[file]!) {
    lines.push(
      `  - name: ${name}`,
      `    command: ${random.pick(COMMANDS)}`,
      "    schedules:",
      `      - interval: ${random.pick(INTERVALS)}`,
    );
  }
  return `${lines.join("\n")}\n`;
}

/** A definition file with several problems at once (or one that does not parse). */
export function brokenFile(file: string, random: Random): string {
  const name = FILES[file]![0]!;
  if (random.int(3) === 0) return `deployments:\n  - name: ${name}\n    command: [unclosed\n`;
  return [
    "deployments:",
    `  - name: ${name}`,
    '    command: ["true"]',
    "    retries: -1",
    "    schedules:",
    '      - cron: "61 * * * *"',
    "      - interval: soon",
    "    concurrency: { limit: 0 }",
    "",
  ].join("\n");
}

/** What the model knows besides the server: the workers it registered. */
export interface World {
  dir: string;
  client: () => Client;
  random: Random;
  workers: string[];
  restart: () => Promise<void>;
}

/** An operation: what it did, in words (for the replay log). */
type Operation = (w: World) => Promise<string>;

async function allRuns(c: Client): Promise<RunJson[]> {
  const runs: RunJson[] = [];
  let cursor: string | undefined;
  for (;;) {
    const page = await c.listRuns({ limit: 1000, planned: true, cursor });
    runs.push(...page.runs);
    if (!page.next) return runs;
    cursor = page.next;
  }
}

const ignoreRefusal = (what: string) => (error: Error) => `${what}: refused (${error.message})`;

/** The operations, with their weights. */
export const OPERATIONS: [weight: number, name: string, op: Operation][] = [
  [
    18,
    "trigger",
    async (w) => {
      const deps = await w.client().listDeployments();
      const d = w.random.pick(deps);
      if (!d) return "trigger: no deployment";
      const run = await w.client().triggerRun(d.name);
      return `trigger ${d.name}: ${run.id}`;
    },
  ],
  [
    8,
    "cancel",
    async (w) => {
      const runs = (await allRuns(w.client())).filter((r) =>
        ["SCHEDULED", "PENDING", "RUNNING"].includes(r.state),
      );
      const run = w.random.pick(runs);
      if (!run) return "cancel: nothing to cancel";
      return w
        .client()
        .cancelRun(run.id)
        .then(() => `cancel ${run.id}`, ignoreRefusal(`cancel ${run.id}`));
    },
  ],
  [
    6,
    "retry",
    async (w) => {
      const runs = (await allRuns(w.client())).filter((r) =>
        ["FAILED", "CANCELLED", "CRASHED", "COMPLETED"].includes(r.state),
      );
      const run = w.random.pick(runs);
      if (!run) return "retry: nothing to retry";
      return w
        .client()
        .retryRun(run.id)
        .then(() => `retry ${run.id}`, ignoreRefusal(`retry ${run.id}`));
    },
  ],
  [
    7,
    "pause",
    async (w) => {
      const d = w.random.pick((await w.client().listDeployments()).filter((d) => !d.paused));
      if (!d) return "pause: none";
      await w.client().pauseDeployment(d.name);
      return `pause ${d.name}`;
    },
  ],
  [
    7,
    "resume",
    async (w) => {
      const d = w.random.pick((await w.client().listDeployments()).filter((d) => d.paused));
      if (!d) return "resume: none";
      await w.client().resumeDeployment(d.name);
      return `resume ${d.name}`;
    },
  ],
  [
    9,
    "edit",
    async (w) => {
      const file = w.random.pick(Object.keys(FILES))!;
      writeFileSync(join(w.dir, "flows", file), goodFile(file, w.random));
      await settleFile(w, file, "valid");
      return `edit ${file}`;
    },
  ],
  [
    6,
    "break",
    async (w) => {
      const file = w.random.pick(Object.keys(FILES))!;
      writeFileSync(join(w.dir, "flows", file), brokenFile(file, w.random));
      await settleFile(w, file, "invalid");
      return `break ${file}`;
    },
  ],
  [
    3,
    "delete file",
    async (w) => {
      const file = w.random.pick(Object.keys(FILES))!;
      const path = join(w.dir, "flows", file);
      if (!existsSync(path)) return `delete ${file}: not there`;
      rmSync(path);
      await settleFile(w, file, "gone");
      return `delete ${file}`;
    },
  ],
  [
    3,
    "remove deployment",
    async (w) => {
      const d = w.random.pick(await w.client().listDeployments());
      if (!d) return "remove: none";
      await w.client().removeDeployment(d.name);
      return `remove ${d.name}`;
    },
  ],
  [
    4,
    "worker joins",
    async (w) => {
      const name = `model-${w.workers.length}`;
      const joined = await w.client().request<{ id: string }>("POST", "/api/workers", {
        name,
        pool: "elsewhere",
        host: "model",
        concurrency: 1,
      });
      w.workers.push(joined.id);
      return `worker ${name} joins`;
    },
  ],
  [
    4,
    "worker leaves",
    async (w) => {
      const online = new Set((await w.client().listWorkers()).map((x) => x.id));
      const id = w.random.pick(w.workers.filter((x) => online.has(x)));
      if (!id) return "worker leaves: none online";
      await w.client().request("POST", `/api/workers/${id}/offline`, {});
      return `worker ${id} leaves`;
    },
  ],
  [
    2,
    "restart",
    async (w) => {
      await w.restart();
      return "server restart";
    },
  ],
];

/** Pick an operation by weight. */
export function pickOperation(random: Random): [string, Operation] {
  const total = OPERATIONS.reduce((n, [weight]) => n + weight, 0);
  let at = random.next() * total;
  for (const [weight, name, op] of OPERATIONS) {
    at -= weight;
    if (at < 0) return [name, op];
  }
  const [, name, op] = OPERATIONS.at(-1)!;
  return [name, op];
}

/** Wait until the server has taken in a file's change (the watcher redeploys it). */
async function settleFile(w: World, file: string, expect: "valid" | "invalid" | "gone") {
  const path = `flows/${file}`;
  const deadline = Date.now() + 10_000;
  for (;;) {
    const c = w.client();
    const [problems, deps] = await Promise.all([c.listProblems(), c.listDeployments()]);
    const broken = problems.files.some((f) => f.file === path);
    const held = deps.filter((d) => d.source?.startsWith(`${path}:`));
    const done =
      expect === "invalid"
        ? broken
        : expect === "gone"
          ? !broken && held.length === 0
          : !broken && held.every((d) => !d.source_invalid);
    if (done) return;
    if (Date.now() > deadline) throw new Error(`the server did not take in ${path} (${expect})`);
    await Bun.sleep(20);
  }
}

/** What the monitor must show, read from the API. */
export async function apiView(c: Client) {
  const [deployments, workers, problems, runs] = await Promise.all([
    c.listDeployments(),
    c.listWorkers(),
    c.listProblems(),
    allRuns(c),
  ]);
  const counts: Record<string, number> = {};
  for (const r of runs) {
    const key = r.state_name === "Late" ? "LATE" : r.state;
    counts[key] = (counts[key] ?? 0) + 1;
  }
  return normalise({
    deployments: deployments.map((d) => ({
      name: d.name,
      version: d.version,
      paused: d.paused,
      invalid: d.source_invalid,
      next: d.next_run,
    })),
    runs: runs.map((r) => `${r.id} ${r.state} ${r.state_name}`),
    workers: workers.map((w) => w.id),
    counts,
    problems: problems.files.map((f) => `${f.file}: ${f.problems.join(" | ")}`),
    notices: problems.notices.map((n) => n.id),
  });
}

/** The same, read from the monitor's state. */
export function monitorView(s: MonitorState) {
  const next = selectDeploymentRuns(s.runs, s.deployments);
  return normalise({
    deployments: s.deployments.map((d) => ({
      name: d.name,
      version: d.version,
      paused: d.paused,
      invalid: d.source_invalid,
      next: next.get(d.name)?.next ?? null,
    })),
    runs: [...s.runs.byId.values()].map((r) => `${r.id} ${r.state} ${r.state_name}`),
    workers: s.workers.map((w) => w.id),
    counts: Object.fromEntries(selectCounts(s.runs, undefined)),
    problems: s.problems.files.map((f) => `${f.file}: ${f.problems.join(" | ")}`),
    notices: s.problems.notices.map((n) => n.id),
  });
}

function normalise<T extends { runs: string[]; workers: string[]; counts: object }>(view: T): T {
  return {
    ...view,
    runs: [...view.runs].sort(),
    workers: [...view.workers].sort(),
    counts: Object.fromEntries(Object.entries(view.counts).sort()),
  };
}

/** The first difference between two views, in words. */
export function difference(api: object, monitor: object): string {
  const a = api as Record<string, unknown>;
  const m = monitor as Record<string, unknown>;
  for (const key of Object.keys(a)) {
    const x = JSON.stringify(a[key]);
    const y = JSON.stringify(m[key]);
    if (x !== y) return `${key}:\n  api:     ${x}\n  monitor: ${y}`;
  }
  return "";
}
