import { join } from "node:path";
import { afterAll, beforeAll, expect, test } from "vitest";
import { ORCH, orch, realNode, runCommand, tempDir } from "../helpers.ts";

// testFlow gives a flow the secrets and variables its files name, as a deployed run gets them:
// a value passed to testFlow that the flow's code does not name as a literal is not visible.
const NODE = realNode();

let dir: string;
let cleanup: () => void;

async function run(argv: string[]) {
  const ran = await runCommand(argv, { cwd: dir });
  return { code: ran.code, out: ran.stdout + ran.stderr };
}

/** The flows: one reads a secret by a name built at run time, one names its values as literals. */
const FLOWS = (ext: string) => ({
  [`flows/region.${ext}`]: `import { getVariable } from "orch";\nexport const region = () => getVariable("region");\n`,
  [`flows/keys.${ext}`]: `import { flow, getSecret } from "orch";
import { region } from "./region.${ext}";
export const built = flow("built", async ({ env }) => getSecret(\`api_key_\${env}\`).length);
export const named = flow("named", async () => [getSecret("api_key"), region()]);
`,
});

/** The test: the names it asserts hold whatever the runner. */
const TEST = (ext: string, runner: string) => `${runner}
import { testFlow } from "orch/testing";
import { built, named } from "../flows/keys.${ext}";

test("values the flow's files name, and only those", async () => {
  const values = { secrets: { api_key: "k", api_key_prod: "p" }, variables: { region: "eu" } };
  const ok = await testFlow(named, values);
  assert.deepEqual([ok.state, ok.result], ["COMPLETED", ["k", "eu"]]);
  const refused = await testFlow(built, { ...values, parameters: { env: "prod" } });
  assert.equal(refused.state, "FAILED");
  assert.equal(
    refused.message,
    'secret api_key_prod was not given to this run: the flow\\'s files do not name it, and a run receives only the secrets they name (a deployed run would not get it either): name it as a literal, getSecret("api_key_prod"), in flows/keys.${ext} or a module it imports',
  );
});
`;

beforeAll(async () => {
  ({ dir, cleanup } = tempDir());
  expect((await orch(["init", dir])).code).toBe(0);
});

afterAll(() => cleanup());

test("under orch test, a flow sees only the values its files name, and is told how to name one", async () => {
  for (const [path, text] of Object.entries(FLOWS("ts"))) await Bun.write(join(dir, path), text);
  await Bun.write(
    join(dir, "tests/keys.test.ts"),
    TEST("ts", `import { test } from "bun:test";\nimport assert from "node:assert/strict";`),
  );
  const ran = await run([ORCH, "test", "keys"]);
  expect(ran.out).toContain("1 pass");
  expect(ran.code, ran.out).toBe(0);
});

test("under node:test (Node, no Bun), the same", async () => {
  expect(NODE).not.toBeNull();
  for (const [path, text] of Object.entries(FLOWS("mjs"))) await Bun.write(join(dir, path), text);
  await Bun.write(
    join(dir, "node-tests/keys.test.mjs"),
    TEST("mjs", `import { test } from "node:test";\nimport assert from "node:assert/strict";`),
  );
  const ran = await run([NODE!, "--test", "node-tests/keys.test.mjs"]);
  expect(ran.out).toContain("# pass 1");
  expect(ran.code, ran.out).toBe(0);
});
