import { expect, test } from "vitest";
import { OrchError } from "../../src/core/index.ts";
import { json } from "../../src/server/http.ts";
import { createRouter, type Route } from "../../src/server/router.ts";

const route = (method: Route["method"], path: string, answer: string, extra = {}): Route => ({
  method,
  path,
  operationId: answer,
  summary: answer,
  response: { description: answer },
  handler: (_req, ctx) => json({ answer, ...ctx.params, query: ctx.query }),
  ...extra,
});

const routes: Route[] = [
  route("GET", "/api/openapi.json", "document"),
  route("GET", "/api/runs/:id", "run"),
  route("GET", "/api/runs/latest", "latest"),
  route("GET", "/api/runs", "runs", {
    query: { limit: { type: "integer", minimum: 1, maximum: 10, default: 5 } },
  }),
  route("POST", "/api/runs/:id/cancel", "cancel"),
];
const fetch = createRouter(routes);
/** What a test reads of an answer: the route's echo, or an error. */
interface Answer {
  answer?: string;
  query?: Record<string, unknown>;
  error?: { message: string; problems?: unknown[] };
}
const ask = async (path: string, method = "GET") => {
  const res = await fetch(new Request(`http://127.0.0.1${path}`, { method }));
  const body = (method === "HEAD" ? {} : await res.json()) as Answer;
  return { status: res.status, body };
};

test("a path without parameters matches itself, with or without one trailing slash, and nothing else", async () => {
  expect((await ask("/api/openapi.json")).body).toMatchObject({ answer: "document" });
  expect((await ask("/api/openapi.json/")).body).toMatchObject({ answer: "document" });
  // A dot in a route's path is a dot, not any character.
  expect((await ask("/api/openapiXjson")).status).toBe(404);
  expect((await ask("/api/openapi.json//")).status).toBe(404);
});

test("routes are tried in their order: an earlier route with a parameter wins over a later literal one", async () => {
  expect((await ask("/api/runs/latest")).body).toMatchObject({ answer: "run", id: "latest" });
  expect((await ask("/api/runs/abc%20d")).body).toMatchObject({ answer: "run", id: "abc d" });
  expect((await ask("/api/runs/%E0%A4%A")).status).toBe(400);
});

test("HEAD is served by the GET route; another method is a 404 naming it", async () => {
  expect((await ask("/api/runs", "HEAD")).status).toBe(200);
  expect((await ask("/api/runs/abc/cancel", "POST")).body).toMatchObject({ answer: "cancel" });
  const wrong = await ask("/api/runs/abc/cancel", "GET");
  expect(wrong.status).toBe(404);
  expect(wrong.body.error?.message).toBe("no route GET /api/runs/abc/cancel");
});

test("the query is coerced and checked on every request alike", async () => {
  for (let i = 0; i < 3; i++) {
    expect((await ask("/api/runs")).body.query).toEqual({ limit: 5 });
    expect((await ask("/api/runs?limit=7")).body.query).toEqual({ limit: 7 });
    const bad = await ask("/api/runs?limit=70");
    expect(bad.status).toBe(400);
    expect(bad.body.error?.problems).toEqual([{ where: "limit", message: "must be <= 10" }]);
    expect((await ask("/api/runs?other=1")).body.error?.problems).toEqual([
      { where: "other", message: "is not a query parameter of this route" },
    ]);
  }
});

test("a route that takes no query gets none, and refuses one it is sent", async () => {
  const cancel = await ask("/api/runs/abc/cancel", "POST");
  expect(cancel.body).toMatchObject({ answer: "cancel", query: {} });
  const sent = await ask("/api/runs/abc/cancel?force=1", "POST");
  expect(sent.status).toBe(400);
  expect(sent.body.error?.problems).toEqual([
    { where: "force", message: "is not a query parameter of this route" },
  ]);
});

test("only a route that checks its own callers, for the paths it takes, is let past the server's rule", async () => {
  const guarded = createRouter(
    [
      route("POST", "/hooks/:slug", "hook", {
        checksCaller: (params: Record<string, string>) => params.slug === "signed",
      }),
      route("POST", "/api/runs/:id/cancel", "cancel"),
    ],
    {
      authorize: () => {
        throw new OrchError("E_UNAUTHORIZED", "no token");
      },
    },
  );
  const post = async (path: string) =>
    (await guarded(new Request(`http://127.0.0.1${path}`, { method: "POST" }))).status;
  expect(await post("/hooks/signed")).toBe(200);
  expect(await post("/hooks/other")).toBe(401);
  expect(await post("/api/runs/abc/cancel")).toBe(401);
  // A GET of the same path is not the self-checking route's: the rule applies.
  expect(
    (await guarded(new Request("http://127.0.0.1/hooks/signed", { method: "GET" }))).status,
  ).toBe(401);
});
