import { mkdirSync, readdirSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { afterEach, beforeEach, expect, test } from "vitest";
import { createDeploymentRun, createRun, runStates } from "../../src/store/index.ts";
import { groupMembers } from "../../src/worker/index.ts";
import { createMarker } from "../processes.ts";
import { createLab, eventually, type Lab } from "./helpers.ts";

let lab: Lab;
beforeEach(() => {
  lab = createLab();
});
afterEach(async () => {
  await lab.cleanup();
});

const history = (seq: number) => runStates(lab.store, seq).map((s) => `${s.type}/${s.name}`);

/** A process tree that ignores SIGTERM: a shell and a background sleep, both deaf to it. */
const STUBBORN = ["sh", "-c", 'trap "" TERM; echo $$ > pid; sleep 100 & wait; echo done'];

test("a command that exits 0 is COMPLETED, with its output, env and substituted parameters", async () => {
  const d = lab.deploy({
    name: "hello",
    command: [
      "sh",
      "-c",
      'echo "hi {{ parameters.who }} from $ORCH_DEPLOYMENT"; echo "$GREETING $ORCH_RUN_ID"; echo "$ORCH_PARAMETERS" >&2',
      "{{ parameters.nested.n }}",
    ],
    parameters: { who: "world" },
    env: { GREETING: "hey" },
  });
  await lab.startWorker();
  const run = lab.trigger(d, { nested: { n: 3 } });
  const done = await lab.waitFor(run.id, "COMPLETED");
  expect(done).toMatchObject({ exit_code: 0, attempt: 1 });
  expect(done.pid).toBeGreaterThan(0);
  // stdout's lines keep their order; the stderr line may land anywhere among them (two pipes).
  const params = JSON.stringify({ who: "world", nested: { n: 3 } });
  const lines = lab.logs(run);
  expect(lines.filter((l) => l !== params)).toEqual(["hi world from hello", `hey ${run.id}`]);
  expect(lines.filter((l) => l === params)).toHaveLength(1);
  expect(lines).toHaveLength(3);
  expect(history(run.seq)).toEqual([
    "SCHEDULED/Scheduled",
    "PENDING/Pending",
    "RUNNING/Running",
    "COMPLETED/Completed",
  ]);
});

test("a non-zero exit is FAILED with its exit code", async () => {
  const d = lab.deploy({ name: "bad", command: ["sh", "-c", "echo oops >&2; exit 7"] });
  await lab.startWorker();
  const run = lab.trigger(d);
  const failed = await lab.waitFor(run.id, "FAILED");
  expect(failed).toMatchObject({
    exit_code: 7,
    state_name: "Failed",
    state_message: "exited with code 7",
  });
  expect(lab.logs(run)).toEqual(["oops"]);
});

test("a failure with retries left waits in AwaitingRetry and runs again as the next attempt", async () => {
  const counter = join(lab.dir, "count");
  const d = lab.deploy({
    name: "flaky",
    // Fails on attempts 1 and 2, succeeds on 3.
    command: [
      "sh",
      "-c",
      `n=$(cat ${counter} 2>/dev/null || echo 0); n=$((n+1)); echo $n > ${counter}; echo "attempt $ORCH_ATTEMPT"; [ $n -ge 3 ]`,
    ],
    retries: 2,
    retry_delay_ms: 100,
  });
  await lab.startWorker();
  const run = lab.trigger(d);
  const done = await lab.waitFor(run.id, "COMPLETED");
  expect(done).toMatchObject({ attempt: 3, retries_used: 2, exit_code: 0 });
  expect(history(run.seq)).toEqual([
    "SCHEDULED/Scheduled",
    "PENDING/Pending",
    "RUNNING/Running",
    "SCHEDULED/AwaitingRetry",
    "PENDING/Pending",
    "RUNNING/Retrying",
    "SCHEDULED/AwaitingRetry",
    "PENDING/Pending",
    "RUNNING/Retrying",
    "COMPLETED/Completed",
  ]);
  // The retry waited for its delay.
  const states = runStates(lab.store, run.seq);
  const waited = Date.parse(states[4]!.at) - Date.parse(states[3]!.at);
  expect(waited).toBeGreaterThanOrEqual(100);
  expect(lab.logs(run)).toEqual(["attempt 1", "attempt 2", "attempt 3"]);
});

test("a list of retry delays waits each in turn, the last one repeating", async () => {
  const d = lab.deploy({
    name: "backing-off",
    command: ["sh", "-c", "exit 1"],
    retries: 3,
    retry_delay_ms: 100,
    retry_delays_ms: [100, 400],
  });
  // Each wait as it was set: the retry's due time less the time it began to wait.
  const set: number[] = [];
  lab.store.subscribe((e) => {
    if (e.run?.state_name === "AwaitingRetry") set.push(e.run.scheduled_at - e.run.state_at);
  });
  await lab.startWorker();
  const run = lab.trigger(d);
  const failed = await lab.waitFor(run.id, "FAILED");
  expect(failed).toMatchObject({ attempt: 4, retries_used: 3 });
  expect(set).toEqual([100, 400, 400]);
  const states = runStates(lab.store, run.seq);
  const waits = states.flatMap((s, i) =>
    s.name === "AwaitingRetry" ? [Date.parse(states[i + 1]!.at) - Date.parse(s.at)] : [],
  );
  expect(waits).toHaveLength(3);
  expect(waits[0]).toBeGreaterThanOrEqual(100);
  expect(waits[1]).toBeGreaterThanOrEqual(400);
  expect(waits[2]).toBeGreaterThanOrEqual(400);
});

test("a command not found with retries left is retried like a failure: it runs once it is there", async () => {
  const script = join(lab.dir, "appears.sh");
  const d = lab.deploy({ name: "later", command: [script], retries: 2, retry_delay_ms: 200 });
  await lab.startWorker();
  const run = lab.trigger(d);
  await eventually(
    () => runStates(lab.store, run.seq).some((s) => s.name === "AwaitingRetry"),
    10_000,
    "the first attempt to wait for its retry",
  );
  writeFileSync(script, "#!/bin/sh\necho here\n", { mode: 0o755 });
  const done = await lab.waitFor(run.id, "COMPLETED");
  expect(done.retries_used).toBeGreaterThanOrEqual(1);
  expect(runStates(lab.store, run.seq).find((s) => s.name === "AwaitingRetry")).toMatchObject({
    name: "AwaitingRetry",
    message: expect.stringMatching(/^command not found: .*appears\.sh .*; retrying/),
  });
  expect(lab.logs(run)).toEqual(["here"]);
});

test("a timeout stops the whole tree, even one that ignores SIGTERM, and is FAILED/TimedOut", async () => {
  const d = lab.deploy({ name: "slow", command: STUBBORN, timeout_ms: 200 });
  await lab.startWorker({ graceMs: 200 });
  const run = lab.trigger(d);
  const running = await lab.waitFor(run.id, "RUNNING");
  const timedOut = await lab.waitFor(run.id, "FAILED");
  expect(timedOut.state_name).toBe("TimedOut");
  expect(timedOut.state_message).toBe(
    "timed out after 200ms; its process tree was stopped (SIGKILL)",
  );
  expect(timedOut.signal).toBe("SIGKILL");
  expect(groupMembers(running.pid!)).toEqual([]);
});

test("cancel stops the whole tree and records CANCELLING then CANCELLED", async () => {
  const d = lab.deploy({ name: "long", command: STUBBORN });
  const worker = await lab.startWorker({ graceMs: 200 });
  const run = lab.trigger(d);
  const running = await lab.waitFor(run.id, "RUNNING");
  await eventually(() => groupMembers(running.pid!).length === 2, 3000, "the sleep to start");
  expect(worker.cancel(run.id).state_type).toBe("CANCELLING");
  const cancelled = await lab.waitFor(run.id, "CANCELLED");
  expect(cancelled.state_message).toBe("cancelled; its process tree was stopped (SIGKILL)");
  expect(groupMembers(running.pid!)).toEqual([]);
  expect(history(run.seq).slice(-2)).toEqual(["CANCELLING/Cancelling", "CANCELLED/Cancelled"]);
  expect(worker.active()).toEqual([]);
});

test("a tree that obeys SIGTERM is stopped without waiting for the grace period", async () => {
  const d = lab.deploy({ name: "polite", command: ["sleep", "100"] });
  // A grace period far past the wait below: the run can only end CANCELLED in time if the
  // worker saw the tree go and did not wait the grace out.
  const worker = await lab.startWorker({ graceMs: 600_000 });
  const run = lab.trigger(d);
  await lab.waitFor(run.id, "RUNNING");
  worker.cancel(run.id);
  const cancelled = await lab.waitFor(run.id, "CANCELLED", 20_000);
  expect(cancelled.state_message).toBe("cancelled; its process tree was stopped (SIGTERM)");
});

test("a SCHEDULED run is cancelled at once; a finished run can be retried", async () => {
  const d = lab.deploy({ name: "later", command: ["true"] });
  const { cancelRun, retryRun } = await import("../../src/worker/index.ts");
  const run = lab.trigger(d);
  expect(cancelRun(lab.store, run.id).state_type).toBe("CANCELLED");
  expect(() => cancelRun(lab.store, run.id)).toThrow(/already finished/);
  await lab.startWorker();
  expect(retryRun(lab.store, run.id).state_type).toBe("SCHEDULED");
  const done = await lab.waitFor(run.id, "COMPLETED");
  expect(done.attempt).toBe(1);
});

test("a signal orch did not send is CRASHED", async () => {
  const d = lab.deploy({ name: "killed", command: ["sh", "-c", "kill -KILL $$"] });
  await lab.startWorker();
  const run = lab.trigger(d);
  const crashed = await lab.waitFor(run.id, "CRASHED");
  expect(crashed).toMatchObject({
    signal: "SIGKILL",
    state_message: "its process was killed by SIGKILL, which orch did not send",
  });
});

test("a command that cannot start is FAILED with a clear message", async () => {
  const missing = lab.deploy({ name: "missing", command: ["no-such-command-orch", "x"] });
  const noParam = lab.deploy({ name: "noparam", command: ["echo", "{{ parameters.target }}"] });
  await lab.startWorker();
  const a = lab.trigger(missing);
  // A trigger without the parameter is refused as the run is made (nothing is created)...
  expect(() => lab.trigger(noParam)).toThrow(
    "a run of noparam needs parameter target (its definition uses it): pass -p target=VALUE or give it a default in the definition",
  );
  // ...and a run that lacks it all the same (made by a path that does not check) fails as it starts.
  const b = createRun(lab.store, {
    deploymentId: noParam.id,
    deployment: noParam.name,
    version: noParam.version,
  });
  expect((await lab.waitFor(a.id, "FAILED")).state_message).toBe(
    "command not found: no-such-command-orch (is it installed and on PATH?)",
  );
  expect((await lab.waitFor(b.id, "FAILED")).state_message).toMatch(
    /uses \{\{ parameters.target \}\}, but the run has no parameter target/,
  );
});

test("runs execute in the version's files, in spec.cwd", async () => {
  const d = lab.deploy(
    { name: "files", command: ["sh", "./run.sh"], cwd: "sub" },
    { "sub/run.sh": "cat data.txt; pwd\n", "sub/data.txt": "from the bundle\n" },
  );
  await lab.startWorker();
  const run = lab.trigger(d);
  await lab.waitFor(run.id, "COMPLETED");
  const [data, cwd] = lab.logs(run);
  expect(data).toBe("from the bundle");
  expect(cwd).toMatch(new RegExp(`^${join(lab.dir, "runs")}/\\d+-\\d+/\\d+/sub$`));
});

test("an absolute cwd is a folder of the machine: the run works there, and one that is missing fails saying so", async () => {
  const here = join(lab.dir, "srv-app");
  mkdirSync(here);
  writeFileSync(join(here, "backup.sh"), "echo backed up; pwd\n");
  const d = lab.deploy({ name: "in-place", command: ["sh", "./backup.sh"], cwd: here });
  const gone = lab.deploy({ name: "gone", command: ["true"], cwd: join(lab.dir, "no-such") });
  await lab.startWorker();
  const run = lab.trigger(d);
  await lab.waitFor(run.id, "COMPLETED");
  expect(lab.logs(run)).toEqual(["backed up", here]);
  const failed = await lab.waitFor(lab.trigger(gone).id, "FAILED");
  expect(failed.state_message).toContain(
    `the working directory ${join(lab.dir, "no-such")} does not exist on `,
  );
});

test("stopping the worker stops its runs: CANCELLED, orch was stopped", async () => {
  const d = lab.deploy({ name: "forever", command: ["sleep", "100"] });
  const worker = await lab.startWorker();
  const run = lab.trigger(d);
  await lab.waitFor(run.id, "RUNNING");
  await worker.stop();
  const stopped = await lab.waitFor(run.id, "CANCELLED");
  expect(stopped.state_message).toBe("orch was stopped; its process tree was stopped (SIGTERM)");
});

test("each run works in its own copy of the version's files: what one writes, the next never sees", async () => {
  const d = lab.deploy(
    {
      name: "writer",
      command: [
        "sh",
        "-c",
        'cat note.txt; echo "$ORCH_RUN_ID" >> out.txt; cat out.txt | wc -l; echo changed > note.txt 2>/dev/null; echo "$ORCH_PROJECT_DIR"',
      ],
    },
    { "note.txt": "from the version\n" },
  );
  await lab.startWorker({ workDir: lab.dir });
  const first = lab.trigger(d);
  await lab.waitFor(first.id, "COMPLETED");
  const second = lab.trigger(d);
  await lab.waitFor(second.id, "COMPLETED");
  for (const run of [first, second]) {
    const lines = lab.logs(run).map((l) => l.trim());
    // The second run sees neither the first one's output nor its change to a version file.
    expect(lines).toEqual(["from the version", "1", lab.dir]);
  }
});

test("a run claimed as it is made starts its process as the commit ends, before anything else runs", async () => {
  const marker = createMarker("at-commit");
  const done = join(lab.dir, "done");
  const d = lab.deploy({
    name: "at-commit",
    command: ["sh", "-c", `while [ ! -e '${done}' ]; do sleep 0.02; done`],
    env: marker.env,
  });
  const worker = await lab.startWorker();
  // The first run of a version puts its files on disk; the next ones find them there.
  writeFileSync(done, "");
  await lab.waitFor(lab.trigger(d).id, "COMPLETED");
  rmSync(done);
  // This process's children, as the kernel lists them the moment they are forked (the worker
  // runs here; a child's marked environment shows in /proc only once its exec is done).
  const children = () =>
    new Set(
      readdirSync("/proc/self/task").flatMap((tid) =>
        readFileSync(`/proc/self/task/${tid}/children`, "latin1").split(" ").filter(Boolean),
      ),
    );
  const before = children();
  // As the API makes a run when a slot is free: made and claimed in one transaction.
  const run = lab.store.tx(() => {
    const made = createDeploymentRun(lab.store, d.name);
    expect(worker.claimNow("default").map((r) => r.id)).toEqual([made.id]);
    return made;
  });
  // Right after the commit, with no turn of the event loop between: its process was started.
  const forked = [...children()].filter((pid) => !before.has(pid));
  expect(forked).toHaveLength(1);
  expect(await marker.appeared()).toContain(Number(forked[0]));
  writeFileSync(done, "");
  expect((await lab.waitFor(run.id, ["COMPLETED", "FAILED", "CRASHED"])).state_type).toBe(
    "COMPLETED",
  );
});
