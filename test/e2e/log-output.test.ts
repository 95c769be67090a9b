import { join } from "node:path";
import { afterAll, beforeAll, expect, test } from "vitest";
import { orch, tempDir } from "../helpers.ts";

// A run's log lines, whatever stream or level they were written with, all go to stdout, in the
// run's order: `orch runs logs ID > file` or `| grep` keeps the errors. orch's own messages stay
// on stderr. The SDK's lines keep their levels (console.error is an error, console.warn a
// warning), while a plain stderr line is info.
const FLOW = `import { flow, getRunLogger } from "orch";
export default flow("noisy", async () => {
  console.log("plain info");
  console.warn("careful now");
  console.error("said with console.error");
  getRunLogger().error("it broke", { step: 2 });
  process.stderr.write("raw stderr line\\n");
  console.log("after the error");
  throw new Error("gave up");
});
`;

let dir: string;
let cleanup: () => void;
let id: string;
const cli = (...args: string[]) => orch([...args, "--dir", dir]);

beforeAll(async () => {
  ({ dir, cleanup } = tempDir());
  await Bun.write(join(dir, "flows/noisy.ts"), FLOW);
  const ran = await cli("flow", "run", join(dir, "flows/noisy.ts"), "--json");
  id = (JSON.parse(ran.stdout) as { id: string }).id;
});

afterAll(() => cleanup());

test("runs logs prints every line on stdout, in the run's order, each level named", async () => {
  const stored = JSON.parse((await cli("runs", "logs", id, "--json")).stdout) as {
    line: string;
  }[];
  const r = await cli("runs", "logs", id);
  expect(r.code).toBe(0);
  expect(r.stderr).toBe("");
  const printed = r.stdout.trimEnd().split("\n");
  // Every stored line, in the stored order (the stack of the error adds lines of its own).
  const order = stored.map((s) => printed.findIndex((p) => p.includes(s.line)));
  expect(order).not.toContain(-1);
  expect([...order].sort((a, b) => a - b)).toEqual(order);
  expect(printed).toEqual(
    expect.arrayContaining([
      "plain info",
      "WARN  careful now",
      "ERROR it broke step=2",
      "ERROR said with console.error",
      "raw stderr line",
      "after the error",
    ]),
  );
});

test("flow run prints the run's lines on stdout too, and its own messages on stderr", async () => {
  const r = await cli("flow", "run", join(dir, "flows/noisy.ts"));
  expect(r.code).toBe(1);
  expect(r.stdout).toContain("ERROR it broke step=2");
  expect(r.stdout).toContain("ERROR said with console.error");
  // A plain stderr line is info, shown as it was written.
  expect(r.stdout).toMatch(/^raw stderr line$/m);
  expect(r.stderr).not.toContain("it broke");
  expect(r.stderr).toMatch(/run [0-9a-f]{8} of .*noisy\.ts/);
});
