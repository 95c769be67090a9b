import { expect, test } from "vitest";
import { formatDuration, MAX_DURATION_MS, parseDuration } from "../../src/core/index.ts";

test("durations read as text or seconds, up to 100 years and no further", () => {
  expect(parseDuration("1h30m")).toBe(5_400_000);
  expect(parseDuration("500ms")).toBe(500);
  expect(parseDuration(90)).toBe(90_000);
  expect(parseDuration("soon")).toBeUndefined();
  expect(parseDuration("36500d")).toBe(36_500 * 86_400_000);
  expect(parseDuration(MAX_DURATION_MS / 1000)).toBe(MAX_DURATION_MS);
  // Past it, a time would be past what a date can hold (a retry due in 1e20 seconds).
  for (const huge of ["99999d", 1e20, "1e20"]) expect(parseDuration(huge)).toBeUndefined();
  expect(formatDuration(5_400_000)).toBe("1h30m");
});
