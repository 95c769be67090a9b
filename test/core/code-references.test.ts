import { expect, test } from "vitest";
import { findCodeReferences } from "../../src/core/index.ts";

const names = (code: string) => findCodeReferences(code).map((r) => `${r.kind}:${r.name}`);

test("every form README documents names its secret or variable: quotes, backticks, a fallback", () => {
  expect(
    names(`
      getSecret("a"); getSecret('b'); getSecret(\`c\`); sdk.getSecret( "d" );
      getVariable("warehouse_db", "FALLBACK");
      getVariable('e', \`\${process.env.HOME}/x\`);
      getVariable("f")
    `),
  ).toEqual([
    "secrets:a",
    "secrets:b",
    "secrets:c",
    "secrets:d",
    "variables:warehouse_db",
    "variables:e",
    "variables:f",
  ]);
});

test("a name built at run time, or a longer literal, names nothing", () => {
  const dynamic = "getVariable(`x$" + "{y}`)";
  expect(names(`getSecret(name); getSecret("a" + b); ${dynamic}; getSecretx("z")`)).toEqual([]);
});
