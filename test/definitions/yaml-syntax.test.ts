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

const HEAD = "deployments:\n  - name: x\n";

test("an unclosed [ is reported at the bracket, once, whatever follows it", () => {
  // At the file's end the parser noticed it at 4:1, past the last line; with a deployment after
  // it, it gave three errors there.
  expect(problems(`${HEAD}    command: [echo\n`)).toEqual([
    "flows/etl.yaml:3:14: this [ is never closed: end the list with ]",
  ]);
  expect(problems(`${HEAD}    command: [echo\n  - name: y\n    command: [true]\n`)).toEqual([
    "flows/etl.yaml:3:14: this [ is never closed: end the list with ]",
  ]);
});

test("an unclosed { or quote is reported where it opens", () => {
  expect(problems(`${HEAD}    env: { A: 1\n    command: [echo]\n`)).toEqual([
    "flows/etl.yaml:3:10: this { is never closed: end the map with }",
  ]);
  expect(problems('deployments:\n  - name: "x\n    command: [echo]\n')).toEqual([
    'flows/etl.yaml:2:11: this " is never closed: end the text with "',
  ]);
  // A quote left open inside a list swallows its ]: the quote is the mistake.
  expect(problems(`${HEAD}    command: ['echo, hi]\n`)).toEqual([
    "flows/etl.yaml:3:15: this ' is never closed: end the text with '",
  ]);
});

test("a list closed on a line indented too little is reported at that line", () => {
  expect(problems(`${HEAD}    command: [echo,\n  hi]\n    retries: 2\n`)).toEqual([
    "flows/etl.yaml:4:3: this line continues the [ ] above: indent it further than the key the value belongs to, or keep the value on one line",
  ]);
});

test("indentation mistakes say what to line up, at the line's first character", () => {
  expect(problems(`deployments:\n\t- name: x\n`)).toEqual([
    "flows/etl.yaml:2:1: a tab indents this line: YAML indents with spaces only",
  ]);
  expect(problems(`${HEAD}  command: [echo]\n`)).toEqual([
    "flows/etl.yaml:3:3: this key is not lined up with the keys above it: indent it with as many spaces as the other keys of its map",
  ]);
  expect(problems(`${HEAD}   command: [echo]\n`)).toEqual([
    "flows/etl.yaml:3:4: this line's indentation matches no key above it: indent it with as many spaces as the other keys of its map",
  ]);
  // A list item under a key whose value is on its line: one problem for the line, not three.
  expect(problems("work_pools: []\n  - name: p\n")).toEqual([
    "flows/etl.yaml:2:3: this list item lines up with no list above it: indent its - as far as the other items of its list, or start the list under a key with nothing after its colon (key:, then the items below it)",
  ]);
  expect(problems(`${HEAD}    command: [echo]\n    tags:\n      - a\n     - b\n`)).toEqual([
    "flows/etl.yaml:6:6: this list item lines up with no list above it: indent its - as far as the other items of its list, or start the list under a key with nothing after its colon (key:, then the items below it)",
  ]);
  expect(problems(`${HEAD}      command: [echo]\n`)).toEqual([
    "flows/etl.yaml:2:11: the line after this value is indented further than its key, so YAML reads it as part of the value: line its key up with the other keys of its map",
  ]);
});

test("keys and values written wrongly say how to write them", () => {
  expect(problems(`${HEAD}    command: [echo]\n    name: y\n`)).toEqual([
    'flows/etl.yaml:4:5: "name" is set twice in this map (first at line 2): keep one',
  ]);
  expect(problems(`${HEAD}    command: echo a: b\n`)).toEqual([
    'flows/etl.yaml:3:14: this value holds ": ", which YAML reads as a key inside it: quote the value: "echo a: b"',
  ]);
  expect(problems(`${HEAD}    command\n`)).toEqual([
    'flows/etl.yaml:3:5: "command" has no ":" after it: write command: VALUE',
  ]);
  expect(problems(`${HEAD}    command: [echo]]\n`)).toEqual([
    "flows/etl.yaml:3:20: this ] closes nothing: remove it, or open the list with [",
  ]);
  expect(problems(`${HEAD}    command: @echo\n`)).toEqual([
    'flows/etl.yaml:3:14: a value cannot start with @ unless it is quoted: write "@echo"',
  ]);
});

test("a syntax error orch has no words for keeps the parser's, at its position", () => {
  expect(problems(`${HEAD}    command: [echo]\n    description: "a\\qb"\n`)).toEqual([
    "flows/etl.yaml:4:20: \\q is not an escape in \"double quotes\": write \\\\ for a backslash, or use 'single quotes'",
  ]);
  expect(problems(`${HEAD}    command: [echo]\n    tags: &a &b [x]\n`)).toEqual([
    "flows/etl.yaml:4:14: A node can have at most one anchor",
  ]);
});
