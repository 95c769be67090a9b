import { afterAll, beforeAll, expect, test, vi } from "vitest";
import { createClient } from "../../src/client/index.ts";
import { projectPaths } from "../../src/core/index.ts";
import { compileSchema } from "../../src/core/json-schema.ts";
import { createDeployer } from "../../src/definitions/index.ts";
import { createApi } from "../../src/server/create-api.ts";
import { type OrchServer, startServer } from "../../src/server/index.ts";
import { ensureDataDir, openStore } from "../../src/store/index.ts";
import { tempDir } from "../helpers.ts";

let server: OrchServer;
let cleanup: () => void;
const logged: unknown[][] = [];

beforeAll(async () => {
  const t = tempDir();
  cleanup = t.cleanup;
  await Bun.write(`${t.dir}/flows/a.yaml`, 'deployments:\n  - name: echo\n    command: ["true"]\n');
  const log = (...args: unknown[]) => void logged.push(args);
  server = await startServer({
    dir: t.dir,
    port: 0,
    worker: false,
    logger: { info() {}, warn: log, error: log },
  });
});
afterAll(async () => {
  await server.stop();
  cleanup();
});

test("a failure inside orch answers a generic 500 and is logged once with its stack", async () => {
  const t = tempDir();
  try {
    const paths = projectPaths(t.dir);
    ensureDataDir(paths);
    const store = openStore(paths.db);
    const errors: unknown[][] = [];
    const api = createApi({
      store,
      paths,
      deployer: createDeployer(store, paths),
      log: { error: (...args: unknown[]) => void errors.push(args) },
      extraRoutes: [
        {
          method: "GET",
          path: "/api/broken",
          operationId: "getBroken",
          summary: "fails",
          response: { description: "never" },
          handler: () => {
            throw new TypeError("secret internals: /home/someone/.orch/token");
          },
        },
      ],
    });
    const res = await api(new Request("http://orch.local/api/broken"));
    expect(res.status).toBe(500);
    const body = (await res.json()) as { error: { code: string; message: string } };
    expect(body.error.code).toBe("E_INTERNAL");
    expect(body.error.message).not.toMatch(/secret/);
    expect(body.error.message).toMatch(/log/);
    expect(errors).toHaveLength(1);
    expect(String(errors[0]![0])).toContain("GET /api/broken");
    expect(String(errors[0]![1])).toMatch(/TypeError: secret internals[\s\S]*at /);
    // A refusal is the client's problem, not the server's: nothing is logged.
    await api(new Request("http://orch.local/api/nope"));
    expect(errors).toHaveLength(1);
    store.close();
  } finally {
    t.cleanup();
  }
});

test("date-time fields of a task report are checked, and ajv warns about no unknown format", async () => {
  const client = createClient({ url: server.url, token: server.token });
  const run = await client.triggerRun("echo");
  const task = {
    id: "t1",
    name: "extract",
    state: "COMPLETED",
    attempts: 1,
    started_at: "2026-11-30T01:02:03.456Z",
    ended_at: "2026-11-30T02:02:03+01:00",
  };
  const ok = await client.request<{ stored: number }>("POST", `/api/runs/${run.id}/tasks`, {
    tasks: [task],
  });
  expect(ok.stored).toBe(1);
  for (const bad of ["yesterday", "2026-02-30T00:00:00Z", "2026-11-30 25:00:00Z", "1700000000"]) {
    const refused = await client
      .request("POST", `/api/runs/${run.id}/tasks`, { tasks: [{ ...task, ended_at: bad }] })
      .then(
        () => null,
        (error: { code: string; problems: { where: string; message: string }[] }) => error,
      );
    expect(refused?.code).toBe("E_BAD_INPUT");
    expect(refused?.problems).toEqual([
      {
        where: "tasks[0].ended_at",
        message: `${JSON.stringify(bad)} is not a date-time (write it as 2026-01-31T09:30:00Z)`,
      },
    ]);
  }
  const warn = vi.spyOn(console, "warn");
  try {
    compileSchema({ type: "string", format: "date-time" });
    expect(warn).not.toHaveBeenCalled();
  } finally {
    warn.mockRestore();
  }
  expect(logged).toEqual([]);
});
