import { render } from "ink-testing-library";
import { createElement as h } from "react";
import { expect, test } from "vitest";
import { KeyBar } from "../../src/tui/KeyBar.tsx";

test("the retry prompt of a failed run offers from the failed task or every task", () => {
  const r = render(
    h(KeyBar, {
      overlay: { kind: "retry", runId: "3f2a9c1e-0000-4000-8000-000000000000" },
      details: null,
    }),
  );
  const text = (r.lastFrame() ?? "").replace(/\s+/g, " ");
  r.unmount();
  expect(text).toContain("Retry run 3f2a9c1e");
  expect(text).toContain("[f] from the failed task");
  expect(text).toContain("[a] every task again");
});

test("the retry prompt says which version the retry runs when the deployment moved on", () => {
  const r = render(
    h(KeyBar, {
      overlay: {
        kind: "retry",
        runId: "3f2a9c1e-0000-4000-8000-000000000000",
        version: "v3, not the run's v2",
      },
      details: null,
    }),
  );
  const text = (r.lastFrame() ?? "").replace(/\s+/g, " ");
  r.unmount();
  expect(text).toContain("Retry run 3f2a9c1e on v3, not the run's v2: [f] from the failed task");
});
