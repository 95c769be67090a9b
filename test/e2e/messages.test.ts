import { join } from "node:path";
import { afterAll, beforeAll, expect, test } from "vitest";
import { orch, tempDir } from "../helpers.ts";

// What a new user typed, and what orch says back: each message names the option or the place,
// and what to do.
let dir: string;
let cleanup: () => void;
const run = (...args: string[]) => orch(args, { cwd: dir });

beforeAll(async () => {
  ({ dir, cleanup } = tempDir());
  await Bun.write(
    join(dir, "flows/chain.yaml"),
    'webhooks:\n  - slug: ci\ndeployments:\n  - name: a\n    command: ["true"]\n',
  );
  await Bun.write(
    join(dir, "flows/hooks2.yaml"),
    'deployments:\n  - name: b\n    command: ["true"]\nwebhooks:\n  - slug: other\n  - slug: ci\n',
  );
  await Bun.write(
    join(dir, "flows/n.ts"),
    'import { flow } from "orch";\nexport default flow("n", async ({ n }: { n: number }) => n);\n',
  );
});
afterAll(() => cleanup());

test("a webhook slug declared in two files is reported at its line and column in each", async () => {
  const deployed = await run("deploy");
  expect(deployed.code).toBe(2);
  expect(deployed.stderr).toContain(
    'flows/hooks2.yaml:6:5: webhook "ci" is also declared in flows/chain.yaml:2:5; declare a webhook in one file',
  );
});

test("runs ls and events ls read --since alike: a duration back from now, or a time", async () => {
  for (const command of [
    ["runs", "ls"],
    ["events", "ls"],
  ]) {
    const back = await run(...command, "--since", "1h", "--json");
    expect(back.stderr).toBe("");
    expect(back.code).toBe(0);
    const at = await run(...command, "--since", "2026-11-30T06:00:00Z", "--json");
    expect(at.code).toBe(0);
    const bad = await run(...command, "--since", "1x");
    expect(bad.stderr).toContain(
      '--since "1x" is neither a duration back from now ("1h", "30m") nor a time',
    );
    expect(bad.code).toBe(2);
  }
  expect((await run("runs", "ls", "--until", "1h", "--json")).code).toBe(0);
});

test("a number too large for JSON is said to be out of range, not null", async () => {
  const ran = await run("flow", "run", "flows/n.ts", "--params", '{"n": 1e400}');
  expect(ran.stderr).toMatch(/parameters\.n: is out of range: a number must be within/);
  expect(ran.stderr).not.toContain("null");
  expect(ran.code).toBe(2);
});

test("orch db check on a file that is not a SQLite database says so, without advice to restore", async () => {
  await Bun.write(join(dir, "junk.db"), "x".repeat(10_000));
  const junk = await run("db", "check", "junk.db");
  expect(junk.stderr).toContain("junk.db is not an orch store: it is not a SQLite database");
  expect(junk.stderr).not.toContain("foreign keys");
  expect(junk.stdout).toBe("");
  expect(junk.code).toBe(2);
  await Bun.write(join(dir, "empty.db"), "");
  const empty = await run("db", "check", "empty.db");
  expect(empty.stderr).toContain("empty.db is not an orch store: it is empty");
  expect(empty.code).toBe(2);
});
