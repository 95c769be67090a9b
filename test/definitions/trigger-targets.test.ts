import { rmSync } from "node:fs";
import { afterEach, expect, test } from "vitest";
import { renderProblem } from "../../src/core/index.ts";
import { createDeployer } from "../../src/definitions/index.ts";
import {
  deploymentsNaming,
  getDeploymentOrThrow,
  putSecret,
  putVariable,
} from "../../src/store/index.ts";
import { makeProject } from "./helpers.ts";

let cleanup = () => {};
afterEach(() => cleanup());

test("a trigger matching a deployment by a name no deployment has deploys, with a note and a guess; once it exists, no note", () => {
  const p = makeProject({
    "flows/ops.yaml": `deployments:
  - name: extract-a
    command: [true]
  - name: report
    command: [true]
    triggers:
      - after:
          - { on: flow-run.completed, match: { deployment: extract-a } }
          - { on: flow-run.completed, match: { deployment: extract-b } }
      - on: flow-run.failed
        match: { deployment: [extarct-a, "etl-*", "!extract-a"] }
      - on: custom.thing
        match: { deployment: not-orchs-event }
`,
  });
  cleanup = p.cleanup;
  const deployer = createDeployer(p.store, p.paths);
  const check = deployer.check();
  expect(check.invalid).toEqual([]);
  const notes = [
    'flows/ops.yaml:9:48: a trigger of report matches deployment "extract-b", which does not exist (did you mean "extract-a"?); it fires once one of that name is deployed',
    'flows/ops.yaml:11:18: a trigger of report matches deployment "extarct-a", which does not exist (did you mean "extract-a"?); it fires once one of that name is deployed',
  ];
  expect((check.notes ?? []).map(renderProblem)).toEqual(notes);
  const deployed = deployer.deployAll();
  expect(deployed.created).toEqual(["extract-a", "report"]);
  expect((deployed.notes ?? []).map(renderProblem)).toEqual(notes);
  p.write("flows/b.yaml", "deployments:\n  - name: extract-b\n    command: [true]\n");
  expect((deployer.deployAll().notes ?? []).map(renderProblem)).toEqual([notes[1]]);
});

test("a check notes a trigger on a deployment it would remove, as the deploy does", () => {
  const p = makeProject({
    "flows/a.yaml": "deployments:\n  - name: extract\n    command: [true]\n",
    "flows/b.yaml": `deployments:
  - name: report
    command: [true]
    triggers:
      - on: flow-run.completed
        match: { deployment: extract }
`,
  });
  cleanup = p.cleanup;
  const deployer = createDeployer(p.store, p.paths);
  expect(deployer.deployAll().notes ?? []).toEqual([]);
  // extract's file is gone: a deploy would remove it, and report's trigger would name nothing.
  rmSync(p.path("flows/a.yaml"));
  const note =
    'flows/b.yaml:6:18: a trigger of report matches deployment "extract", which does not exist; it fires once one of that name is deployed';
  const check = deployer.check();
  expect(check.removed).toEqual(["extract"]);
  expect((check.notes ?? []).map(renderProblem)).toEqual([note]);
  expect((deployer.deployAll().notes ?? []).map(renderProblem)).toEqual([note]);
});

test("a secret or variable named by notify: or a trigger's actions must exist, as one a run is given must, and counts as in use", () => {
  const p = makeProject({
    "flows/alerts.yaml": `deployments:
  - name: nightly
    command: [false]
    notify:
      on: [failed]
      webhook: "{{ secrets.hook }}"
    triggers:
      - on: flow-run.failed
        actions: [{ webhook: "{{ variables.alerts_url }}" }]
`,
  });
  cleanup = p.cleanup;
  const check = createDeployer(p.store, p.paths).check();
  expect(check.invalid.flatMap((f) => f.problems).map(renderProblem)).toEqual([
    'flows/alerts.yaml:6:16: no secret named "hook"; set it with orch secrets set hook',
    'flows/alerts.yaml:9:30: no variable named "alerts_url"; set it with orch variables set alerts_url VALUE',
  ]);
  // Once they exist, the file deploys, and its runs are given neither (the server reads them).
  // The names are what a deploy checks (a sealed secret's bytes are the secrets store's).
  putSecret(p.store, "hook", new Uint8Array([1, 2, 3]));
  putVariable(p.store, "alerts_url", "https://alerts.example/y");
  const deployed = createDeployer(p.store, p.paths).deployAll();
  expect(deployed.invalid).toEqual([]);
  expect(deployed.created).toEqual(["nightly"]);
  const spec = JSON.parse(getDeploymentOrThrow(p.store, "nightly").spec);
  expect(spec).not.toHaveProperty("secrets");
  expect(spec).not.toHaveProperty("variables");
  // They are in use all the same: removing one would break the alert (`orch secrets rm` asks).
  expect(deploymentsNaming(p.store, "secrets", "hook")).toEqual(["nightly"]);
  expect(deploymentsNaming(p.store, "variables", "alerts_url")).toEqual(["nightly"]);
  expect(deploymentsNaming(p.store, "secrets", "alerts_url")).toEqual([]);
});
