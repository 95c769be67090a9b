import { afterAll, beforeAll, describe, expect, test } from "vitest";
import { type OrchServer, startServer } from "../../src/server/index.ts";
import { tempDir } from "../helpers.ts";

const FLOWS = `deployments:
  - name: echo
    command: ["echo", "{{ parameters.n }}"]
    parameters: { n: 1 }
`;

let server: OrchServer;
let cleanup: () => void;

beforeAll(async () => {
  const t = tempDir();
  cleanup = t.cleanup;
  await Bun.write(`${t.dir}/flows/a.yaml`, FLOWS);
  server = await startServer({ dir: t.dir, port: 0, worker: false });
});
afterAll(async () => {
  await server.stop();
  cleanup();
});

interface ErrorBody {
  error: { code: string; message: string; problems?: { where: string; message: string }[] };
}

/** POST `body` with the token; the status and the JSON answer. */
async function post(path: string, body: string | ReadableStream) {
  const res = await fetch(`${server.url}${path}`, {
    method: "POST",
    headers: { authorization: `Bearer ${server.token}`, "content-type": "application/json" },
    body,
  });
  const text = await res.text();
  return { status: res.status, json: JSON.parse(text) as ErrorBody };
}

const runCount = async () =>
  (
    (await (
      await fetch(`${server.url}/api/runs?limit=1000`, {
        headers: { authorization: `Bearer ${server.token}` },
      })
    ).json()) as unknown[]
  ).length;

describe("JSON bodies", () => {
  test("100,000 levels of nesting in under 1 MB answer 400 with the depth limit", async () => {
    const deep = (open: string, close: string, n: number) => open.repeat(n) + close.repeat(n);
    const cases: [string, string][] = [
      [
        "/api/deployments/echo/runs",
        `{"parameters":${deep('{"a":', "}", 100_000).replace(/:}/, ":1}")}}`,
      ],
      ["/api/events", `{"name":"x","payload":{"a":${deep("[", "]", 100_000)}}}`],
      ["/hooks/deep", deep("[", "]", 100_000)],
      ["/api/runs/prune", deep("[", "]", 100_000)],
    ];
    for (const [path, body] of cases) {
      expect(body.length).toBeLessThan(1024 * 1024);
      const r = await post(path, body);
      expect([path, r.status, r.json.error.code]).toEqual([path, 400, "E_BAD_INPUT"]);
      expect(r.json.error.message).toMatch(/nests arrays and objects more than 64 deep/);
    }
    // Brackets inside strings are not nesting.
    const inString = await post(
      "/api/deployments/echo/runs",
      JSON.stringify({ parameters: { n: "[".repeat(10_000) } }),
    );
    expect(inString.status).toBe(201);
    // A webhook's plain text with many brackets is text, not too-deep JSON.
    const text = `${"[".repeat(100)} not json`;
    const hook = (await post("/hooks/text", text)) as unknown as {
      status: number;
      json: { payload: { body: string } };
    };
    expect(hook.status).toBe(202);
    expect(hook.json.payload.body).toBe(text);
  });

  test("numbers that are not finite are refused, saying where", async () => {
    const before = await runCount();
    const run = await post(
      "/api/deployments/echo/runs",
      '{"parameters":{"n":1e999,"m":[0,-1e400]}}',
    );
    expect(run.status).toBe(400);
    expect(run.json.error.problems).toEqual([
      { where: "parameters.n", message: expect.stringMatching(/is not a finite number/) },
      { where: "parameters.m[1]", message: expect.stringMatching(/is not a finite number/) },
    ]);
    const event = await post("/api/events", '{"name":"x","payload":{"big":1e999}}');
    expect(event.json.error.problems?.map((p) => p.where)).toEqual(["payload.big"]);
    const hook = await post("/hooks/num", '{"ref":1e999}');
    expect(hook.status).toBe(400);
    expect(hook.json.error.problems?.map((p) => p.where)).toEqual(["ref"]);
    expect(await runCount()).toBe(before);
  });

  test("a body over the limit answers 413 with a JSON body, with or without its length", async () => {
    const big = `{"parameters":{"n":"${"x".repeat(2 * 1024 * 1024)}"}}`;
    const sized = await post("/api/deployments/echo/runs", big);
    expect([sized.status, sized.json.error.code]).toEqual([413, "E_TOO_LARGE"]);
    const huge = await post("/api/events", "x".repeat(24 * 1024 * 1024));
    expect([huge.status, huge.json.error.code]).toEqual([413, "E_TOO_LARGE"]);
    const chunked = await post("/hooks/big", new Blob([big]).stream());
    expect([chunked.status, chunked.json.error.code]).toEqual([413, "E_TOO_LARGE"]);
    expect(chunked.json.error.message).toMatch(/limit is 1048576 bytes/);
    const health = await fetch(`${server.url}/api/health`);
    expect(health.status).toBe(200);
  });

  test("tags are capped in number and size", async () => {
    const many = await post(
      "/api/deployments/echo/runs",
      JSON.stringify({ tags: Array.from({ length: 101 }, (_, i) => `t${i}`) }),
    );
    expect(many.status).toBe(400);
    expect(many.json.error.problems?.[0]?.where).toBe("tags");
    const long = await post(
      "/api/deployments/echo/runs",
      JSON.stringify({ tags: ["x".repeat(201)] }),
    );
    expect(long.json.error.problems?.[0]?.where).toBe("tags[0]");
    const empty = await post("/api/deployments/echo/runs", JSON.stringify({ tags: [""] }));
    expect(empty.json.error.problems?.[0]).toEqual({
      where: "tags[0]",
      message: "must not be empty",
    });
    const fine = await post(
      "/api/deployments/echo/runs",
      JSON.stringify({ tags: Array.from({ length: 100 }, (_, i) => `t${i}`) }),
    );
    expect(fine.status).toBe(201);
  });
});
