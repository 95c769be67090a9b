import { afterEach, describe, expect, test } from "vitest";
import { renderProblem } from "../../src/core/index.ts";
import { parseDefinitions } from "../../src/definitions/index.ts";
import { makeProject } from "./helpers.ts";

let cleanup = () => {};
afterEach(() => cleanup());

function parse(yaml: string) {
  const p = makeProject({ "flows/etl.yaml": yaml });
  cleanup = p.cleanup;
  return parseDefinitions(yaml, { root: p.root, path: p.path("flows/etl.yaml") });
}
const problems = (yaml: string) => parse(yaml).problems.map(renderProblem);

describe("automation keys of a trigger", () => {
  test("every form becomes a trigger spec: match patterns, threshold, sequences, proactive, actions, notify", () => {
    const file = parse(`deployments:
  - name: watch
    command: [true]
    triggers:
      - name: failures
        on: flow-run.failed
        match: { deployment: "etl-*", state_name: ["!Cancelled", "!Crashed"], "payload.message": "*exit*" }
        threshold: 3
        within: 10m
        for_each: deployment
        rate_limit: { limit: 1, per: 1h }
        actions:
          - pause: "{{ event.payload.deployment }}"
          - webhook: { url: "{{ secrets.slack }}", body: { text: "{{ message }}" } }
          - notify
      - after: { any: [custom.a, { on: custom.b, match: { env: prod } }] }
        expect: custom.c
        within: 1h
      - posture: proactive
        after: flow-run.running
        expect: flow-run.completed
        match: { deployment: ingest }
        for_each: resource
        within: 1h
        actions: [{ shell: ["./page.sh", "{{ event.resource }}"] }, { shell: "echo $ORCH_MESSAGE" }]
    notify: { on: [failed], webhook: "http://127.0.0.1:9/hook", desktop: true }
`);
    expect(file.problems).toEqual([]);
    const [failures, sequence, proactive, notify] = file.deployments[0]!.spec.triggers;
    expect(failures).toEqual({
      name: "failures",
      on: "flow-run.failed",
      match: {
        deployment: "etl-*",
        state_name: ["!Cancelled", "!Crashed"],
        "payload.message": "*exit*",
      },
      parameters: {},
      threshold: 3,
      within_ms: 600_000,
      for_each: ["deployment"],
      rate_limit: { limit: 1, per_ms: 3_600_000 },
      actions: [
        { type: "pause", deployment: "{{ event.payload.deployment }}" },
        { type: "webhook", url: "{{ secrets.slack }}", body: { text: "{{ message }}" } },
        { type: "notify" },
      ],
    });
    expect(sequence).toMatchObject({
      on: "custom.c",
      after: {
        mode: "any",
        events: [
          { on: "custom.a", match: {} },
          { on: "custom.b", match: { env: "prod" } },
        ],
      },
      within_ms: 3_600_000,
    });
    expect(proactive).toMatchObject({
      posture: "proactive",
      on: "flow-run.completed",
      match: { deployment: "ingest" },
      after: { mode: "all", events: [{ on: "flow-run.running", match: { deployment: "ingest" } }] },
      for_each: ["resource"],
    });
    expect(notify).toEqual({
      name: "notify",
      on: "flow-run.*",
      match: { deployment: "watch", state: ["FAILED"] },
      parameters: {},
      actions: [{ type: "webhook", url: "http://127.0.0.1:9/hook" }, { type: "notify" }],
    });
  });

  test("a template naming a payload key orch's own event does not carry is refused, with a guess", () => {
    expect(
      problems(`deployments:
  - name: t
    command: [true]
    parameters: { path: "", run: "" }
    triggers:
      - on: flow-run.failed
        parameters: { run: "{{ event.payload.deploymnt }}", path: "{{ event.resource }}" }
      - on: custom.anything
        parameters: { path: "{{ event.payload.whatever }}" }
      - on: flow-run.failed
        actions: [{ pause: "{{ event.pth }}" }]
      - posture: proactive
        expect: sensor.heartbeat
        within: 1h
        parameters: { path: "{{ event.payload.expected }}", run: "{{ event.payload.state }}" }
`),
    ).toEqual([
      'flows/etl.yaml:7:28: triggers[0].parameters.run: {{ event.payload.deploymnt }} cannot be filled: flow-run.failed events have no "deploymnt" (did you mean "deployment"?); they have deployment, state, state_name, message',
      'flows/etl.yaml:11:28: triggers[2].actions[0].pause: {{ event.pth }} cannot be filled: flow-run.failed events have no "pth"; they have deployment, state, state_name, message',
      'flows/etl.yaml:15:66: triggers[3].parameters.run: {{ event.payload.state }} cannot be filled: trigger.missed events have no "state"; they have deployment, trigger, expected, within_ms, since, for_each',
    ]);
  });

  test("bad input names file:line:column and what to do", () => {
    expect(
      problems(`deployments:
  - name: t
    command: [true]
    triggers:
      - on: flow-run.failed
        threshold: 3
      - posture: proactive
        expect: { on: flow-run.completd }
      - after: [flow-run.running, { on: custom.x, match: { a: 1 } }]
        on: custom.y
        within: soon
      - on: custom.z
        actions: [{ shell: "echo {{ event.name }}" }, { webhok: x }, explode, { pause: "{{ evnt.x }}" }]
      - match: { deployment: x }
      - on: flow-run.failed
        for_each: deploymnt
    notify: { on: [faild] }
`),
    ).toEqual([
      'flows/etl.yaml:6:20: triggers[0].threshold: counts 3 events within a window: add within ("10m")',
      'flows/etl.yaml:7:18: triggers[1].posture: a proactive trigger needs within: how long to wait for the event ("1h", "24h")',
      'flows/etl.yaml:8:23: triggers[1].expect.on: "flow-run.completd" is not an event orch emits (did you mean "flow-run.completed"?)',
      'flows/etl.yaml:11:17: triggers[2].within: "soon" is not a duration of at most 100 years (try "30s", "15m" or "1h30m")',
      'flows/etl.yaml:13:28: triggers[3].actions[0].shell: a shell string takes no {{ }}: read the event from $ORCH_EVENT_NAME, $ORCH_EVENT_RESOURCE, $ORCH_EVENT_ID, $ORCH_EVENT_PAYLOAD (JSON) or $ORCH_MESSAGE, or give argv (["notify.sh", "{{ event.name }}"])',
      'flows/etl.yaml:13:57: triggers[3].actions[1].webhok: unknown key (did you mean "webhook"?)',
      'flows/etl.yaml:13:70: triggers[3].actions[2]: must be one of "run", "pause", "resume", "cancel", "notify", not "explode"',
      "flows/etl.yaml:13:88: triggers[3].actions[3].pause: {{ evnt.x }} cannot be filled: a trigger takes {{ event.resource }}, {{ event.name }}, {{ event.id }}, {{ event.payload.KEY }}, {{ trigger.deployment }}, {{ trigger.name }} or {{ message }}",
      'flows/etl.yaml:14:9: triggers[4]: needs on: EVENT (or expect:): the event it acts on, like "flow-run.failed"; after: events that must all come, in any order; or files: a folder to watch',
      'flows/etl.yaml:16:19: triggers[5].for_each: flow-run.failed events have no "deploymnt" (did you mean "deployment"?); they have resource, deployment, state, state_name, message',
      "flows/etl.yaml:17:13: notify: says how to notify with none of webhook, shell or desktop; add one",
      'flows/etl.yaml:17:20: notify.on[0]: "faild" is not a run state (did you mean "failed"?); notify takes scheduled, pending, running, completed, failed, crashed, cancelling, cancelled, paused',
    ]);
  });

  test("after: alone is a join (Dagu's depends): no on, its after events in any order", () => {
    const file = parse(`deployments:
  - name: report
    command: [true]
    triggers:
      - after: { all: [{ on: flow-run.completed, match: { deployment: extract-a } }, { on: flow-run.completed, match: { deployment: extract-b } }] }
        within: 2h
        parameters: { from: "{{ event.payload.deployment }}" }
      - after: [extract.done, load.done]
        for_each: day
    parameters: { from: "" }
`);
    expect(file.problems).toEqual([]);
    const [join, plain] = file.deployments[0]!.spec.triggers;
    expect(join).toEqual({
      match: {},
      parameters: { from: "{{ event.payload.deployment }}" },
      after: {
        mode: "all",
        events: [
          { on: "flow-run.completed", match: { deployment: "extract-a" } },
          { on: "flow-run.completed", match: { deployment: "extract-b" } },
        ],
      },
      within_ms: 7_200_000,
    });
    expect(plain).toMatchObject({ after: { mode: "all" }, for_each: ["day"] });
    expect(plain!.on).toBeUndefined();
  });

  test("an event that can never match (the trigger's match and its own at odds) is refused where it is", () => {
    expect(
      problems(`deployments:
  - name: report
    command: [true]
    triggers:
      - on: flow-run.completed
        match: { deployment: extract-b }
        after: [{ on: flow-run.completed, match: { payload.deployment: extract-a } }]
      - after: [deploy.approved]
        match: { name: "flow-run.*" }
      - match: { deployment: "!extract-b" }
        after: [{ on: flow-run.completed, match: { deployment: extract-a } }]
        expect: { on: flow-run.completed, match: { payload.deployment: [extract-b] } }
      - on: flow-run.completed
        match: { deployment: "extract-*" }
        after: [{ on: flow-run.completed, match: { payload.deployment: [extract-a, load] } }]
      - posture: proactive
        after: [custom.a, custom.b]
        within: 1h
      - after: [custom.a, custom.b]
        threshold: 2
`),
    ).toEqual([
      `flows/etl.yaml:7:50: triggers[0].after[0].match: can never match: the trigger's match asks deployment "extract-b", and its own match asks payload.deployment "extract-a"; that is one field of the event, and no value is both (write the field one way: an event's own match replaces the trigger's for the same key)`,
      'flows/etl.yaml:9:16: triggers[1].match: can never match: its event is "deploy.approved", and the trigger\'s match asks name "flow-run.*"; that is one field of the event, and no value is both',
      `flows/etl.yaml:12:50: triggers[2].expect.match: can never match: the trigger's match asks deployment "!extract-b", and its own match asks payload.deployment "extract-b"; that is one field of the event, and no value is both (write the field one way: an event's own match replaces the trigger's for the same key)`,
      "flows/etl.yaml:16:18: triggers[4].posture: a proactive trigger needs expect: the event that should come after its after events",
      "flows/etl.yaml:20:20: triggers[5].threshold: counts on: events, and this trigger has none: after: alone fires once all its events came",
    ]);
  });
});
