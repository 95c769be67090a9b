import { mkdirSync, readFileSync, writeFileSync } from "node:fs";
import { dirname, join, resolve } from "node:path";
import { expect, test } from "vitest";
import { INIT_FILES } from "../../src/cli/init-templates.ts";
import { projectPaths } from "../../src/core/index.ts";
import { createDeployer, DEFINITION_SCHEMA } from "../../src/definitions/index.ts";
import { getDeployment, openStore } from "../../src/store/index.ts";
import { tempDir } from "../helpers.ts";

const repo = resolve(import.meta.dirname, "../..");

test("the example flows are the ones orch init writes, and they deploy without a problem", () => {
  for (const [path, content] of Object.entries(INIT_FILES)) {
    if (path.startsWith("flows/")) expect(readFileSync(join(repo, path), "utf8")).toBe(content);
  }
  const store = openStore(":memory:");
  const report = createDeployer(store, projectPaths(repo, {})).check();
  store.close();
  expect(report.invalid).toEqual([]);
  expect(report.created.sort()).toEqual(["etl", "hello"]);
});

test("orch.schema.json is the published schema", () => {
  expect(JSON.parse(readFileSync(join(repo, "orch.schema.json"), "utf8"))).toEqual(
    DEFINITION_SCHEMA,
  );
});

test("a file added to the example project makes no new version of its examples", () => {
  const t = tempDir();
  for (const [path, content] of Object.entries(INIT_FILES)) {
    mkdirSync(dirname(join(t.dir, path)), { recursive: true });
    writeFileSync(join(t.dir, path), content);
  }
  const store = openStore(":memory:");
  try {
    const deployer = createDeployer(store, projectPaths(t.dir, {}));
    expect(deployer.deployAll().created.sort()).toEqual(["etl", "hello"]);
    mkdirSync(join(t.dir, "flows/reports"));
    writeFileSync(join(t.dir, "flows/reports/notes.md"), "# notes\n");
    writeFileSync(join(t.dir, "flows/data.csv"), "a,b\n1,2\n");
    const again = deployer.deployAll();
    expect(again.updated).toEqual([]);
    expect(getDeployment(store, "hello")?.version).toBe(1);
    expect(getDeployment(store, "etl")?.version).toBe(1);
  } finally {
    store.close();
    t.cleanup();
  }
});
