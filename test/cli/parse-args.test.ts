import { parseArgs as nodeParseArgs } from "node:util";
import { expect, test } from "vitest";
import { parseArgs } from "../../src/cli/parse-args.ts";

// The CLI's argument parser must answer exactly as the runtime's node:util parseArgs, Bun's (the
// one it replaces in the build; on a few odd lines such as -x-y Node's own differs from both):
// thousands of random command lines over random option declarations, both parsers, same answers.

const WORDS = [
  "--name",
  "--name=x",
  "--name=",
  "-n",
  "-nv",
  "-nb",
  "-bn",
  "-bnfile",
  "-ab",
  "-abc",
  "-a",
  "-b",
  "--flag",
  "--flag=false",
  "--flag=",
  "--",
  "-",
  "pos",
  "value",
  "-5",
  "",
  "--=x",
  "---x",
  "-=",
  "--unknown",
  "--unknown=3",
  "-z",
  "-zq",
  "--tag",
  "--tag=a",
  "a=b",
  "--__proto__",
  "-x-y",
  "--name=a=b",
  "--multi",
  "--multi=1",
  "-m",
  "-mm",
];

function random(seed: number) {
  let s = seed;
  return () => {
    s = (s * 1103515245 + 12345) & 0x7fffffff;
    return s / 0x7fffffff;
  };
}

type Option = { type: "string" | "boolean"; short?: string; multiple?: boolean; default?: unknown };

function options(r: () => number): Record<string, Option> {
  const out: Record<string, Option> = {};
  const pick = <T>(list: T[]) => list[Math.floor(r() * list.length)] as T;
  for (const name of ["name", "flag", "tag", "multi", "a", "b", "c"]) {
    if (r() < 0.35) continue;
    const type = pick(["string", "boolean"] as const);
    const option: Option = { type };
    if (r() < 0.4) option.short = pick(["n", "a", "b", "c", "m", "z", "ab"]);
    if (r() < 0.25) option.multiple = true;
    if (r() < 0.3) {
      const one = type === "string" ? pick(["d", "", "x y"]) : pick([true, false]);
      option.default = r() < 0.1 ? 7 : option.multiple ? (r() < 0.2 ? one : [one]) : one;
    }
    out[name] = option;
  }
  return out;
}

function answer(parse: () => { values: object; positionals: string[] }) {
  try {
    const { values, positionals } = parse();
    return { values: { ...values }, positionals };
  } catch {
    return { threw: true };
  }
}

test("the CLI's parser and node:util's parseArgs (strict: false) agree on 20,000 random command lines", () => {
  const r = random(42);
  let compared = 0;
  for (let i = 0; i < 20_000; i++) {
    const declared = options(r);
    const args = Array.from(
      { length: Math.floor(r() * 7) },
      () => WORDS[Math.floor(r() * WORDS.length)] as string,
    );
    const config = { args, options: declared, strict: false, allowPositionals: true } as const;
    const ours = answer(() => parseArgs(config as never));
    const theirs = answer(() => nodeParseArgs(config as never));
    expect({ args, declared, answer: ours }).toEqual({ args, declared, answer: theirs });
    compared++;
  }
  expect(compared).toBe(20_000);
});
