import { expect, test } from "vitest";
import { escapeControlChars } from "../../src/core/index.ts";

test("control characters are shown as text; tabs, backslashes and other text stay", () => {
  expect(escapeControlChars("\u001b]0;pwned\u0007 \u001b[2J a\rb\tc \\x41 ünïcødé ✓")).toBe(
    "\\x1b]0;pwned\\x07 \\x1b[2J a\\rb\tc \\x41 ünïcødé ✓",
  );
  expect(escapeControlChars("\u0000\u007f\u009b31m\u202eevil\u2066")).toBe(
    "\\x00\\x7f\\x9b31m\\u202eevil\\u2066",
  );
});
