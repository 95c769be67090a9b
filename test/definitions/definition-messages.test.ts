import { afterEach, expect, test } from "vitest";
import { renderProblem } from "../../src/core/index.ts";
import { parseDefinitions } from "../../src/definitions/index.ts";
import { makeProject } from "./helpers.ts";

let cleanup = () => {};
afterEach(() => cleanup());

function problems(yaml: string): string[] {
  const p = makeProject({ "flows/etl.yaml": yaml });
  cleanup = p.cleanup;
  return parseDefinitions(yaml, { root: p.root, path: p.path("flows/etl.yaml") }).problems.map(
    renderProblem,
  );
}

const deployment = (body: string) => `deployments:\n  - name: d\n    command: [true]\n${body}`;

test("a bare number for concurrency says how to write it", () => {
  expect(problems(deployment("    concurrency: 3\n"))).toEqual([
    "flows/etl.yaml:4:18: concurrency: must be an object, not 3; write concurrency: { limit: 3 }",
  ]);
});

test("a value near one of a key's values gets a did-you-mean, as an unknown key does", () => {
  expect(problems("work_pools:\n  - name: p\n    type: proces\n")).toEqual([
    'flows/etl.yaml:3:11: work_pools[0].type: must be one of "process", "docker", not "proces" (did you mean "process"?)',
  ]);
  // Nothing near: the values alone.
  expect(problems("work_pools:\n  - name: p\n    type: kubernetes\n")).toEqual([
    'flows/etl.yaml:3:11: work_pools[0].type: must be one of "process", "docker", not "kubernetes"',
  ]);
});

test("a parameter_schema's wrong type is named at the value, with the type meant", () => {
  expect(problems(deployment("    parameter_schema: { type: objekt }\n"))).toEqual([
    'flows/etl.yaml:4:31: parameter_schema.type: "objekt" is not a JSON Schema type (did you mean "object"?)',
  ]);
  expect(
    problems(
      deployment(
        "    parameter_schema:\n      type: object\n      properties: { day: { type: [string, nul] }, n: { type: whole } }\n",
      ),
    ),
  ).toEqual([
    'flows/etl.yaml:6:43: parameter_schema.properties.day.type[1]: "nul" is not a JSON Schema type (did you mean "null"?)',
    'flows/etl.yaml:6:62: parameter_schema.properties.n.type: "whole" is not a JSON Schema type (object, array, string, number, integer, boolean, null)',
  ]);
});

test("a definition file that is a list, or a single value, says what a file holds", () => {
  expect(problems("- name: a\n  command: [echo]\n")).toEqual([
    'flows/etl.yaml:1:1: a definition file holds "deployments:" with the list under it: write deployments: on the first line and indent the list below it',
  ]);
  expect(problems("hello\n")).toEqual([
    'flows/etl.yaml:1:1: a definition file is a map of deployments:, work_pools:, webhooks: and retention:, not "hello"',
  ]);
});

test("a webhook's secret given as a placeholder says to name the secret", () => {
  expect(
    problems('webhooks:\n  - slug: gh\n    check: github\n    secret: "{{ secrets.db_pass }}"\n'),
  ).toEqual([
    "flows/etl.yaml:4:13: webhooks[0].secret: takes the secret's name, not a placeholder: write secret: db_pass",
  ]);
  expect(problems('webhooks:\n  - slug: gh\n    check: github\n    secret: "db pass"\n')).toEqual([
    'flows/etl.yaml:4:13: webhooks[0].secret: "db pass" is not a valid secret name: use letters, digits, "_", "-" and ".", starting with a letter or digit (at most 200)',
  ]);
});

test("a placeholder written without quotes says to quote it, at the placeholder", () => {
  expect(
    problems(deployment("    env: { DAY: {{ parameters.day }} }\n    parameters: { day: x }\n")),
  ).toEqual([
    'flows/etl.yaml:4:17: env.DAY: {{ parameters.day }} needs quotes (without them YAML reads { } as a map): write "{{ parameters.day }}"',
  ]);
  expect(
    problems("deployments:\n  - name: d\n    command: [echo, {{ parameters.day }}]\n"),
  ).toEqual([
    'flows/etl.yaml:3:21: command[1]: {{ parameters.day }} needs quotes (without them YAML reads { } as a map): write "{{ parameters.day }}"',
  ]);
});
