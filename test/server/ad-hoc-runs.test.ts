import { afterAll, beforeAll, expect, test } from "vitest";
import { type Client, createClient, createWorkerClient } from "../../src/client/index.ts";
import { OrchError } from "../../src/core/index.ts";
import { type OrchServer, startServer } from "../../src/server/index.ts";
import { tempDir } from "../helpers.ts";

let server: OrchServer;
let cleanup: () => void;
let client: Client;

beforeAll(async () => {
  const t = tempDir();
  cleanup = t.cleanup;
  server = await startServer({ dir: t.dir, port: 0 });
  client = createClient({ url: server.url, token: server.token });
});
afterAll(async () => {
  await server.stop();
  cleanup();
});

async function refusal(call: Promise<unknown>): Promise<OrchError> {
  const error = await call.then(
    () => null,
    (e: unknown) => e,
  );
  if (!(error instanceof OrchError)) throw new Error(`expected an OrchError, got ${error}`);
  return error;
}

test("an ad-hoc run for orch up's own worker is refused, not left PENDING forever", async () => {
  const wc = createWorkerClient(client);
  const embedded = server.worker!.id;
  const error = await refusal(wc.createAdHocRun({ flow: "flows/x.ts", worker_id: embedded }));
  expect(error.code).toBe("E_BAD_INPUT");
  expect(error.message).toBe(
    `worker embedded (${embedded}) takes runs of pool default and cannot run an ad-hoc flow; register the worker that runs it in pool ad-hoc (POST /api/workers), as orch flow run does`,
  );
  expect((await client.listRuns()).runs).toEqual([]);
});

test("so is one for a remote worker of a pool: it only claims deployments' runs", async () => {
  const wc = createWorkerClient(client);
  const remote = await wc.register({ name: "r", pool: "default", host: "h", concurrency: 1 });
  const error = await refusal(wc.createAdHocRun({ flow: "flows/x.ts", worker_id: remote.id }));
  expect(error.code).toBe("E_BAD_INPUT");
  expect(error.message).toMatch(/takes runs of pool default and cannot run an ad-hoc flow/);
  expect((await client.listRuns()).runs).toEqual([]);
  await wc.offline(remote.id);
});
