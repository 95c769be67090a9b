import { resolve } from "node:path";
import { afterEach, beforeEach, expect, test } from "vitest";
import { ORCH } from "../helpers.ts";
import { createLab, type Lab } from "./helpers.ts";

let lab: Lab;
beforeEach(() => {
  lab = createLab();
});
afterEach(async () => {
  await lab.cleanup();
});

const FLOW = `import { flow, task } from "orch";
import { greeting } from "./lib/greeting.ts";

const shout = task("shout", (s: string) => s.toUpperCase());

export default flow("hello", async (p: { name: string }) => {
  console.log(greeting(p.name));
  console.log(await shout("done"), process.env.ORCH_DEPLOYMENT);
});

export const boom = flow("boom", async () => {
  throw new Error("kaboom");
});
`;
const FILES = {
  "flows/hello.ts": FLOW,
  "flows/lib/greeting.ts": 'export const greeting = (n: string) => "hello " + n;\n',
};

for (const [how, self] of [
  ["the compiled executable", [ORCH]],
  ["source (bun src/main.ts)", undefined],
] as const) {
  test(`a TypeScript flow importing "orch" runs through ${how}`, async () => {
    const ok = lab.deploy(
      {
        name: "hello",
        flow: { path: "flows/hello.ts", export: "default" },
        parameters: { name: "world" },
      },
      FILES,
    );
    const bad = lab.deploy(
      { name: "boom", flow: { path: "flows/hello.ts", export: "boom" } },
      FILES,
    );
    await lab.startWorker(self ? { selfCommand: [...self] } : {});
    const a = lab.trigger(ok);
    const b = lab.trigger(bad);
    const done = await lab.waitFor(a.id, ["COMPLETED", "FAILED"]);
    expect(lab.logs(a)).toEqual(["hello world", "DONE hello"]);
    expect(done.state_type).toBe("COMPLETED");
    const failed = await lab.waitFor(b.id, ["COMPLETED", "FAILED"]);
    expect(failed).toMatchObject({ state_type: "FAILED", exit_code: 1 });
    const logs = lab.logs(b).join("\n");
    expect(logs).toContain("kaboom");
    expect(logs).toContain("hello.ts");
  });
}

test("the default self command is bun plus src/main.ts from source", async () => {
  const { selfCommand } = await import("../../src/worker/index.ts");
  expect(selfCommand()).toEqual([
    process.execPath,
    resolve(import.meta.dirname, "../../src/main.ts"),
  ]);
});
