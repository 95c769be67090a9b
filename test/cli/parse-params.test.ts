import { expect, test } from "vitest";
import { parseParams } from "../../src/cli/parse-params.ts";

test("a resume's --input that is not a JSON object is named --input, not --params", () => {
  expect(() => parseParams([], "{bad json", null, {}, "input")).toThrow(
    /^--input must be a JSON object: /,
  );
  expect(() => parseParams([], "[1]", null)).toThrow(/^--params must be a JSON object: /);
});

test("numbers JSON reads as Infinity are out of range, wherever they are", () => {
  expect(() => parseParams([], '{"a": [1, {"b": -1e999}]}', null)).toThrow(
    expect.objectContaining({
      problems: [{ where: "parameters.a[1].b", message: expect.stringMatching(/out of range/) }],
    }),
  );
  expect(() => parseParams(["n=1e400"], undefined, null, {}, "input")).toThrow(
    expect.objectContaining({ problems: [expect.objectContaining({ where: "input.n" })] }),
  );
});
