import { renameSync, rmSync, writeFileSync } from "node:fs";
import { afterEach, expect, test } from "vitest";
import {
  createDeployer,
  type DeployReport,
  watchDefinitions,
} from "../../src/definitions/index.ts";
import { getDeployment } from "../../src/store/index.ts";
import { makeProject } from "./helpers.ts";

let cleanups: (() => void | Promise<void>)[] = [];
afterEach(async () => {
  for (const c of cleanups.reverse()) await c();
  cleanups = [];
});

const def = (name: string, arg: string) =>
  `deployments:\n  - name: ${name}\n    command: [echo, ${arg}]\n`;

async function watched(files: Record<string, string>) {
  const p = makeProject(files);
  cleanups.push(p.cleanup);
  const deployer = createDeployer(p.store, p.paths);
  deployer.deployAll();
  const reports: DeployReport[] = [];
  let notify = () => {};
  const stop = await watchDefinitions(p.paths.flows, deployer, {
    onReport: (r) => {
      reports.push(r);
      notify();
    },
    onError: (e) => {
      throw e;
    },
  });
  cleanups.push(stop);
  /** The next report, within 2 s. */
  const next = () =>
    new Promise<DeployReport>((resolve, reject) => {
      const timer = setTimeout(() => reject(new Error("no redeploy within 2 s")), 2000);
      notify = () => {
        clearTimeout(timer);
        resolve(reports.at(-1)!);
      };
    });
  return { ...p, reports, next };
}

test("a burst of saves comes out as one redeploy", async () => {
  const p = await watched({ "flows/a.yaml": def("a", "v1") });
  const report = p.next();
  for (let i = 2; i <= 6; i++) writeFileSync(p.path("flows/a.yaml"), def("a", `v${i}`));
  expect((await report).updated).toEqual(["a"]);
  expect(getDeployment(p.store, "a")).toMatchObject({ version: 2 });
  expect(JSON.parse(getDeployment(p.store, "a")!.spec).command).toEqual(["echo", "v6"]);
  await new Promise((r) => setTimeout(r, 150));
  expect(p.reports).toHaveLength(1);
});

test("a write to a temp file renamed over the definition redeploys once", async () => {
  const p = await watched({ "flows/a.yaml": def("a", "v1") });
  const report = p.next();
  writeFileSync(p.path("flows/a.yaml.tmp"), def("a", "v2"));
  renameSync(p.path("flows/a.yaml.tmp"), p.path("flows/a.yaml"));
  expect((await report).updated).toEqual(["a"]);
  expect(getDeployment(p.store, "a")?.version).toBe(2);
});

test("a new file deploys, a broken one keeps the last good version, a deleted one is removed", async () => {
  const p = await watched({ "flows/a.yaml": def("a", "v1") });
  let report = p.next();
  writeFileSync(p.path("flows/b.yaml"), def("b", "v1"));
  expect((await report).created).toEqual(["b"]);

  report = p.next();
  writeFileSync(p.path("flows/b.yaml"), "deployments:\n  - name: b\n    comand: [echo]\n");
  const broken = await report;
  expect(broken.invalid[0]?.problems[0]).toEqual({
    where: "flows/b.yaml:3:5",
    message: 'comand: unknown key (did you mean "command"?)',
  });
  expect(getDeployment(p.store, "b")).toMatchObject({ version: 1, removed_at: null });

  report = p.next();
  rmSync(p.path("flows/b.yaml"));
  expect((await report).removed).toEqual(["b"]);
  expect(getDeployment(p.store, "b")?.removed_at).not.toBeNull();
});

test("a change to a flow's code redeploys the deployments of its folder", async () => {
  const p = await watched({
    "flows/etl/etl.yaml": "deployments:\n  - name: etl\n    flow: ./etl.ts\n",
    "flows/etl/etl.ts": "export default 1;\n",
    "flows/other.yaml": def("other", "x"),
  });
  const report = p.next();
  writeFileSync(p.path("flows/etl/etl.ts"), "export default 2;\n");
  const r = await report;
  expect(r.updated).toContain("etl");
  expect(getDeployment(p.store, "etl")?.version).toBe(2);
});
