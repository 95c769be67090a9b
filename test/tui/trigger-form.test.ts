import { describe, expect, test } from "vitest";
import type { TriggerForm } from "../../src/tui/state.ts";
import { createTriggerForm, readTriggerForm, WHEN_FIELD } from "../../src/tui/trigger-form.ts";
import { deployment } from "./fixtures.ts";

const withText = (form: TriggerForm, values: Record<string, string>): TriggerForm => ({
  ...form,
  fields: form.fields.map((f) => (f.name in values ? { ...f, text: values[f.name]! } : f)),
});

describe("the trigger form", () => {
  const d = deployment("etl", {
    parameters: { day: "today", limit: 3, dry: false, tables: ["a"] },
    parameter_schema: {
      type: "object",
      required: ["mode"],
      properties: {
        mode: { type: "string", enum: ["full", "delta"], description: "How much to load" },
        limit: { type: "integer", minimum: 1, maximum: 100 },
        ratio: { type: "number" },
      },
    },
  });

  test("has a field per parameter, typed from the schema, prefilled with defaults", () => {
    const form = createTriggerForm(d);
    expect(form.fields.map((f) => [f.name, f.type, f.text, f.required])).toEqual([
      ["mode", "string", "", true],
      ["limit", "integer", "3", false],
      ["ratio", "number", "", false],
      ["day", "string", "today", false],
      ["dry", "boolean", "false", false],
      ["tables", "json", '["a"]', false],
      [WHEN_FIELD, "string", "", false],
    ]);
    expect(form.fields[0]!.enum).toEqual(["full", "delta"]);
  });

  test("reads typed values and leaves empty optional fields out", () => {
    const form = withText(createTriggerForm(d), { mode: "delta", dry: "yes", tables: '["x","y"]' });
    expect(readTriggerForm(form)).toEqual({
      parameters: { mode: "delta", limit: 3, day: "today", dry: true, tables: ["x", "y"] },
    });
  });

  test("collects every problem before anything is sent", () => {
    const form = withText(createTriggerForm(d), {
      limit: "2.5",
      ratio: "lots",
      dry: "maybe",
      tables: "[",
    });
    expect(readTriggerForm(form)).toEqual({
      errors: {
        mode: "is required",
        limit: "must be a whole number, not 2.5",
        ratio: 'must be a number, not "lots"',
        dry: "must be true or false",
        tables: "must be JSON (an array or object)",
      },
    });
    expect(readTriggerForm(withText(createTriggerForm(d), { mode: "all" }))).toEqual({
      errors: { mode: 'must be one of "full", "delta"' },
    });
    expect(readTriggerForm(withText(createTriggerForm(d), { mode: "full", limit: "500" }))).toEqual(
      { errors: { limit: "must be at most 100" } },
    );
  });

  test("a deployment without parameters has an empty form that sends {}", () => {
    expect(readTriggerForm(createTriggerForm(deployment("plain")))).toEqual({ parameters: {} });
  });

  test("its start field schedules the run: in a duration, or at a time, as orch run --in/--at", () => {
    const now = Date.parse("2026-11-30T12:00:00Z");
    const form = (text: string) =>
      readTriggerForm(
        withText(createTriggerForm(deployment("plain")), { [WHEN_FIELD]: text }),
        now,
      );
    expect(form("2h")).toEqual({ parameters: {}, scheduledAt: "2026-11-30T14:00:00.000Z" });
    expect(form("2026-12-01T09:00:00Z")).toEqual({
      parameters: {},
      scheduledAt: "2026-12-01T09:00:00.000Z",
    });
    expect(form("yesterday")).toEqual({
      errors: { [WHEN_FIELD]: expect.stringContaining("is not a time") },
    });
    expect(form("2026-01-01T00:00:00Z")).toEqual({
      errors: { [WHEN_FIELD]: expect.stringContaining("is in the past") },
    });
  });
});
