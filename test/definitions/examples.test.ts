import { readFileSync } from "node:fs";
import { join, resolve } from "node:path";
import { expect, test } from "vitest";
import { INIT_FILES } from "../../src/cli/init-templates.ts";
import { projectPaths } from "../../src/core/index.ts";
import { createDeployer, DEFINITION_SCHEMA } from "../../src/definitions/index.ts";
import { openStore } from "../../src/store/index.ts";

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
