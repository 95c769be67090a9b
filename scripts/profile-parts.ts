/**
 * A run's parts in a CPU profile of `orch up` (BENCH_ORCH_PROFILE=DIR bun scripts/bench-api-http.ts,
 * then `bun scripts/profile-parts.ts DIR/worker/*.cpuprofile`): the share of the JavaScript
 * thread's samples each part of a run's way through the server took.
 *
 * Why samples, not time: a profile's time deltas also hold the waits between samples (the server
 * idle between requests), which a viewer adds to whatever ran last. Each sample is the thread
 * found busy, so their count is what the thread spent. A sample goes to the first part (in the
 * order below) that any frame of its stack belongs to.
 */
import { readFileSync } from "node:fs";

interface ProfileNode {
  id: number;
  callFrame: { functionName: string; url: string };
  children?: number[];
}

/** Parts in order of precedence: a frame's `function file` is matched against each. */
const PARTS: [string, RegExp][] = [
  ["listeners after each commit", /^(run|afterCommit) .*store\/open-store\.ts/],
  ["create: the claim in the request", /^claimNow .*server\/start-server\.ts/],
  ["create: the run (deployment, insert, history, event)", /^createDeploymentRun /],
  ["create: BEGIN/COMMIT (group commit)", /store\/group-commit\.ts/],
  ["batch: the claim after writes", /^inFlush /],
  ["batch: RUNNING and end (transitionRun)", /store\/transition-run\.ts/],
  ["batch: BEGIN/COMMIT, log lines stored", /worker\/write-batcher\.ts/],
  ["process: launch (thread message, spawn)", /worker\/launch-process\.ts/],
  [
    "process: job, working copy, streams, sweep",
    /worker\/(spawn-run|execute-attempt|subreaper|workdirs|load-job)\.ts/,
  ],
  ["http: the TCP front's pipe", /server\/(socket-pipe|serve-api)\.ts/],
  ["server log lines", /server\/log-run-states\.ts|consola|cli\/output\.ts/],
  ["http: routing, checks, answer, event stream", /server\/|web\/web-front\.ts/],
  ["scheduler, backfills, triggers", /scheduler\/|events\/start-triggers\.ts/],
];

/** Samples by part (and `other`) in one profile. */
export function profileParts(path: string): { total: number; parts: Map<string, number> } {
  const profile = JSON.parse(readFileSync(path, "utf8")) as {
    nodes: ProfileNode[];
    samples: number[];
  };
  const nodes = new Map(profile.nodes.map((n) => [n.id, n]));
  const parent = new Map<number, number>();
  for (const n of profile.nodes) for (const c of n.children ?? []) parent.set(c, n.id);
  const partOf = new Map<number, string>();
  const classify = (leaf: number): string => {
    const frames: string[] = [];
    for (let id: number | undefined = leaf; id !== undefined; id = parent.get(id)) {
      const { functionName, url } = nodes.get(id)!.callFrame;
      frames.push(`${functionName || "(anonymous)"} ${url}`);
    }
    for (const [name, pattern] of PARTS) if (frames.some((f) => pattern.test(f))) return name;
    return "other";
  };
  const parts = new Map<string, number>();
  for (const leaf of profile.samples) {
    const part = partOf.get(leaf) ?? classify(leaf);
    partOf.set(leaf, part);
    parts.set(part, (parts.get(part) ?? 0) + 1);
  }
  return { total: profile.samples.length, parts };
}

if (import.meta.main) {
  const files = process.argv.slice(2);
  if (!files.length) {
    console.error("usage: bun scripts/profile-parts.ts PROFILE.cpuprofile...");
    process.exit(2);
  }
  for (const file of files) {
    const { total, parts } = profileParts(file);
    console.log(`${file}: ${total} samples`);
    for (const [name, n] of [...parts].sort((a, b) => b[1] - a[1])) {
      console.log(`${((100 * n) / total).toFixed(1).padStart(6)} %  ${name}`);
    }
  }
}
