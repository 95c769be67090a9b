import { expect, test } from "vitest";
import { closestZone } from "../../src/core/index.ts";

test("a refused time zone's guess: the near miss, the city's zone, or an offset's fixed zone", () => {
  expect(closestZone("Europe/Berlim")).toBe("Europe/Berlin");
  expect(closestZone("Berlin")).toBe("Europe/Berlin");
  expect(closestZone("new york")).toBe("America/New_York");
  // A fixed offset is Etc/GMT with POSIX's sign (UTC+1 is Etc/GMT-1), never plain UTC.
  expect(closestZone("UTC+1")).toBe("Etc/GMT-1");
  expect(closestZone("GMT-05:00")).toBe("Etc/GMT+5");
  expect(closestZone("UTC+0")).toBe("UTC");
  expect(closestZone("UTC+99")).toBeUndefined();
});
