import { render } from "ink-testing-library";
import { createElement as h } from "react";
import { expect, test } from "vitest";
import { cell } from "../../src/tui/format.ts";
import { LogPane } from "../../src/tui/LogPane.tsx";

test("the monitor's log pane shows a flow's escape sequences as text, never acting on them", () => {
  const now = Date.now();
  const line = (id: number, text: string) => ({
    id,
    at: new Date(now).toISOString(),
    stream: "stdout" as const,
    line: text,
  });
  const r = render(
    h(LogPane, {
      title: "Logs",
      lines: [line(1, "a\u001b]0;pwned\u0007b"), line(2, "\u001b[2Jc"), line(3, "1\r2")],
      offset: null,
      height: 5,
      focused: false,
      ended: true,
      cols: 100,
      now,
    }),
  );
  const out = r.lastFrame()!;
  r.unmount();
  expect(out).toContain("a\\x1b]0;pwned\\x07b");
  expect(out).toContain("\\x1b[2Jc");
  expect(out).toContain("1\\r2");
  for (const raw of ["\u001b]", "\u0007", "\u001b[2J", "\r"]) expect(out).not.toContain(raw);
});

test("table cells show control characters as text", () => {
  expect(cell("\u001b]0;pwned\u0007 done", 30)).toBe("\\x1b]0;pwned\\x07 done".padEnd(30));
});
