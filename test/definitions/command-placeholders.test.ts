import { afterEach, expect, test } from "vitest";
import { renderProblem } from "../../src/core/index.ts";
import { parseDefinitions } from "../../src/definitions/index.ts";
import { makeProject } from "./helpers.ts";

let cleanup = () => {};
afterEach(() => cleanup());

function problems(yaml: string) {
  const p = makeProject({ "flows/etl.yaml": yaml });
  cleanup = p.cleanup;
  return parseDefinitions(yaml, { root: p.root, path: p.path("flows/etl.yaml") }).problems.map(
    renderProblem,
  );
}

test("deploy refuses a placeholder where no quoting could keep its value from running as code", () => {
  expect(
    problems(`deployments:
  - name: ticks
    command: "echo \`date -d {{ parameters.day }}\`"
    parameters: { day: today }
  - name: arith
    command: ["bash", "-c", "echo $(( {{ parameters.n }} * 2 ))"]
    parameters: { n: 1 }
  - name: arith-checked
    command: ["bash", "-c", "[[ {{ parameters.n }} -gt 2 ]] && echo big"]
    parameters: { n: 1 }
    parameter_schema: { type: object, properties: { n: { type: integer } } }
  - name: py
    command: ["python3", "-c", "print('{{ parameters.day }}')"]
    parameters: { day: today }
`),
  ).toEqual([
    "flows/etl.yaml:3:14: command: {{ parameters.day }} is inside backticks, whose quoting cannot be kept; use $( ) instead",
    expect.stringMatching(
      /^flows\/etl\.yaml:6:29: command\[2\]: \{\{ parameters\.n \}\} is where bash evaluates arithmetic .*; declare it as an integer in parameter_schema, so only numbers reach it$/,
    ),
    "flows/etl.yaml:13:32: command[2]: {{ parameters.day }} is inside python3 code, where its value would run as code; pass it as a separate argument after the code and read it there (sys.argv, process.argv...)",
  ]);
});

test("shell strings with placeholders in any quoting deploy", () => {
  expect(
    problems(`deployments:
  - name: greet
    command: |
      echo "hello, {{ parameters.name }}" '{{ parameters.name }}' {{ parameters.name }}
      cat <<EOF
      {{ parameters.name }}
      EOF
    parameters: { name: world }
`),
  ).toEqual([]);
});

test("a {{ }} of env that names nothing of orch's is the program's own template, kept as written", () => {
  expect(
    problems(`deployments:
  - name: templated
    command: 'docker ps --format "$FMT"'
    env:
      FMT: "{{.Names}} {{ .Status }}"
      JINJA: "Hello {{ name }}, {{ user.email }}"
`),
  ).toEqual([]);
});

test("an env value takes the placeholders a command does, and secrets and variables; others are refused where they are", () => {
  expect(
    problems(`deployments:
  - name: envy
    command: 'echo "$DAY $SLOT"'
    parameters: { day: today }
    env:
      DAY: "{{ parameters.day }}"
      SLOT: "{{ run.scheduled_at }}"
      OK: "{{ secrets.db_password }}:{{ variables.host }}"
      LIT: "{{ secret.db_password }}"
      TYPO: "{{ parameters.dya }}"
      WHAT: "x{{ event.name }}"
      SHORT: "{{ params.day }}"
`),
  ).toEqual([
    "flows/etl.yaml:9:12: env.LIT: {{ secret.db_password }} cannot be filled: only {{ parameters.NAME }}, {{ run.scheduled_at }}, {{ secrets.NAME }} and {{ variables.NAME }} can (did you mean {{ secrets.db_password }}?)",
    'flows/etl.yaml:10:13: env.TYPO: {{ parameters.dya }} names no parameter (did you mean "day"?): give it a default in parameters, or declare it in parameter_schema',
    "flows/etl.yaml:11:13: env.WHAT: {{ event.name }} cannot be filled: only {{ parameters.NAME }}, {{ run.scheduled_at }}, {{ secrets.NAME }} and {{ variables.NAME }} can",
    "flows/etl.yaml:12:14: env.SHORT: {{ params.day }} cannot be filled: only {{ parameters.NAME }}, {{ run.scheduled_at }}, {{ secrets.NAME }} and {{ variables.NAME }} can (did you mean {{ parameters.day }}?)",
  ]);
});
