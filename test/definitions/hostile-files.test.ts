import { execFileSync } from "node:child_process";
import { mkdirSync, symlinkSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { afterEach, describe, expect, test } from "vitest";
import { parseDocument } from "yaml";
import { renderProblem } from "../../src/core/index.ts";
import {
  createDeployer,
  type DeployReport,
  parseDefinitions,
  watchDefinitions,
} from "../../src/definitions/index.ts";
import { readDefinitionFile } from "../../src/definitions/read-files.ts";
import { aliasProblem } from "../../src/definitions/yaml-aliases.ts";
import { getDeployment } from "../../src/store/index.ts";
import { tempDir } from "../helpers.ts";
import { makeProject } from "./helpers.ts";

let cleanups: (() => void | Promise<void>)[] = [];
afterEach(async () => {
  for (const c of cleanups.reverse()) await c();
  cleanups = [];
});

function project(files: Record<string, string>) {
  const p = makeProject(files);
  cleanups.push(p.cleanup);
  return { ...p, deployer: createDeployer(p.store, p.paths) };
}

const def = (name: string) => `deployments:\n  - name: ${name}\n    command: [echo, ${name}]\n`;

/** 1 + `count` deployments sharing one `env` block through an alias. */
function shared(count: number): string {
  let text = "deployments:\n  - name: d0\n    command: [echo]\n    env: &env { A: '1', B: '2' }\n";
  for (let i = 1; i <= count; i++) text += `  - name: d${i}\n    command: [echo]\n    env: *env\n`;
  return text;
}

/** The billion-laughs shape: nine levels, each nine aliases of the one before. */
const BOMB = [
  'a: &a ["lol","lol","lol","lol","lol","lol","lol","lol","lol"]',
  ..."bcdefghi".split("").map((n, i) => `${n}: &${n} [${Array(9).fill(`*${"abcdefghi"[i]}`)}]`),
  "deployments:",
  "  - name: bomb",
  "    command: [echo]",
  "    parameters: { x: *i }",
].join("\n");

describe("aliases", () => {
  test("150 deployments sharing a block through aliases deploy, beside the other files", () => {
    const p = project({ "flows/shared.yaml": shared(150), "flows/other.yaml": def("other") });
    const report = p.deployer.deployAll();
    expect(report.invalid).toEqual([]);
    expect(report.created).toHaveLength(152);
    expect(JSON.parse(getDeployment(p.store, "d150")!.spec).env).toEqual({ A: "1", B: "2" });
  });

  test("a billion-laughs file is refused at its alias, and the other files deploy", () => {
    const p = project({ "flows/bomb.yaml": BOMB, "flows/other.yaml": def("other") });
    const report = p.deployer.deployAll();
    expect(report.created).toEqual(["other"]);
    expect(report.invalid).toHaveLength(1);
    expect(report.invalid[0]!.problems.map(renderProblem)).toEqual([
      expect.stringMatching(
        /^flows\/bomb\.yaml:6:\d+: aliases expand this file past 100,000 values \(\*e is [\d,]+ of them\); .*alias bombs/,
      ),
    ]);
    // `deploy --check` reports it the same way.
    expect(createDeployer(p.store, p.paths).check().invalid).toEqual(report.invalid);
  });

  test("the budget counts expanded values: up to it is fine, one more is refused", () => {
    // *b is 1 + 3 values (a list of three *a), so six of them add 24.
    const text = (n: number) =>
      `a: &a x\nb: &b [*a, *a, *a]\nc: [${Array(n).fill("*b").join(", ")}]\n`;
    expect(aliasProblem(parseDocument(text(6)), 27)).toBeUndefined();
    expect(aliasProblem(parseDocument(text(6)), 26)).toMatchObject({
      offset: text(6).lastIndexOf("*b"),
      message: expect.stringMatching(/past 26 values \(\*b is 4 of them\)/),
    });
  });

  test("an alias inside the node it names, or naming no anchor, is a problem with its place", () => {
    const parse = (text: string) =>
      parseDefinitions(text, { root: "/p", path: "/p/flows/a.yaml" }).problems.map(renderProblem);
    expect(parse("deployments:\n  - &d\n    name: a\n    command: [echo]\n    env: *d\n")).toEqual([
      "flows/a.yaml:5:10: alias *d is inside the node it names",
    ]);
    expect(parse("deployments:\n  - name: a\n    command: *nope\n")).toEqual([
      "flows/a.yaml:3:14: alias *nope names no anchor (&nope) before it",
    ]);
  });
});

describe("special files in flows/", () => {
  test("a FIFO, a link to /dev/zero and a link out of the project are skipped with a warning", () => {
    const outside = tempDir();
    cleanups.push(outside.cleanup);
    writeFileSync(join(outside.dir, "out.yaml"), def("outside"));
    const p = project({ "flows/good.yaml": def("good") });
    execFileSync("mkfifo", [p.path("flows/pipe.yaml")]);
    symlinkSync("/dev/zero", p.path("flows/zero.yaml"));
    symlinkSync(join(outside.dir, "out.yaml"), p.path("flows/out.yml"));
    const report = p.deployer.deployAll();
    expect(report.created).toEqual(["good"]);
    expect(report.invalid).toEqual([]);
    expect(report.warnings.map(renderProblem)).toEqual([
      expect.stringMatching(
        /^flows\/out\.yml: is a symbolic link to .*\/out\.yaml, outside the project; orch reads definition files only from inside the project/,
      ),
      "flows/pipe.yaml: is a named pipe (FIFO); orch reads definition files only from regular files",
      expect.stringMatching(/^flows\/zero\.yaml: is a symbolic link to \/dev\/zero, outside/),
    ]);
    expect(p.deployer.check().warnings).toEqual(report.warnings);
  });

  test("a file over the size cap is a problem of that file that says the cap", () => {
    const big = `${def("big")}# ${"x".repeat(256 * 1024)}\n`;
    const p = project({ "flows/big.yaml": big, "flows/good.yaml": def("good") });
    const report = p.deployer.deployAll();
    expect(report.created).toEqual(["good"]);
    expect(report.invalid).toEqual([
      {
        file: "flows/big.yaml",
        problems: [
          {
            where: "flows/big.yaml",
            message: `is ${big.length.toLocaleString("en-US")} bytes, over the cap of 256 KiB for a definition file; split it into smaller files`,
          },
        ],
      },
    ]);
  });

  test("devices and directories are never opened; a missing file is gone", () => {
    const p = project({});
    mkdirSync(p.path("flows/dir.yaml"), { recursive: true });
    symlinkSync("nowhere.yaml", p.path("flows/dangling.yaml"));
    expect(readDefinitionFile(p.path("flows/dir.yaml"), p.root)).toEqual({
      skipped: "is a directory; orch reads definition files only from regular files",
    });
    expect(readDefinitionFile(p.path("flows/dangling.yaml"), p.root)).toEqual({
      skipped: "is a symbolic link to nowhere.yaml, which does not exist",
    });
    expect(readDefinitionFile(p.path("flows/none.yaml"), p.root)).toEqual({ gone: true });
    // A device inside the project (as if it were one) is still not a regular file.
    expect(readDefinitionFile("/dev/zero", "/")).toEqual({
      skipped: "is a character device; orch reads definition files only from regular files",
    });
  });
});

describe("one rule at start and at watch", () => {
  async function watched(p: ReturnType<typeof project>) {
    const reports: DeployReport[] = [];
    let notify = () => {};
    const stop = await watchDefinitions(p.paths.flows, p.deployer, {
      onReport: (r) => {
        reports.push(r);
        notify();
      },
      onError: (e) => {
        throw e;
      },
    });
    cleanups.push(stop);
    const next = () =>
      new Promise<DeployReport>((resolve, reject) => {
        const timer = setTimeout(() => reject(new Error("no redeploy within 5 s")), 5000);
        notify = () => {
          clearTimeout(timer);
          resolve(reports.at(-1)!);
        };
      });
    return { reports, next };
  }

  test("a link that stays in the project is followed and one that leaves it is skipped, at start, at watch and at the next start", async () => {
    const outside = tempDir();
    cleanups.push(outside.cleanup);
    writeFileSync(join(outside.dir, "out1.yaml"), def("out1"));
    writeFileSync(join(outside.dir, "out2.yaml"), def("out2"));
    const p = project({ "shared/in1.yaml": def("in1"), "shared/in2.yaml": def("in2") });
    mkdirSync(p.paths.flows);
    symlinkSync(p.path("shared/in1.yaml"), p.path("flows/in1.yaml"));
    symlinkSync(join(outside.dir, "out1.yaml"), p.path("flows/out1.yaml"));

    const start = p.deployer.deployAll();
    expect(start.created).toEqual(["in1"]);
    expect(start.warnings.map((w) => w.where)).toEqual(["flows/out1.yaml"]);

    const w = await watched(p);
    const report = w.next();
    symlinkSync(join(outside.dir, "out2.yaml"), p.path("flows/out2.yaml"));
    symlinkSync("../shared/in2.yaml", p.path("flows/in2.yaml"));
    const changed = await report;
    expect(changed.created).toEqual(["in2"]);
    expect(changed.warnings.map((w) => w.where)).toEqual(["flows/out2.yaml"]);
    expect(getDeployment(p.store, "out2")).toBeNull();
    // The links found by the watcher's first scan are not a change.
    expect(w.reports).toHaveLength(1);

    const restart = createDeployer(p.store, p.paths).deployAll();
    expect(restart.unchanged.sort()).toEqual(["in1", "in2"]);
    expect(restart.removed).toEqual([]);
    expect(restart.warnings.map((w) => w.where)).toEqual(["flows/out1.yaml", "flows/out2.yaml"]);
  });

  test("a file in a hidden folder is not a definition, at start or at watch", async () => {
    const p = project({ "flows/a.yaml": def("a"), "flows/.drafts/b.yaml": def("b") });
    expect(p.deployer.deployAll().created).toEqual(["a"]);
    const w = await watched(p);
    const report = w.next();
    writeFileSync(p.path("flows/.drafts/c.yaml"), def("c"));
    expect((await report).created).toEqual([]);
    expect(getDeployment(p.store, "c")).toBeNull();
  });
});

test("one save of a broken file is reported once, not again with every other save", () => {
  const p = makeProject({ "flows/bomb.yaml": BOMB, "flows/a.yaml": def("a") });
  cleanups.push(p.cleanup);
  const deployer = createDeployer(p.store, p.paths);
  expect(deployer.deployAll().invalid.map((b) => b.file)).toEqual(["flows/bomb.yaml"]);
  // Another file saved: the broken one is checked again, but its problems did not change.
  writeFileSync(p.path("flows/b.yaml"), def("b"));
  const other = deployer.deployChanged([p.path("flows/b.yaml")]);
  expect(other.created).toEqual(["b"]);
  expect(other.invalid).toEqual([]);
  // Saved itself, it is reported again.
  writeFileSync(p.path("flows/bomb.yaml"), BOMB);
  expect(deployer.deployChanged([p.path("flows/bomb.yaml")]).invalid).toHaveLength(1);
  // A re-checked file whose problems changed is reported again: c.yaml clashes with a third file.
  writeFileSync(p.path("flows/c.yaml"), def("a"));
  const clash = deployer.deployChanged([p.path("flows/c.yaml")]);
  expect(clash.invalid.map((b) => b.file)).toEqual(["flows/c.yaml"]);
  writeFileSync(p.path("flows/e.yaml"), def("a"));
  const third = deployer.deployChanged([p.path("flows/e.yaml")]);
  expect(third.invalid.map((b) => b.file).sort()).toEqual(["flows/c.yaml", "flows/e.yaml"]);
  expect(renderProblem(third.invalid.find((b) => b.file === "flows/c.yaml")!.problems[0]!)).toMatch(
    /also defined at flows\/a\.yaml:2:\d+, flows\/e\.yaml:2:\d+/,
  );
});
