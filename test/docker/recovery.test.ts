import { randomUUID } from "node:crypto";
import { afterAll, beforeAll, describe, expect, test } from "vitest";
import {
  BUSYBOX_IMAGE,
  containersWith,
  dockerUnavailable,
  engine,
  ensureTestImages,
  startProject,
  waitForState,
} from "./helpers.ts";

const unavailable = await dockerUnavailable();
if (unavailable) console.warn(unavailable);

const MARK = `test.marker=${randomUUID()}`;
const [markKey, markValue] = MARK.split("=") as [string, string];

describe.skipIf(unavailable !== null)("containers after orch is killed (a real dockerd)", () => {
  let project: Awaited<ReturnType<typeof startProject>>;

  beforeAll(async () => {
    await ensureTestImages();
    project = await startProject(`work_pools:
  - name: boxes
    type: docker
    embedded_worker: true
    job:
      image: ${BUSYBOX_IMAGE}
      pull: never
      labels: { ${markKey}: "${markValue}" }
deployments:
  - name: sleeper
    command: ["sleep", "300"]
    work_pool: boxes
`);
  }, 120_000);

  afterAll(async () => {
    await project?.stop();
    for (const id of await containersWith(MARK)) await engine.removeContainer(id);
  });

  test("kill -9 of orch up mid-run, then a restart: no container is left and the run is CRASHED", async () => {
    const run = await project.client.triggerRun("sleeper", {});
    await waitForState(project.client, run.id, ["RUNNING"]);
    const [container] = await containersWith(`orch.run-id=${run.id}`);
    expect(container).toBeDefined();

    project.up.proc.kill("SIGKILL");
    await project.up.proc.exited;
    // Nothing stops a container when its worker dies: it is still there, running.
    expect((await engine.inspectContainer(container!))?.Running).toBe(true);
    // Another project's orch starting on this host meanwhile leaves it alone: it is this
    // project's to recover, not a stray of the other's.
    const other = await startProject(`work_pools:
  - name: boxes
    type: docker
    embedded_worker: true
    job: { image: ${BUSYBOX_IMAGE}, pull: never }
deployments:
  - name: idle
    command: ["sleep", "0"]
    work_pool: boxes
`);
    // Its docker worker is up (its sweep done) once it has run a container of its own.
    const done = await other.client.triggerRun("idle", {});
    await waitForState(other.client, done.id, ["COMPLETED"]);
    await other.stop();
    expect((await engine.inspectContainer(container!))?.Running).toBe(true);

    await project.restart();
    const crashed = await waitForState(project.client, run.id, ["CRASHED"]);
    expect(crashed.state_message).toBe(
      `orch stopped while this run was RUNNING; its container ${container!.slice(0, 12)} was stopped and removed`,
    );
    expect(await containersWith(MARK)).toEqual([]);
  }, 60_000);

  test("a run whose container vanished while orch was down is CRASHED saying so", async () => {
    const run = await project.client.triggerRun("sleeper", {});
    await waitForState(project.client, run.id, ["RUNNING"]);
    const [container] = await containersWith(`orch.run-id=${run.id}`);
    project.up.proc.kill("SIGKILL");
    await project.up.proc.exited;
    await engine.removeContainer(container!);

    await project.restart();
    const crashed = await waitForState(project.client, run.id, ["CRASHED"]);
    expect(crashed.state_message).toMatch(
      /^orch stopped while this run was RUNNING; its container had vanished/,
    );
  }, 60_000);
});
