import { writeFileSync } from "node:fs";
import { join } from "node:path";
import { afterEach, expect, test } from "vitest";
import { renderProblem } from "../../src/core/index.ts";
import {
  createDeployer,
  DEFINITION_SCHEMA,
  parseDefinitions,
} from "../../src/definitions/index.ts";
import { deploymentSpec, getDeployment, projectRetention } from "../../src/store/index.ts";
import { makeProject } from "./helpers.ts";

let cleanup = () => {};
afterEach(() => cleanup());

function parse(yaml: string) {
  const p = makeProject({ "flows/etl.yaml": yaml });
  cleanup = p.cleanup;
  return parseDefinitions(yaml, { root: p.root, path: p.path("flows/etl.yaml") });
}

test("retention: a duration or a count, for the project and per deployment", () => {
  const file = parse(`retention:
  runs: 90d
  logs: 1000
  events: 2w
deployments:
  - name: etl
    command: ["true"]
    retention: { runs: 50, logs: 7d }
`);
  expect(file.problems).toEqual([]);
  expect(file.retention).toEqual({
    runs: { max_age_ms: 90 * 86_400_000 },
    logs: { count: 1000 },
    events: { max_age_ms: 14 * 86_400_000 },
  });
  expect(file.deployments[0]!.spec.retention).toEqual({
    runs: { count: 50 },
    logs: { max_age_ms: 7 * 86_400_000 },
  });
});

test("bad retention is reported at its file:line:col, with what to write", () => {
  const problems = parse(`retention:
  runs: forever
  events: 0
  evnts: 3
deployments:
  - name: etl
    command: ["true"]
    retention: { runs: 0d, events: 5, logs: 2.5 }
`).problems.map(renderProblem);
  expect(problems).toEqual([
    expect.stringMatching(
      /^flows\/etl\.yaml:2:9: retention\.runs: "forever" is not valid: it must be a duration such as "90d" or a whole number such as 100$/,
    ),
    expect.stringMatching(/^flows\/etl\.yaml:3:11: retention\.events: 0 is not valid/),
    expect.stringMatching(
      /^flows\/etl\.yaml:4:3: retention\.evnts: unknown key \(did you mean "events"\?\)/,
    ),
    expect.stringMatching(/^flows\/etl\.yaml:8:24: retention\.runs: must be longer than 0/),
    expect.stringMatching(/^flows\/etl\.yaml:8:28: retention\.events: unknown key$/),
    expect.stringMatching(/^flows\/etl\.yaml:8:45: retention\.logs: 2\.5 is not valid/),
  ]);
});

test("orch schema publishes retention for editors", () => {
  const top = DEFINITION_SCHEMA.properties.retention as { properties: Record<string, unknown> };
  expect(Object.keys(top.properties)).toEqual(["runs", "logs", "events"]);
});

test("the project's retention is stored from its one file; a second file setting it is a problem", () => {
  const p = makeProject({
    "flows/a.yaml":
      'retention: { runs: 30d }\ndeployments:\n  - name: a\n    command: ["true"]\n    retention: { logs: 3 }\n',
    "flows/b.yaml": 'deployments:\n  - name: b\n    command: ["true"]\n',
  });
  cleanup = p.cleanup;
  const deployer = createDeployer(p.store, p.paths);
  expect(deployer.deployAll().invalid).toEqual([]);
  expect(projectRetention(p.store)).toEqual({
    spec: { runs: { max_age_ms: 30 * 86_400_000 } },
    source: "flows/a.yaml",
  });
  expect(deploymentSpec(getDeployment(p.store, "a")!).retention).toEqual({ logs: { count: 3 } });

  writeFileSync(
    join(p.root, "flows/b.yaml"),
    'retention: { runs: 1d }\ndeployments:\n  - name: b\n    command: ["true"]\n',
  );
  const report = deployer.deployAll();
  expect(report.invalid.map((f) => f.problems.map(renderProblem))).toEqual([
    [
      "flows/b.yaml: retention is also set in flows/a.yaml; set the project's retention in one file",
    ],
  ]);
  expect(projectRetention(p.store)?.source).toBe("flows/a.yaml");

  // Taken out of every file, the project keeps everything again.
  writeFileSync(join(p.root, "flows/a.yaml"), 'deployments:\n  - name: a\n    command: ["true"]\n');
  writeFileSync(join(p.root, "flows/b.yaml"), 'deployments:\n  - name: b\n    command: ["true"]\n');
  expect(deployer.deployAll().invalid).toEqual([]);
  expect(projectRetention(p.store)).toBeNull();
});
