import { expect, test } from "vitest";
import { createMasker } from "../../src/core/index.ts";

test("every occurrence of every value becomes ****, the longest first", () => {
  const mask = createMasker(["hunter2", "hunter2-extra", undefined, "tok.en$(x)"]);
  expect(mask("pw=hunter2-extra and hunter2; token tok.en$(x)")).toBe(
    "pw=**** and ****; token ****",
  );
});

test("each line of a multi-line value is masked on its own (output is stored by line)", () => {
  const mask = createMasker(["-----BEGIN KEY-----\nabcdef\n-----END KEY-----"]);
  expect(["-----BEGIN KEY-----", "abcdef", "x -----END KEY-----"].map(mask)).toEqual([
    "****",
    "****",
    "x ****",
  ]);
});

test("values too short to hide anything are left alone, and no value means no change", () => {
  expect(createMasker(["ab", ""])("abc")).toBe("abc");
  expect(createMasker([])("text")).toBe("text");
});
