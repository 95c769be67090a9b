import { resolve } from "node:path";
import { expect, test } from "vitest";
import { fastCamelCase, fastKebabCase } from "../../src/cli/option-case.ts";

// The library's own converters, which the build puts these over (scripts/build-options.ts).
const SCULE = resolve(import.meta.dirname, "../../node_modules/citty/dist/_chunks/libs/scule.mjs");
type Case = (name: string) => string;
const { t: camelCase, n: kebabCase } = (await import(SCULE)) as { t: Case; n: Case };
const camel = fastCamelCase(camelCase);
const kebab = fastKebabCase(kebabCase);

test("the CLI's name cases answer as the command library's, for every kind of name", () => {
  const chars = ["a", "b", "z", "0", "9", "-", "A", "Q", "_", ".", "/"];
  const names = ["json", "max-concurrency", "token-file", "only-missing", "tokenFile", "a--b", ""];
  // Random names, plain and otherwise: the fast path must never change an answer.
  let seed = 7;
  const random = () => {
    seed = (seed * 1103515245 + 12345) % 2147483648;
    return seed / 2147483648;
  };
  for (let i = 0; i < 5000; i++) {
    const length = 1 + Math.floor(random() * 14);
    const plainOnly = i % 2 === 0;
    let name = "";
    for (let j = 0; j < length; j++) {
      const pool = plainOnly ? chars.slice(0, 6) : chars;
      name += pool[Math.floor(random() * pool.length)];
    }
    names.push(name);
  }
  for (const name of names) {
    expect([name, camel(name)]).toEqual([name, camelCase(name)]);
    expect([name, kebab(name)]).toEqual([name, kebabCase(name)]);
  }
});
