import { expect, test } from "vitest";
import { fieldHint, parameterFields } from "../../src/core/parameter-form.ts";
import { readRunRequest } from "../../src/web/app/components/TriggerForm.tsx";

const options = { when: "", version: "", timeout: "", env: "", tags: "", name: "" };

test("a parameter's hint says every rule of its schema, multipleOf and exclusive bounds too", () => {
  const [size, code] = parameterFields(
    { size: 5 },
    {
      type: "object",
      required: ["code"],
      properties: {
        size: { type: "integer", minimum: 1, exclusiveMaximum: 100, multipleOf: 5 },
        code: { type: "string", minLength: 2, maxLength: 8, pattern: "^[a-z]+$" },
      },
    },
  );
  expect(fieldHint(size!)).toBe("integer, ≥ 1, < 100, multiple of 5");
  expect(fieldHint(code!)).toBe(
    "string, at least 2 characters, at most 8 characters, matching ^[a-z]+$, required",
  );
});

test("Start after… with its field left empty is an error under the field, never a time", () => {
  const empty = readRunRequest([], {}, { ...options, start: "in", when: "  " });
  expect(empty).toEqual({ errors: { when: "say how long: 2h, 30m" } });
  const later = readRunRequest([], {}, { ...options, start: "in", when: "30m" }, 0);
  expect(later).toEqual({ body: { parameters: {}, scheduled_at: "1970-01-01T00:30:00.000Z" } });
});
