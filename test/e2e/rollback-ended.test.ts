import { mkdirSync, symlinkSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { afterAll, beforeAll, expect, test } from "vitest";
import type { DeploymentDetail, DeployReport, RunJson } from "../../src/client/index.ts";
import { orch, projectServer, tempDir } from "../helpers.ts";
import { createMarker } from "../processes.ts";

/**
 * `orch deploy` through a running server, when it ends a rollback: its report's rollbacks_ended,
 * its warning, and the server's log. The definition is a link to a file of the project outside flows/:
 * the watcher does not see an edit of it, so the deploy the user asks for is the one that finds it.
 */

let dir: string;
let cleanup: () => void;
const marker = createMarker("rollback-ended");
const server = projectServer(() => dir);
const at = (...args: string[]) => orch([...args, "--dir", dir]);
/** The definition, saying `text` when it runs. */
const define = (text: string) =>
  writeFileSync(
    join(dir, "defs/ver.yaml"),
    `deployments:\n  - name: ver\n    command: ["echo", "${text}"]\n    ${marker.yaml}\n`,
  );

async function deploy(): Promise<DeployReport> {
  const r = await at("deploy", "--json");
  expect(r.code, r.stderr).toBe(0);
  return JSON.parse(r.stdout);
}

async function runIt(): Promise<string> {
  const r = await at("run", "ver", "--watch", "--json");
  const ended = JSON.parse(r.stdout) as RunJson;
  expect(ended.state).toBe("COMPLETED");
  return (await at("runs", "logs", ended.id)).stdout.trim();
}

const inspect = async (): Promise<DeploymentDetail> =>
  JSON.parse((await at("deployments", "inspect", "ver", "--json")).stdout);

beforeAll(async () => {
  ({ dir, cleanup } = tempDir("orch-rollback-ended-"));
  mkdirSync(join(dir, "flows"));
  mkdirSync(join(dir, "defs"));
  define("one");
  symlinkSync("../defs/ver.yaml", join(dir, "flows/ver.yaml"));
  await server.start();
});

afterAll(async () => {
  await server.stop();
  marker.kill();
  cleanup();
});

test("a deploy through the running server that ends a rollback says so: in its report, its output and the server's log", async () => {
  define("two");
  expect(await deploy()).toMatchObject({ updated: ["ver"], rollbacks_ended: [] });
  expect((await inspect()).version).toBe(2);
  expect((await at("deployments", "rollback", "ver")).code).toBe(0);
  expect(await runIt()).toBe("one");

  // A change while rolled back: a new version, after the newest, active; the rollback is over.
  define("three");
  expect(await deploy()).toMatchObject({
    updated: ["ver"],
    rollbacks_ended: [{ name: "ver", was: 1, version: 3 }],
  });
  const d = await inspect();
  expect(d).toMatchObject({ version: 3, rolled_back: false });
  expect(await runIt()).toBe("three");
  // orch up's log says so too, as it does for a rollback its watcher ends.
  await server.waitForLog(
    "ver: its rollback to v1 ended, its files changed and v3 is active now (orch deployments inspect ver shows what changed; orch deployments rollback ver --to 1 goes back)",
  );

  // Said to a person too, on stderr, by the deploy that ended it.
  expect((await at("deployments", "rollback", "ver", "--to", "2")).code).toBe(0);
  define("four");
  const human = await at("deploy");
  expect(human.code, human.stderr).toBe(0);
  expect(human.stderr).toContain(
    "ver: its rollback to v2 ended, its files changed and v4 is active now (orch deployments inspect ver shows what changed; orch deployments rollback ver --to 2 goes back)",
  );
  expect(await runIt()).toBe("four");
});
