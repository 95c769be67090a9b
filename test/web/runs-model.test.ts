import { describe, expect, test } from "vitest";
import type { RunJson, TaskRunJson } from "../../src/core/index.ts";
import { chartLayout, chartSummary, niceCeil } from "../../src/web/app/components/chart-layout.ts";
import { ganttLayout, tickStep } from "../../src/web/app/components/gantt-layout.ts";
import { escapeHtml, renderMarkdown } from "../../src/web/app/components/markdown.ts";
import {
  apiQuery,
  filtersFromQuery,
  filtersToQuery,
  runMatches,
} from "../../src/web/app/components/run-filters.ts";
import {
  EMPTY_WINDOW,
  rowCount,
  withoutRun,
  withPage,
  withRun,
  withTotal,
} from "../../src/web/app/components/runs-window.ts";

const T0 = Date.parse("2026-11-30T10:00:00Z");
const iso = (ms: number) => new Date(ms).toISOString();

/** A run as the API lists it, started `at` ms after T0 (null: not started). */
function run(id: string, at: number | null, extra: Partial<RunJson> = {}): RunJson {
  return {
    id,
    name: null,
    deployment: "etl",
    state: at === null ? "SCHEDULED" : "COMPLETED",
    state_name: at === null ? "Scheduled" : "Completed",
    state_message: "",
    parameters: {},
    tags: [],
    attempt: 1,
    scheduled_at: iso(T0 + (at ?? 0)),
    started_at: at === null ? null : iso(T0 + at),
    ended_at: at === null ? null : iso(T0 + at + 500),
    exit_code: null,
    signal: null,
    worker: null,
    version: 1,
    parent_id: null,
    work_pool: "default",
    work_queue: "default",
    created_by: "api",
    created_at: iso(T0 + (at ?? 0)),
    ...extra,
  };
}

describe("markdown", () => {
  test("renders the usual markup", () => {
    const html = renderMarkdown(
      "# Report\n\nRows **loaded**: `42`, see [docs](https://example.org/a?b=1&c=2).\n\n- one\n- two\n\n| a | b |\n|---|---|\n| 1 | 2 |\n\n```\nx < y\n```",
    );
    expect(html).toContain("<h1>Report</h1>");
    expect(html).toContain("<strong>loaded</strong>");
    expect(html).toContain("<code>42</code>");
    expect(html).toContain('<a href="https://example.org/a?b=1&amp;c=2"');
    expect(html).toContain("<ul><li>one</li><li>two</li></ul>");
    expect(html).toContain("<thead><tr><th>a</th><th>b</th></tr></thead><tbody><tr><td>1</td>");
    expect(html).toContain("<pre><code>x &lt; y</code></pre>");
  });

  test("no HTML of the text's own passes, in any place", () => {
    const hostile = [
      '<img src=x onerror="alert(1)">',
      "<script>alert(1)</script>",
      '[click](javascript:alert(1)) [x](" onmouseover="alert(1))',
      '| <b onclick="x"> |\n|---|\n| <svg onload=alert(1)> |',
      "# <iframe src=//evil>",
      "- <style>*{}</style>",
      '`<a href="x">`',
      "> <form action=//evil>",
    ];
    for (const text of hostile) {
      const html = renderMarkdown(text);
      // Every tag left is one the renderer makes, with no attribute but a checked href.
      const tags = [...html.matchAll(/<([a-z0-9]+)([^>]*)>/gi)];
      for (const [, name, attrs] of tags) {
        expect([
          "h1",
          "p",
          "ul",
          "li",
          "table",
          "thead",
          "tbody",
          "tr",
          "th",
          "td",
          "code",
          "blockquote",
          "a",
          "strong",
          "em",
          "br",
        ]).toContain(name);
        if (name === "a") expect(attrs).toMatch(/^ href="(https?:|mailto:|[#/.])[^"]*" rel=/);
        else expect(attrs).toBe("");
      }
      expect(html).not.toMatch(
        /javascript:/i.test(text) ? /href="javascript/i : /<(img|script|svg|iframe|style|form)/i,
      );
    }
    expect(escapeHtml(`<a href="x" title='y'>&`)).toBe(
      "&lt;a href=&quot;x&quot; title=&#39;y&#39;&gt;&amp;",
    );
  });
});

describe("filters", () => {
  test("a page's query and the filters go both ways; empty and unknown keys are dropped", () => {
    const query = new URLSearchParams("deployment=etl&state=failed&tag=&q=disk&range=24h&x=1");
    const filters = filtersFromQuery(query);
    expect(filters).toEqual({ deployment: "etl", state: "FAILED", q: "disk", range: "24h" });
    expect(
      filtersFromQuery(
        new URLSearchParams(Object.entries(filtersToQuery(filters)).filter(([, v]) => v) as never),
      ),
    ).toEqual(filters);
    expect(filtersFromQuery(new URLSearchParams("range=2y"))).toEqual({});
  });

  test("the API query places a range back from now, and leaves the state out of counts", () => {
    const filters = { deployment: "etl", state: "FAILED", range: "1h" as const };
    expect(apiQuery(filters, T0, { limit: 200 })).toBe(
      `?deployment=etl&state=FAILED&since=${encodeURIComponent(iso(T0 - 3_600_000))}&limit=200`,
    );
    expect(apiQuery(filters, T0, {}, false)).not.toContain("state=");
    expect(apiQuery({}, T0)).toBe("");
  });

  test("a run matches as the server's listing would", () => {
    const r = run("abcdef12-0000", 1000, { name: "Orders Monday", tags: ["nightly"] });
    expect(runMatches(r, { q: "ABCD" }, T0)).toBe(true);
    expect(runMatches(r, { q: "cdef" }, T0)).toBe(false);
    expect(runMatches(r, { q: "monday" }, T0)).toBe(true);
    expect(runMatches(r, { state: "FAILED" }, T0)).toBe(false);
    expect(runMatches(r, { state: "FAILED" }, T0, true)).toBe(true);
    expect(runMatches(r, { tag: "nightly", deployment: "etl" }, T0)).toBe(true);
    expect(runMatches(r, { since: iso(T0 + 2000) }, T0)).toBe(false);
    const planned = run("p", null, { created_by: "schedule", scheduled_at: iso(T0 + 60_000) });
    expect(runMatches(planned, {}, T0)).toBe(false);
    expect(runMatches(planned, {}, T0 + 120_000)).toBe(true);
  });
});

describe("the runs window", () => {
  const page = [run("c", 3000), run("b", 2000), run("a", 1000)];

  test("pages append without doubles; the count sizes the list while pages remain", () => {
    let w = withPage(EMPTY_WINDOW, page.slice(0, 2), "cursor", true);
    w = withTotal(w, 10_000);
    expect(rowCount(w)).toBe(10_000);
    w = withPage(w, [run("b", 2000), run("a", 1000)], null, false);
    expect(w.rows.map((r) => r.id)).toEqual(["c", "b", "a"]);
    expect(rowCount(w)).toBe(3);
  });

  test("a changed run moves to its place, leaves when it no longer matches, waits for its page when older", () => {
    let w = withPage(EMPTY_WINDOW, page, "cursor", true);
    w = withRun(w, run("new", 5000), true);
    expect(w.rows.map((r) => r.id)).toEqual(["new", "c", "b", "a"]);
    w = withRun(w, run("a", 4000), true);
    expect(w.rows.map((r) => r.id)).toEqual(["new", "a", "c", "b"]);
    w = withRun(w, run("c", 3000), false);
    expect(w.rows.map((r) => r.id)).toEqual(["new", "a", "b"]);
    const older = withRun(w, run("old", 10), true);
    expect(older).toBe(w);
    const all = withRun({ ...w, next: null }, run("old", 10), true);
    expect(all.rows.map((r) => r.id)).toEqual(["new", "a", "b", "old"]);
    expect(withoutRun(all, "a").rows.map((r) => r.id)).toEqual(["new", "b", "old"]);
  });
});

describe("the Gantt", () => {
  const task = (
    name: string,
    from: number | null,
    to: number | null,
    extra: Partial<TaskRunJson> = {},
  ): TaskRunJson => ({
    name,
    state: to === null ? (from === null ? "SCHEDULED" : "RUNNING") : "COMPLETED",
    state_name: to === null ? (from === null ? "Scheduled" : "Running") : "Completed",
    attempts: 1,
    started_at: from === null ? null : iso(T0 + from),
    ended_at: to === null ? null : iso(T0 + to),
    cached: false,
    ...extra,
  });

  test("bars sit on the run's time axis; cache hits get a visible mark; open tasks end with the run", () => {
    const { bars, ticks } = ganttLayout(
      [
        task("extract", 0, 1000),
        task("transform", 1000, 3000, { attempts: 3 }),
        task("load", 3000, 3000, { cached: true }),
        task("report", 3000, null),
        task("later", null, null),
      ],
      { started_at: iso(T0), ended_at: iso(T0 + 4000) },
      T0 + 60_000,
      400,
    );
    expect(bars.map((b) => [b.name, b.x, b.width])).toEqual([
      ["extract", 0, 100],
      ["transform", 100, 200],
      ["load", 300, 3],
      ["report", 300, 100],
      ["later", null, 0],
    ]);
    expect(bars[1]!.attempts).toBe(3);
    expect(bars[3]!.running).toBe(false);
    expect(ticks.map((t) => t.ms)).toEqual([0, 500, 1000, 1500, 2000, 2500, 3000, 3500, 4000]);
  });

  test("a running flow's axis reaches now", () => {
    const { bars, to } = ganttLayout(
      [task("a", 0, null)],
      { started_at: iso(T0), ended_at: null },
      T0 + 2000,
      100,
    );
    expect(to).toBe(T0 + 2000);
    expect(bars[0]).toMatchObject({ width: 100, running: true });
    expect(tickStep(3_600_000)).toBe(600_000);
  });
});

describe("the deployment chart", () => {
  test("points, outcome buckets and the summary", () => {
    const runs = [
      run("a", 0),
      run("b", 1000, { state: "FAILED", ended_at: iso(T0 + 4000) }),
      run("c", 2000),
      run("d", null),
    ];
    const { points, buckets, top } = chartLayout(runs, T0 + 10_000, 300, 100, 3);
    expect(points.map((p) => [p.id, Math.round(p.x), Math.round(p.y)])).toEqual([
      ["a", 0, 90],
      ["b", 75, 40],
      ["c", 150, 90],
    ]);
    expect(top).toBe(5000);
    expect(buckets.map((b) => b.counts)).toEqual([
      { COMPLETED: 1, FAILED: 1 },
      { COMPLETED: 1 },
      {},
    ]);
    expect(chartSummary(runs, T0)).toEqual({
      finished: 3,
      completed: 2,
      failed: 1,
      successRate: 2 / 3,
      median: 500,
      p95: 3000,
    });
    expect([niceCeil(0.3), niceCeil(3), niceCeil(1200), niceCeil(7001)]).toEqual([
      0.5, 5, 2000, 10_000,
    ]);
  });
});
