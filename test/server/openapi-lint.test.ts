import { resolve } from "node:path";
import { afterAll, beforeAll, expect, test } from "vitest";
import { createClient } from "../../src/client/index.ts";
import { type OrchServer, startServer } from "../../src/server/index.ts";
import { tempDir } from "../helpers.ts";

const ROOT = resolve(import.meta.dirname, "../..");
const CLI = resolve(ROOT, "node_modules/@redocly/cli/bin/cli.js");

let server: OrchServer;
let t: { dir: string; cleanup: () => void };

beforeAll(async () => {
  if (!(await Bun.file(CLI).exists())) {
    throw new Error(`${CLI} is missing: run npm install (package.json lists @redocly/cli)`);
  }
  t = tempDir();
  await Bun.write(`${t.dir}/flows/a.yaml`, 'deployments:\n  - name: echo\n    command: ["true"]\n');
  server = await startServer({ dir: t.dir, port: 0, worker: false });
});
afterAll(async () => {
  await server?.stop();
  t?.cleanup();
});

/** The server's OpenAPI document. */
const document = () =>
  createClient({ url: server.url, token: server.token }).request("GET", "/api/openapi.json");

/** Lint a document with the project's redocly.yaml: offline, no telemetry, no update notice. */
async function lint(doc: unknown): Promise<{ code: number; output: string }> {
  const file = `${t.dir}/openapi-${Math.random().toString(36).slice(2)}.json`;
  await Bun.write(file, JSON.stringify(doc));
  const proc = Bun.spawn(
    [process.execPath, CLI, "lint", "--config", resolve(ROOT, "redocly.yaml"), file],
    {
      cwd: t.dir,
      env: {
        PATH: process.env.PATH,
        HOME: t.dir,
        NO_COLOR: "1",
        REDOCLY_TELEMETRY: "off",
        REDOCLY_SUPPRESS_UPDATE_NOTICE: "true",
      },
      stdout: "pipe",
      stderr: "pipe",
    },
  );
  const [stdout, stderr, code] = await Promise.all([
    new Response(proc.stdout).text(),
    new Response(proc.stderr).text(),
    proc.exited,
  ]);
  return { code, output: stdout + stderr };
}

test("/api/openapi.json passes the OpenAPI lint (recommended rules, warnings as errors)", async () => {
  const doc = await document();
  const result = await lint(doc);
  expect(result.output).toContain("Your API description is valid");
  expect(result.code).toBe(0);
});

test("the lint does fail a document with a broken contract", async () => {
  const doc = (await document()) as {
    paths: Record<string, Record<string, { operationId?: string }>>;
  };
  // Two operations under one operationId: a generated client could not name them.
  doc.paths["/api/runs"]!.get!.operationId = "getRun";
  const result = await lint(doc);
  expect(result.output).toContain("operation-operationId-unique");
  expect(result.code).not.toBe(0);
});
