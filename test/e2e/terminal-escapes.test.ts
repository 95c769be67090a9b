import { join } from "node:path";
import { afterAll, beforeAll, expect, test } from "vitest";
import { orch, spawnOrch, tempDir } from "../helpers.ts";

// A flow that retitles the terminal (OSC 0), clears the screen (CSI 2J) and rewrites a line (CR).
const FLOWS = `deployments:
  - name: escapes
    command: ["printf", "a\\\\033]0;pwned\\\\007b\\\\n\\\\033[2Jc\\\\n1\\\\r2\\\\tz\\\\n"]
  - name: program
    command: ["{{ parameters.cmd }}"]
    parameters: { cmd: "true" }
  - name: script
    description: "two lines,\\nthe second \\e[2J escaped"
    command: |
      cat <<EOF2
      value: {{ parameters.v }}
      EOF2
    parameters: { v: "x" }
`;
const RAW = ["a\u001b]0;pwned\u0007b", "\u001b[2Jc", "1\r2\tz"];
const SHOWN = "a\\x1b]0;pwned\\x07b\n\\x1b[2Jc\n1\\r2\tz\n";

let dir: string;
let cleanup: () => void;
let up: ReturnType<typeof spawnOrch>;
let runId: string;

beforeAll(async () => {
  ({ dir, cleanup } = tempDir());
  await Bun.write(join(dir, "flows/all.yaml"), FLOWS);
  up = spawnOrch(["up", "--headless", "--port", "0", "--dir", dir]);
  await up.waitFor("orch is up at");
  const done = await orch(["run", "escapes", "--watch", "--json", "--dir", dir]);
  expect(done.code, done.stderr).toBe(0);
  runId = JSON.parse(done.stdout).id;
});

afterAll(async () => {
  up.proc.kill("SIGTERM");
  await up.proc.exited;
  cleanup();
});

test("runs logs (and -f, and run --watch) show a flow's control characters escaped", async () => {
  const logs = await orch(["runs", "logs", runId, "--dir", dir]);
  expect(logs.stdout).toBe(SHOWN);
  const follow = await orch(["runs", "logs", runId, "-f", "--dir", dir]);
  expect(follow.stdout).toBe(SHOWN);
  const watch = await orch(["run", "escapes", "--watch", "--dir", dir]);
  expect(watch.stdout).toBe(SHOWN);
});

test("runs logs --raw passes them through; --json keeps the exact text", async () => {
  const raw = await orch(["runs", "logs", runId, "--raw", "--dir", dir]);
  expect(raw.stdout).toBe(RAW.map((l) => `${l}\n`).join(""));
  const json = await orch(["runs", "logs", runId, "--json", "--dir", dir]);
  expect(JSON.parse(json.stdout).map((l: { line: string }) => l.line)).toEqual(RAW);
});

test("runs inspect shows a run's messages with their control characters escaped", async () => {
  const ran = await orch([
    "run",
    "program",
    "-p",
    "cmd=\u001b]0;pwned\u0007",
    "--watch",
    "--json",
    "--dir",
    dir,
  ]);
  const { id, state_message } = JSON.parse(ran.stdout);
  expect(state_message).toContain("command not found: \u001b]0;pwned\u0007");
  const inspect = await orch(["runs", "inspect", id, "--dir", dir]);
  expect(inspect.stdout).toContain("command not found: \\x1b]0;pwned\\x07");
  expect(inspect.stdout).not.toContain("\u001b]");
});

test("deployments ls keeps a multi-line command on its row; inspect indents its later lines", async () => {
  const ls = await orch(["deployments", "ls", "--dir", dir]);
  expect(ls.code, ls.stderr).toBe(0);
  const rows = ls.stdout.trimEnd().split("\n");
  expect(rows).toHaveLength(4); // the header and one row for each of the three deployments
  expect(rows.find((r) => r.startsWith("script"))).toMatch(/ sh -c cat <<EOF2\\nvalue: /);
  const inspect = await orch(["deployments", "inspect", "script", "--dir", dir]);
  expect(inspect.code, inspect.stderr).toBe(0);
  expect(inspect.stdout).toContain(
    ["description  two lines,", "             the second \\x1b[2J escaped", ""].join("\n"),
  );
  expect(inspect.stdout).toContain(
    [
      "runs         sh -c cat <<EOF2",
      "             value: {{ parameters.v }}",
      "             EOF2",
      "source       flows/all.yaml:",
    ].join("\n"),
  );
});
