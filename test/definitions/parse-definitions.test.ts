import { afterEach, describe, expect, test } from "vitest";
import { renderProblem } from "../../src/core/index.ts";
import { parseDefinitions } from "../../src/definitions/index.ts";
import { makeProject } from "./helpers.ts";

let cleanup = () => {};
afterEach(() => cleanup());

function parse(yaml: string, extra: Record<string, string> = {}) {
  const p = makeProject({
    "flows/etl.ts": "export default 1;\n",
    ...extra,
    "flows/etl.yaml": yaml,
  });
  cleanup = p.cleanup;
  return {
    root: p.root,
    ...parseDefinitions(yaml, { root: p.root, path: p.path("flows/etl.yaml") }),
  };
}

const problems = (yaml: string) => parse(yaml).problems.map(renderProblem);

describe("a valid file", () => {
  test("gives specs with defaults, normalised durations and the line of each deployment", () => {
    const file = parse(`deployments:
  - name: nightly-etl
    flow: ./etl.ts:named
    parameters: { day: yesterday, limit: 100 }
    schedules:
      - cron: "0 2 * * *"
        timezone: Europe/Berlin
      - interval: 15m
        parameters: { limit: 10 }
    retries: 2
    retry_delay: 30s
    timeout: 1h30m
    concurrency: { limit: 1 }
    env: { LOG_LEVEL: info, DEBUG: 1 }
  - name: backup
    command: ./backup.sh --all
`);
    expect(file.problems).toEqual([]);
    const [etl, backup] = file.deployments;
    expect(etl).toMatchObject({
      line: 2,
      spec: {
        name: "nightly-etl",
        flow: { path: "etl.ts", export: "named" },
        retries: 2,
        retry_delay_ms: 30_000,
        timeout_ms: 5_400_000,
        concurrency: { limit: 1, collision: "enqueue" },
        env: { LOG_LEVEL: "info", DEBUG: "1" },
        work_pool: "default",
        work_queue: "default",
        schedules: [
          { cron: "0 2 * * *", timezone: "Europe/Berlin", active: true, catchup: "latest" },
          { interval_ms: 900_000, timezone: "UTC", parameters: { limit: 10 } },
        ],
      },
    });
    expect(backup?.spec.command).toEqual(["sh", "-c", "./backup.sh --all"]);
    expect(backup?.line).toBe(15);
  });

  test("an anchor without an offset is a wall time in the schedule's zone", () => {
    const file = parse(`deployments:
  - name: a
    command: [true]
    schedules:
      - interval: 1d
        anchor: "2026-01-01T02:00"
        timezone: Europe/Berlin
      - interval: 1h
        anchor: "2026-01-01T02:00:00Z"
`);
    expect(file.problems).toEqual([]);
    expect(file.deployments[0]?.spec.schedules.map((s) => s.anchor)).toEqual([
      "2026-01-01T01:00:00.000Z",
      "2026-01-01T02:00:00.000Z",
    ]);
  });

  test("an empty file holds no deployments", () => {
    expect(parse("")).toMatchObject({ deployments: [], problems: [] });
  });
});

describe("problems", () => {
  test("every problem of a file is reported at once, in order, with file:line:column", () => {
    expect(
      problems(`deployments:
  - name: nightly-etl
    flow: ./etl.ts
    schedule: x
    retries: two
    retry_delay: 5 minutes
    schedules:
      - cron: "61 * * * *"
        timezone: Europe/Berlin
      - interval: 15m
        timezone: Mars/Base
    concurrency: { limit: 1, collision: queue }
`),
    ).toEqual([
      'flows/etl.yaml:4:5: schedule: unknown key (did you mean "schedules"?)',
      'flows/etl.yaml:5:14: retries: must be an integer, not "two"',
      'flows/etl.yaml:6:18: retry_delay: "5 minutes" is not valid: it must be a duration ("30s", "15m", "1h30m", "500ms", a number of seconds) or a list of them, one per retry ([10s, 1m, 5m])',
      'flows/etl.yaml:8:15: schedules[0].cron: "61 * * * *" is not a valid cron expression: Invalid value for minute: 61',
      'flows/etl.yaml:11:19: schedules[1].timezone: "Mars/Base" is not an IANA time zone (like "Europe/Berlin" or "UTC")',
      'flows/etl.yaml:12:41: concurrency.collision: must be one of "enqueue", "cancel-new", not "queue" (did you mean "enqueue"?)',
    ]);
  });

  test("a value of none of several types names each of them", () => {
    expect(
      problems(`deployments:
  - name: envy
    command: ["true"]
    env: { C: null }
`),
    ).toEqual(["flows/etl.yaml:4:15: env.C: must be a string, number or boolean, not null"]);
  });

  test("a cron expression no date matches is refused, not left to wait for ever", () => {
    expect(
      problems(`deployments:
  - name: never
    command: ["true"]
    schedules:
      - cron: "0 0 31 2 *"
`),
    ).toEqual([
      'flows/etl.yaml:5:15: schedules[0].cron: "0 0 31 2 *" is not a valid cron expression: matches no date (like February 31st), so it would never run',
    ]);
  });

  test("crontab's CRON_TZ= and @reboot are refused saying what orch has instead", () => {
    expect(
      problems(`deployments:
  - name: zoned
    command: ["true"]
    schedules:
      - cron: "CRON_TZ=Europe/Berlin 30 2 * * *"
      - cron: "@reboot"
`),
    ).toEqual([
      'flows/etl.yaml:5:15: schedules[0].cron: "CRON_TZ=Europe/Berlin 30 2 * * *" is not a valid cron expression: CRON_TZ= is crontab\'s way to set a zone, not orch\'s: write cron: "30 2 * * *" and, beside it in the same schedule, timezone: Europe/Berlin',
      "flows/etl.yaml:6:15: schedules[1].cron: \"@reboot\" is not a valid cron expression: @reboot is not supported: orch runs schedules while orch up runs and has no event for the machine's start; to run at boot, start orch up at boot (a system service), then have the system's crontab run orch run NAME after it (orch run asks the running server)",
    ]);
  });

  test("tags are capped as in the API: at most 100, each 1 to 200 characters", () => {
    const many = Array.from({ length: 101 }, (_, i) => `t${i}`).join(", ");
    const found = problems(`deployments:
  - name: a
    command: ["true"]
    tags: [${many}]
  - name: b
    command: ["true"]
    tags: ["${"x".repeat(201)}"]
`);
    expect(found.join("\n")).toMatch(/etl\.yaml:4:\d+: .*tags/);
    expect(found.join("\n")).toMatch(/etl\.yaml:7:\d+: .*tags\[0\]/);
  });

  test("a file with a problem keeps its deployments that built (checked further), and the names of the others", () => {
    const file = parse(
      'deployments:\n  - name: ok\n    command: [true]\n  - name: bad\n    retries: -1\n    flow: ./gone.ts\n    env: { K: "{{ secrets.key }}" }\n',
    );
    expect(file.deployments.map((d) => d.spec.name)).toEqual(["ok"]);
    expect(file.unbuiltReferences).toEqual([
      { kind: "secrets", name: "key", where: "flows/etl.yaml:7:15" },
    ]);
    expect(file.problems.map(renderProblem)).toEqual([
      "flows/etl.yaml:5:14: retries: must be >= 0",
      'flows/etl.yaml:6:11: flow: "./gone.ts" does not exist',
    ]);
  });

  test("YAML syntax errors carry their position", () => {
    const [problem] = problems("deployments:\n  - name: a\n    command: [true\n");
    expect(problem).toMatch(/^flows\/etl\.yaml:\d+:\d+: /);
  });

  test("paths that escape the project, or the definition's folder, are refused", () => {
    const file = parse(`deployments:
  - name: a
    flow: ../../etc/passwd
  - name: b
    command: [ls]
    cwd: ../../etc
  - name: c
    flow: /etc/passwd
  - name: d
    flow: ../outside.ts
`);
    const root = file.root;
    expect(file.problems.map(renderProblem)).toEqual([
      `flows/etl.yaml:3:11: flow: "../../etc/passwd" is outside the project; paths must stay inside ${root}`,
      `flows/etl.yaml:6:10: cwd: "../../etc" is outside the project; paths must stay inside ${root}`,
      `flows/etl.yaml:8:11: flow: "/etc/passwd" is outside the project; paths must stay inside ${root}`,
      'flows/etl.yaml:10:11: flow: "../outside.ts" is outside flows/, the folder bundled with this deployment; move the definition up or the file down',
    ]);
  });

  test("an absolute cwd names a folder of the machine that runs it, as given", () => {
    const file = parse("deployments:\n  - name: a\n    command: [ls]\n    cwd: /srv/app/../app/\n");
    expect(file.problems).toEqual([]);
    expect(file.deployments[0]!.spec.cwd).toBe("/srv/app/");
  });

  test("a deployment needs exactly one of flow and command, and the flow file must exist", () => {
    expect(
      problems(`deployments:
  - name: none
  - name: both
    flow: ./etl.ts
    command: [true]
  - name: missing
    flow: ./nope.ts
`),
    ).toEqual([
      'flows/etl.yaml:2:5: needs "flow" (a TypeScript file) or "command" to run',
      'flows/etl.yaml:3:5: has both "flow" and "command"; a deployment runs one of them',
      'flows/etl.yaml:7:11: flow: "./nope.ts" does not exist',
    ]);
  });

  test("parameters, and each schedule's merged parameters, must match the parameter schema", () => {
    expect(
      problems(`deployments:
  - name: p
    command: [echo]
    parameter_schema:
      type: object
      properties: { limit: { type: integer, minimum: 0 } }
      additionalProperties: false
    parameters: { limit: 5, extra: 1 }
    schedules:
      - interval: 1h
        parameters: { limit: -1 }
`),
    ).toEqual([
      "flows/etl.yaml:8:29: parameters.extra: is not in the parameter_schema",
      "flows/etl.yaml:11:30: schedules[0].parameters.limit: must be >= 0",
    ]);
  });

  test("a required parameter need not have a default, unless a schedule's runs would lack it", () => {
    const deployment = (name: string, schedules: string) => `  - name: ${name}
    command: "echo {{ parameters.city }}"
    parameter_schema: { type: object, required: [city], properties: { city: { type: string } } }
${schedules}`;
    expect(
      problems(`deployments:
${deployment("by-hand", "")}
${deployment("each-gives-it", "    schedules:\n      - { interval: 1h, parameters: { city: Oslo } }\n")}
${deployment("one-lacks-it", "    schedules:\n      - { interval: 1h, parameters: { city: Rome } }\n      - { cron: '0 * * * *' }\n")}`),
    ).toEqual([
      "flows/etl.yaml:17:9: schedules[1]: its runs would have no parameter \"city\", which the parameter_schema requires: give it in parameters, the deployment's or this schedule's",
    ]);
  });

  test("a parameter_schema that is not a valid JSON Schema says so, at the wrong value", () => {
    expect(
      problems(`deployments:
  - name: p
    command: [echo]
    parameter_schema:
      type: object
      properties: { limit: { type: integer, minimum: "zero" } }
`),
    ).toEqual([
      'flows/etl.yaml:6:54: parameter_schema.properties.limit.minimum: must be a number, not "zero"',
    ]);
  });

  test("a command's placeholders must name a parameter the deployment knows (each at its argument)", () => {
    expect(
      problems(`deployments:
  - name: p
    command: ["echo", "{{ parameters.nmae }}", "{{ parameter.x }}", "{{ parameters.name }}"]
    parameters: { name: x }
  - name: q
    command: "echo {{ parameters.limit }}"
    parameter_schema: { type: object, properties: { limit: { type: integer } } }
`),
    ).toEqual([
      'flows/etl.yaml:3:23: command[1]: {{ parameters.nmae }} names no parameter (did you mean "name"?): give it a default in parameters, or declare it in parameter_schema',
      "flows/etl.yaml:3:48: command[2]: {{ parameter.x }} cannot be filled: only {{ parameters.NAME }} and {{ run.scheduled_at }} can",
    ]);
  });

  test("a trigger on one of orch's own events must name a real event and its keys", () => {
    expect(
      problems(`deployments:
  - name: t
    command: [true]
    triggers:
      - on: flow-run.completd
      - on: flow-run.completed
        match: { deploymnt: ingest }
      - on: webhook.deploy
        match: { anything: goes }
      - on: deployment.*
        match: { version: "2" }
      - on: custom.x
        parameters: { a: "{{ evnt.payload.d }}", b: "{{ event.payload.d }", c: "ok {{ event.resource }}" }
      - on: ""
`),
    ).toEqual([
      'flows/etl.yaml:5:13: triggers[0].on: "flow-run.completd" is not an event orch emits (did you mean "flow-run.completed"?)',
      'flows/etl.yaml:7:18: triggers[1].match.deploymnt: flow-run.completed events have no "deploymnt" (did you mean "deployment"?); they have resource, deployment, state, state_name, message',
      "flows/etl.yaml:13:26: triggers[4].parameters.a: {{ evnt.payload.d }} cannot be filled: a trigger takes {{ event.resource }}, {{ event.name }}, {{ event.id }}, {{ event.payload.KEY }}, {{ trigger.deployment }}, {{ trigger.name }} or {{ message }}",
      'flows/etl.yaml:13:53: triggers[4].parameters.b: "{{ event.payload.d }" has an unclosed {{ or a stray }}',
      "flows/etl.yaml:14:13: triggers[5].on: must not be empty",
    ]);
  });

  test("work pools: names, limits and queues are checked, each set once", () => {
    expect(
      problems(`work_pools:
  - name: gpu
    concurrency: 0
    queues:
      - { name: a, priority: 1 }
      - { name: a }
  - name: gpu
  - name: "bad pool"
`),
    ).toEqual([
      "flows/etl.yaml:3:18: work_pools[0].concurrency: must be >= 1",
      'flows/etl.yaml:6:17: work_pools[0].queues[1].name: queue "a" is set twice in this pool',
      'flows/etl.yaml:7:11: work_pools[1].name: work pool "gpu" is set twice in this file',
      'flows/etl.yaml:8:11: work_pools[2].name: "bad pool" is not valid: it must start with a letter or digit and hold only letters, digits, ".", "_" and "-"',
    ]);
  });

  test("a schedule has exactly one kind, and a name is used once per file", () => {
    expect(
      problems(`deployments:
  - name: a
    command: [true]
    schedules:
      - cron: "* * * * *"
        interval: 1m
      - timezone: UTC
  - name: a
    command: [true]
`),
    ).toEqual([
      "flows/etl.yaml:5:9: schedules[0]: has cron and interval; a schedule has exactly one",
      'flows/etl.yaml:7:9: schedules[1]: needs one of "cron", "interval" or "rrule"',
      'flows/etl.yaml:8:11: name: deployment "a" is defined twice in this file (first at line 2)',
    ]);
  });
});

test("a mistyped time zone gets a guess", () => {
  expect(
    problems(`deployments:
  - name: d
    command: [true]
    schedules:
      - { cron: "30 9 * * 1-5", timezone: Europe/Berlim }
`),
  ).toEqual([
    'flows/etl.yaml:5:43: schedules[0].timezone: "Europe/Berlim" is not an IANA time zone (did you mean "Europe/Berlin"?)',
  ]);
});

test("a zone in the wrong case is taken; a near miss in any case is refused where it is written, with a guess", () => {
  expect(
    problems(`deployments:
  - name: d
    command: [true]
    schedules:
      - { cron: "30 9 * * 1-5", timezone: europe/berlin }
      - cron: "30 9 * * 1-5"
        timezone: europe/berlim
`),
  ).toEqual([
    'flows/etl.yaml:7:19: schedules[1].timezone: "europe/berlim" is not an IANA time zone (did you mean "Europe/Berlin"?)',
  ]);
});

test("a year written as a sixth cron field is refused saying that a sixth field is seconds, first", () => {
  expect(
    problems(`deployments:
  - name: d
    command: [true]
    schedules:
      - cron: "30 9 * * 1-5 2027"
`),
  ).toEqual([
    'flows/etl.yaml:5:15: schedules[0].cron: "30 9 * * 1-5 2027" is not a valid cron expression: Invalid value for dayOfWeek: 2027: a sixth field is seconds, written first (second minute hour day month weekday), and orch has no year field; write the 5 fields "30 9 * * 1-5"',
  ]);
});

test("an env variable orch sets for every run is refused at its key: the run would never see its value", () => {
  expect(
    problems(`deployments:
  - name: a
    command: ["env"]
    env:
      MINE: yes
      ORCH_RUN_ID: fake
      ORCH_PARAM_day: monday
`),
  ).toEqual([
    expect.stringMatching(
      /etl\.yaml:6:7: env\.ORCH_RUN_ID: ORCH_RUN_ID is set by orch for every run, so this value would never be seen: name the variable otherwise$/,
    ),
    expect.stringMatching(/etl\.yaml:7:7: env\.ORCH_PARAM_day: ORCH_PARAM_day is set by orch/),
  ]);
});
