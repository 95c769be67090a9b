import { mkdirSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { afterEach, expect, test } from "vitest";
import { createDeployer } from "../../src/definitions/index.ts";
import { getDeployment } from "../../src/store/index.ts";
import { tempDir } from "../helpers.ts";
import { makeProject } from "./helpers.ts";

const cleanups: (() => void)[] = [];
afterEach(() => {
  for (const c of cleanups.splice(0)) c();
});

/** A project with these definition files, deployed once; and a real folder and file outside it. */
function deployed(files: Record<string, string>) {
  const outside = tempDir();
  mkdirSync(join(outside.dir, "app"));
  writeFileSync(join(outside.dir, "notes.txt"), "a file\n");
  const p = makeProject(files);
  cleanups.push(p.cleanup, outside.cleanup);
  const report = createDeployer(p.store, p.paths).deployAll();
  return { ...p, report, outside: outside.dir };
}

const at = (name: string, cwd: string, pool?: string) => `  - name: ${name}
    command: [pwd]
    cwd: ${cwd}
${pool ? `    work_pool: ${pool}\n` : ""}`;

test("an absolute cwd of a deployment orch up runs here must be a folder, said at its file:line:column", () => {
  const outside = tempDir();
  cleanups.push(outside.cleanup);
  const missing = join(outside.dir, "gone");
  const file = join(outside.dir, "notes.txt");
  writeFileSync(file, "a file\n");
  const p = makeProject({
    "flows/jobs.yaml": `work_pools:
  - name: nearby
    embedded_worker: true
deployments:
${at("a", missing)}${at("b", file)}${at("c", missing, "nearby")}`,
  });
  cleanups.push(p.cleanup);
  const report = createDeployer(p.store, p.paths).deployAll();
  expect(report.created).toEqual([]);
  expect(report.invalid).toEqual([
    {
      file: "flows/jobs.yaml",
      problems: [
        {
          where: "flows/jobs.yaml:7:10",
          message: `cwd: "${missing}" does not exist; orch up's worker runs the default pool's deployments here, on this machine: create the folder (then save this file again, or run orch deploy), or set work_pool: to a pool whose workers have it`,
        },
        {
          where: "flows/jobs.yaml:10:10",
          message: `cwd: "${file}" is a file, not a folder; orch up's worker runs the default pool's deployments here, on this machine: name the folder the command works in`,
        },
        {
          where: "flows/jobs.yaml:13:10",
          message: `cwd: "${missing}" does not exist; orch up's worker runs pool nearby here (embedded_worker: true), on this machine: create the folder (then save this file again, or run orch deploy), or set work_pool: to a pool whose workers have it`,
        },
      ],
    },
  ]);
  expect(getDeployment(p.store, "a")).toBeNull();
});

test("a cwd of another machine, a container or a placeholder is left to the run; a folder here is taken", () => {
  const p = deployed({
    "flows/pools.yaml": `work_pools:
  - name: remote
  - name: boxes
    type: docker
    job: { image: "busybox:latest" }
`,
    // The default pool's deployments (and the pools declared in another file) are judged alike.
    "flows/jobs.yaml": `deployments:
${at("remote", "/srv/only-on-the-worker", "remote")}${at("boxed", "/work", "boxes")}${at("templated", "/data/{{ parameters.day }}")}${at("env", "$HOME/app")}`,
  });
  expect(p.report.invalid).toEqual([]);
  expect(p.report.created.sort()).toEqual(["boxed", "env", "remote", "templated"]);

  p.write("flows/here.yaml", `deployments:\n${at("here", join(p.outside, "app"))}`);
  const again = createDeployer(p.store, p.paths).deployAll();
  expect(again.invalid).toEqual([]);
  expect(getDeployment(p.store, "here")).toMatchObject({ version: 1 });
});
