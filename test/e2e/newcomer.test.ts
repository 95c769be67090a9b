import { existsSync } from "node:fs";
import { hostname } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, test } from "vitest";
import { orch, spawnOrch, tempDir } from "../helpers.ts";

// What a newcomer sees in a first hour: each answer says what happened and what to do next.
const FLOWS = `deployments:
  - name: quiet
    command: ["true"]
  - name: flaky
    command: ["sh", "-c", "if [ \\"$ORCH_ATTEMPT\\" = 1 ]; then echo first; exit 3; fi; echo second"]
    retries: 1
    retry_delay: 1s
  - name: gated
    command: ["sh", "-c", "while [ ! -e \\"$ORCH_PROJECT_DIR/go-newcomer\\" ]; do sleep 0.05; done; echo through"]
`;

const pair = (description: string) => `deployments:
  - name: pa
    description: ${description}
    command: ["true"]
  - name: pb
    command: ["true"]
`;

let dir: string;
let cleanup: () => void;
let up: ReturnType<typeof spawnOrch>;

beforeAll(async () => {
  ({ dir, cleanup } = tempDir());
  await Bun.write(join(dir, "flows/all.yaml"), FLOWS);
  await Bun.write(join(dir, "flows/pair.yaml"), pair("first"));
  up = spawnOrch(["up", "--headless", "--port", "0", "--dir", dir]);
  await up.waitFor("orch is up at");
});

afterAll(async () => {
  up.proc.kill("SIGTERM");
  await up.proc.exited;
  cleanup();
});

const run = (...args: string[]) => orch([...args, "--dir", dir]);

describe("orch run --watch", () => {
  test("prints the run's id and where to follow it before the run ends", async () => {
    const watch = spawnOrch(["run", "gated", "--watch", "--dir", dir]);
    await watch.waitFor("-f follows it from elsewhere");
    const [, id] = /run ([0-9a-f-]{36}) of gated/.exec(watch.stderr) ?? [];
    expect(id).toBeDefined();
    expect(watch.stderr).toContain(`orch runs logs ${id!.slice(0, 8)} -f`);
    expect(watch.stderr).toContain("orch monitor");
    expect(existsSync(join(dir, "go-newcomer"))).toBe(false);
    await Bun.write(join(dir, "go-newcomer"), "");
    expect(await watch.proc.exited).toBe(0);
    expect(await new Response(watch.proc.stdout).text()).toBe("through\n");
  });

  test("says each state change of a retried run as it happens, with the wait", async () => {
    const r = await run("run", "flaky", "--watch");
    expect(r.code).toBe(0);
    expect(r.stdout).toBe("first\nsecond\n");
    const lines = r.stderr.split("\n");
    const at = (pattern: RegExp) => lines.findIndex((l) => pattern.test(l));
    const started = at(/run [0-9a-f-]{36} of flaky/);
    const waiting = at(/SCHEDULED \(AwaitingRetry\): .*; next attempt in 1s, at \d{4}-/);
    const retrying = at(/RUNNING \(Retrying\)/);
    const done = at(/ COMPLETED/);
    expect(started).toBeGreaterThanOrEqual(0);
    expect(waiting).toBeGreaterThan(started);
    expect(retrying).toBeGreaterThan(waiting);
    expect(done).toBeGreaterThan(retrying);
  });
});

describe("orch runs", () => {
  test("logs of a run that printed nothing say so", async () => {
    const done = JSON.parse((await run("run", "quiet", "--watch", "--json")).stdout);
    const logs = await run("runs", "logs", done.id);
    expect(logs.code).toBe(0);
    expect(logs.stdout).toBe("");
    expect(logs.stderr).toContain(`run ${done.id.slice(0, 8)} printed no output`);
    expect(logs.stderr).not.toContain("no output yet");
    const json = await run("runs", "logs", done.id, "--json");
    expect(JSON.parse(json.stdout)).toEqual([]);
  });

  test("inspect names the worker as the monitor does; --json keeps its id beside its name", async () => {
    const done = JSON.parse((await run("run", "quiet", "--watch", "--json")).stdout);
    const shown = await run("runs", "inspect", done.id);
    expect(shown.stdout).toMatch(new RegExp(`^worker\\s+embedded@${hostname()}$`, "m"));
    const json = JSON.parse((await run("runs", "inspect", done.id, "--json")).stdout);
    expect(json.worker).toMatch(/^[0-9a-f-]{36}$/);
    expect(json.worker_name).toBe(`embedded@${hostname()}`);
  });
});

describe("orch events emit", () => {
  test("an event name of orch's own is refused in words, before anything is sent", async () => {
    for (const name of ["flow-run.completed", "deployment.created", "webhook.github"]) {
      const r = await run("events", "emit", name);
      expect(r.code).toBe(2);
      expect(r.stderr).toContain(
        `${name}: names starting with ${name.split(".")[0]}. are orch's own events`,
      );
      expect(r.stderr).not.toContain("request body");
    }
    const mine = await run("events", "emit", "deploy.finished", "--json");
    expect(mine.code).toBe(0);
    expect(JSON.parse(mine.stdout).name).toBe("deploy.finished");
  });
});

describe("a definition file that breaks and is fixed", () => {
  test("deployments ls marks its deployments meanwhile; headless up says when it is valid again", async () => {
    const file = join(dir, "flows/pair.yaml");
    expect(up.stderr).toContain("deployed pb");
    await Bun.write(file, `${pair("first")}  - name: pc\n    command: 5\n`);
    await up.waitFor("flows/pair.yaml is invalid");
    const broken = await run("deployments", "ls");
    expect(broken.stdout).toMatch(/^pa !\s+v1\b/m);
    expect(broken.stdout).toMatch(/^pb !\s+v1\b/m);
    expect(broken.stdout).toMatch(/^quiet\s+v1\b/m);
    expect(broken.stderr).toContain(
      "1 definition file is invalid: flows/pair.yaml; deployments marked ! run their last good version. orch deploy --check shows the problems",
    );
    const json = JSON.parse((await run("deployments", "ls", "--json")).stdout);
    expect(json.find((d: { name: string }) => d.name === "pa").source_invalid).toBe(true);
    expect(json.find((d: { name: string }) => d.name === "quiet").source_invalid).toBe(false);

    await Bun.write(file, pair("second"));
    await up.waitFor("flows/pair.yaml is valid again (deployments pa, pb updated)");
    const fixed = await run("deployments", "ls");
    expect(fixed.stdout).not.toMatch(/^\w+ !/m);
    expect(fixed.stderr).toBe("");
  });

  test("a file never valid before names the deployments it deploys once it is valid", async () => {
    const file = join(dir, "flows/late.yaml");
    await Bun.write(file, "deployments:\n  - name: good-one\n    command: 5\n");
    await up.waitFor("flows/late.yaml is invalid");
    await Bun.write(file, 'deployments:\n  - name: good-one\n    command: ["true"]\n');
    await up.waitFor("flows/late.yaml is valid again (deployment good-one deployed)");
    expect(up.stderr).toContain("deployed good-one");
  });
});
