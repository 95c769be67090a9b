import { randomUUID } from "node:crypto";
import { afterAll, beforeAll, describe, expect, test } from "vitest";
import {
  BUSYBOX_IMAGE,
  containersWith,
  dockerUnavailable,
  engine,
  ensureTestImages,
  GLIBC_IMAGE,
  logText,
  runToEnd,
  startProject,
  waitForState,
} from "./helpers.ts";

const unavailable = await dockerUnavailable();
// The only reason these tests skip: the daemon cannot be reached (.ci/run starts it).
if (unavailable) console.warn(unavailable);

/** This file's own label: its containers, never anyone else's, are counted. */
const MARK = `test.marker=${randomUUID()}`;
const [markKey, markValue] = MARK.split("=") as [string, string];
const HOSTILE = `a'b"c; $(touch /tmp/pwned) | rm -rf / && echo \`id\` * ~ $HOME \\ end`;

const YAML = `work_pools:
  - name: boxes
    type: docker
    embedded_worker: true
    concurrency: 4
    job:
      image: ${BUSYBOX_IMAGE}
      pull: never
      labels: { ${markKey}: "${markValue}" }
  - name: nothing-here
    type: docker
    embedded_worker: true
    job: { image: "orch-test/absent:${randomUUID().slice(0, 8)}", pull: never }
deployments:
  - name: talk
    command: ["sh", "-c", "echo to stdout; echo to stderr >&2; exit 3"]
    work_pool: boxes
  - name: hostile
    command: ["printf", "%s\\n", "{{ parameters.value }}"]
    parameters: { value: "x" }
    work_pool: boxes
  - name: limits
    command: ["sh", "-c", "cat /sys/fs/cgroup/memory/memory.limit_in_bytes 2>/dev/null || cat /sys/fs/cgroup/memory.max; cat /sys/fs/cgroup/cpu/cpu.cfs_quota_us 2>/dev/null || cat /sys/fs/cgroup/cpu.max; ls /sys/class/net"]
    work_pool: boxes
    job_variables: { memory: 64m, cpus: 0.5, network: none }
  - name: bridged
    command: ["ls", "/sys/class/net"]
    work_pool: boxes
  - name: ts
    flow: ./hello.ts
    work_pool: boxes
    job_variables: { image: ${GLIBC_IMAGE} }
  - name: ts-no-glibc
    flow: ./hello.ts
    work_pool: boxes
  - name: ts-throws
    flow: ./boom.ts
    work_pool: boxes
    job_variables: { image: ${GLIBC_IMAGE} }
  - name: unpullable
    command: ["true"]
    work_pool: boxes
    job_variables: { image: "orch-test/never-there:${randomUUID().slice(0, 8)}", pull: if-missing }
  - name: sleeper
    command: ["sleep", "300"]
    work_pool: boxes
  - name: slow
    command: ["sleep", "300"]
    work_pool: boxes
    timeout: 1s
  - name: brief
    command: ["sleep", "0.3"]
    work_pool: boxes
  - name: absent
    command: ["true"]
    work_pool: nothing-here
`;

const FLOW = `import { flow, task } from "orch";
const add = task({ name: "add" }, async (a: number, b: number) => a + b);
export default flow({ name: "hello" }, async () => {
  console.log("sum is", await add(40, 2));
});
`;

describe.skipIf(unavailable !== null)("runs in Docker containers (a real dockerd)", () => {
  let project: Awaited<ReturnType<typeof startProject>>;

  beforeAll(async () => {
    await ensureTestImages();
    project = await startProject(YAML, {
      "flows/hello.ts": FLOW,
      "flows/boom.ts": `import { flow } from "orch";
export default flow({ name: "boom" }, async () => {
  throw new Error("the warehouse is closed");
});
`,
    });
  }, 120_000);

  afterAll(async () => {
    await project?.stop();
    for (const id of await containersWith(MARK)) await engine.removeContainer(id);
  });

  test("a command's stdout and stderr are its log lines and its exit code its state", async () => {
    const run = await runToEnd(project.client, "talk");
    expect(run.state).toBe("FAILED");
    expect(run.exit_code).toBe(3);
    expect(run.state_message).toBe("exited with code 3");
    const lines = await logText(project.client, run.id);
    expect(lines).toContain("to stdout");
    expect(lines).toContain("to stderr");
    const running = run.states.find((s) => s.type === "RUNNING");
    expect(running?.message).toMatch(new RegExp(`^container [0-9a-f]{12} \\(${BUSYBOX_IMAGE}\\)`));
  });

  test("a parameter full of shell metacharacters arrives as one argument, intact", async () => {
    const run = await runToEnd(project.client, "hostile", { value: HOSTILE });
    expect(run.state).toBe("COMPLETED");
    expect(await logText(project.client, run.id)).toEqual([HOSTILE]);
  });

  test("memory and CPU limits are in the container's cgroup; network none leaves only lo", async () => {
    const run = await runToEnd(project.client, "limits");
    expect(run.state).toBe("COMPLETED");
    const lines = await logText(project.client, run.id);
    expect(lines[0]).toBe(String(64 * 1024 * 1024));
    // cgroup v1: the quota per 100 ms period; v2: "50000 100000".
    expect(lines[1]?.split(" ")[0]).toBe("50000");
    expect(lines.slice(2)).toEqual(["lo"]);
    const bridged = await runToEnd(project.client, "bridged");
    expect(await logText(project.client, bridged.id)).toContain("eth0");
  });

  test("a TypeScript flow runs through orch's executable in an image with glibc", async () => {
    const run = await runToEnd(project.client, "ts");
    expect(run.state).toBe("COMPLETED");
    expect(await logText(project.client, run.id)).toContain("sum is 42");
    // Its task reached the API from the container (the bridge gateway).
    expect(run.tasks.map((t) => [t.name, t.state])).toEqual([["add", "COMPLETED"]]);
  });

  test("a TypeScript flow in an image without glibc fails saying so", async () => {
    const run = await runToEnd(project.client, "ts-no-glibc");
    expect(run.state).toBe("FAILED");
    expect(run.state_message).toContain(`the image ${BUSYBOX_IMAGE} has no glibc`);
  });

  test("a TypeScript flow's thrown error is its run's message, from a container too", async () => {
    const run = await runToEnd(project.client, "ts-throws");
    expect(run.state).toBe("FAILED");
    expect(run.state_message).toContain("the warehouse is closed");
  });

  test("cancel stops the container and removes it", async () => {
    const started = await project.client.triggerRun("sleeper", {});
    await waitForState(project.client, started.id, ["RUNNING"]);
    expect(await containersWith(`orch.run-id=${started.id}`)).toHaveLength(1);
    await project.client.cancelRun(started.id);
    const run = await waitForState(project.client, started.id, ["CANCELLED"], 20_000);
    expect(run.state_message).toMatch(/^cancelled; its container was stopped/);
    expect(await containersWith(`orch.run-id=${started.id}`)).toEqual([]);
  });

  test("a timeout stops the container, removes it, and fails the run as TimedOut", async () => {
    const run = await runToEnd(project.client, "slow");
    expect(run.state).toBe("FAILED");
    expect(run.state_name).toBe("TimedOut");
    expect(run.state_message).toMatch(/^timed out after 1s; its container was stopped/);
    expect(await containersWith(`orch.run-id=${run.id}`)).toEqual([]);
  });

  test("an image that is missing with pull: never fails the run with what to do", async () => {
    const run = await runToEnd(project.client, "absent");
    expect(run.state).toBe("FAILED");
    expect(run.state_message).toMatch(
      /^the image orch-test\/absent:\w+ is not on the Docker host \(.+\) and the pool says pull: never: load or build it there first/,
    );
  });

  test("an image whose pull fails fails the run with the pull's own words", async () => {
    const run = await runToEnd(project.client, "unpullable");
    expect(run.state).toBe("FAILED");
    expect(run.state_message).toMatch(/^could not pull image orch-test\/never-there:\w+: ./);
  });

  test("20 runs on a pool with concurrency 4 never run more than 4 containers at once", async () => {
    const ids = await Promise.all(
      Array.from({ length: 20 }, async () => (await project.client.triggerRun("brief", {})).id),
    );
    let most = 0;
    const done = new Set<string>();
    const deadline = performance.now() + 90_000;
    while (done.size < ids.length) {
      if (performance.now() > deadline) throw new Error(`only ${done.size} of 20 runs ended`);
      const running = await containersWith(MARK);
      most = Math.max(most, running.length);
      const { runs } = await project.client.listRuns({ deployment: "brief", limit: 50 });
      for (const run of runs) {
        if (run.state === "COMPLETED") done.add(run.id);
        else expect(["SCHEDULED", "PENDING", "RUNNING"]).toContain(run.state);
      }
    }
    expect([...done].sort()).toEqual([...ids].sort());
    expect(most).toBeGreaterThan(0);
    expect(most).toBeLessThanOrEqual(4);
  }, 120_000);
});
