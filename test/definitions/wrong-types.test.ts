import { afterAll, beforeAll, describe, expect, test } from "vitest";
import { renderProblem } from "../../src/core/index.ts";
import { parseDefinitions } from "../../src/definitions/index.ts";
import { DEFINITION_SCHEMA } from "../../src/definitions/schema.ts";
import { makeProject } from "./helpers.ts";

let project: ReturnType<typeof makeProject>;
beforeAll(() => {
  project = makeProject({ "flows/etl.ts": "export default 1;\n" });
});
afterAll(() => project.cleanup());

const parse = (yaml: string) =>
  parseDefinitions(yaml, { root: project.root, path: project.path("flows/etl.yaml") });

/** Values of every YAML shape, each wrong for most keys. */
const WRONG = [
  "[1, 2]",
  "[a, b]",
  "[]",
  "[{ a: 1 }]",
  "{ a: 1 }",
  "{}",
  "7",
  "-1",
  "1.5",
  "true",
  "null",
  '""',
  "x",
];

type Schema = { properties?: Record<string, Schema>; items?: Schema };
const keysOf = (schema: Schema | undefined) =>
  Object.keys(schema?.properties ?? schema?.items?.properties ?? {});
const SCHEMA = DEFINITION_SCHEMA as unknown as Schema;
const DEPLOYMENT = SCHEMA.properties!.deployments!.items!;
const TRIGGER = DEPLOYMENT.properties!.triggers!;
const deployment = (body: string) => `deployments:\n  - name: d\n    command: [true]\n${body}`;

/** Each key of each part of a definition, and a file that sets it to a value. */
const PLACES: [string, string[], (key: string, value: string) => string][] = [
  [
    "a deployment",
    keysOf(DEPLOYMENT).filter((k) => k !== "command" && k !== "flow"),
    (k, v) => deployment(`    ${k}: ${v}\n`),
  ],
  [
    "a cron schedule",
    keysOf(DEPLOYMENT.properties!.schedules),
    (k, v) => deployment(`    schedules:\n      - { cron: "0 * * * *", ${k}: ${v} }\n`),
  ],
  [
    "an interval schedule",
    keysOf(DEPLOYMENT.properties!.schedules),
    (k, v) => deployment(`    schedules:\n      - { interval: 1h, ${k}: ${v} }\n`),
  ],
  [
    "a trigger",
    keysOf(TRIGGER),
    (k, v) => deployment(`    triggers:\n      - { on: custom.x, ${k}: ${v} }\n`),
  ],
  [
    "a join",
    keysOf(TRIGGER),
    (k, v) => deployment(`    triggers:\n      - { after: custom.x, ${k}: ${v} }\n`),
  ],
  [
    "a trigger's files",
    keysOf(TRIGGER.items?.properties?.files),
    (k, v) => deployment(`    triggers:\n      - files: { folder: in, ${k}: ${v} }\n`),
  ],
  [
    "notify",
    keysOf(DEPLOYMENT.properties!.notify),
    (k, v) => deployment(`    notify: { webhook: "http://127.0.0.1:9", ${k}: ${v} }\n`),
  ],
  [
    "job_variables",
    keysOf(DEPLOYMENT.properties!.job_variables),
    (k, v) => deployment(`    job_variables: { ${k}: ${v} }\n`),
  ],
  ["retention", keysOf(SCHEMA.properties!.retention), (k, v) => `retention: { ${k}: ${v} }\n`],
  [
    "a work pool",
    keysOf(SCHEMA.properties!.work_pools),
    (k, v) => `work_pools:\n  - { name: p, ${k}: ${v} }\n`,
  ],
  [
    "a webhook",
    keysOf(SCHEMA.properties!.webhooks),
    (k, v) => `webhooks:\n  - { slug: s, ${k}: ${v} }\n`,
  ],
  ["the file", keysOf(SCHEMA), (k, v) => `${k}: ${v}\n`],
];

describe("a value of the wrong type, for any key", () => {
  test.each(PLACES)("of %s is a problem with file:line:column, never a crash", (_, keys, file) => {
    expect(keys.length).toBeGreaterThan(0);
    for (const key of keys) {
      for (const value of WRONG) {
        let problems: string[] = [];
        expect(() => {
          problems = parse(file(key, value)).problems.map(renderProblem);
        }, `${key}: ${value}`).not.toThrow();
        for (const p of problems)
          expect(p, `${key}: ${value}`).toMatch(/^flows\/etl\.yaml:\d+:\d+: /);
      }
    }
  });
});

describe("retry_delay", () => {
  test("a list is a wait per retry (the last repeats); the run's one delay is its first", () => {
    const file = parse(deployment("    retries: 4\n    retry_delay: [2s, 4s, 8s]\n"));
    expect(file.problems).toEqual([]);
    expect(file.deployments[0]!.spec).toMatchObject({
      retries: 4,
      retry_delay_ms: 2000,
      retry_delays_ms: [2000, 4000, 8000],
    });
    const one = parse(deployment("    retry_delay: [30s]\n")).deployments[0]!.spec;
    expect(one.retry_delay_ms).toBe(30_000);
    expect(one.retry_delays_ms).toBeUndefined();
  });

  test("every wrong shape is refused where it is, one problem for one mistake", () => {
    const problems = (value: string) =>
      parse(deployment(`    retry_delay: ${value}\n`)).problems.map(renderProblem);
    const shape =
      'is not valid: it must be a duration ("30s", "15m", "1h30m", "500ms", a number of seconds) or a list of them, one per retry ([10s, 1m, 5m])';
    // A list with one wrong duration: that duration, not the list as well.
    expect(problems("[2s, soon]")).toEqual([
      'flows/etl.yaml:4:23: retry_delay[1]: "soon" is not a duration of at most 100 years (try "30s", "15m" or "1h30m")',
    ]);
    expect(problems("[]")).toEqual([`flows/etl.yaml:4:18: retry_delay: [] ${shape}`]);
    expect(problems("{ a: 1 }")).toEqual([`flows/etl.yaml:4:18: retry_delay: {"a":1} ${shape}`]);
  });

  test("a duration past 100 years is refused where it is, as a number or as text", () => {
    const problems = (yaml: string) => parse(deployment(yaml)).problems.map(renderProblem);
    expect(problems("    retries: 1\n    retry_delay: 1e20\n")).toEqual([
      'flows/etl.yaml:5:18: retry_delay: 100000000000000000000 is not valid: it must be a duration ("30s", "15m", "1h30m", "500ms", a number of seconds) or a list of them, one per retry ([10s, 1m, 5m])',
    ]);
    expect(problems("    timeout: 99999d\n")).toEqual([
      'flows/etl.yaml:4:14: timeout: "99999d" is not a duration of at most 100 years (try "30s", "15m" or "1h30m")',
    ]);
    expect(problems("    timeout: 36500d\n")).toEqual([]);
  });
});
