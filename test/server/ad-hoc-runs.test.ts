import { afterAll, beforeAll, expect, test } from "vitest";
import { type Client, createClient, createWorkerClient } from "../../src/client/index.ts";
import { OrchError } from "../../src/core/index.ts";
import { type OrchServer, startServer } from "../../src/server/index.ts";
import { createRun } from "../../src/store/index.ts";
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

test("each route on a held ad-hoc run says what is wrong for that route", async () => {
  const wc = createWorkerClient(client);
  const register = (name: string) =>
    wc.register({ name, pool: "ad-hoc", host: "here", concurrency: 1 });
  const own = await register("flow-run-a");
  const other = await register("flow-run-b");
  const held = await wc.createAdHocRun({ flow: "flows/own.ts", worker_id: own.id });
  const deployed = createRun(server.store, { deployment: "etl", retries: 0 });
  const routes = {
    retries: (worker: string, run: string) =>
      wc.setAdHocRetries(worker, run, { retries: 2, retry_delay_ms: 0 }),
    values: (worker: string, run: string) =>
      wc.adHocRunValues(worker, run, { secrets: ["token"], variables: [] }),
  };
  const messages = async (worker: string, run: string) => ({
    retries: (await refusal(routes.retries(worker, run))).message,
    values: (await refusal(routes.values(worker, run))).message,
  });

  // A deployment's run: each route says where that run gets what the route gives.
  const ofDeployment = await messages(own.id, deployed.id);
  expect(ofDeployment.retries).toBe(
    `run ${deployed.id} is not an ad-hoc run; its retries come from its deployment`,
  );
  expect(ofDeployment.values).toBe(
    `run ${deployed.id} is not an ad-hoc run; its worker gets the secrets and variables its version names with its job, from the claim`,
  );
  // Another worker's: each route says what only the run's own orch flow run may do.
  const ofOther = await messages(other.id, held.id);
  expect(ofOther.retries).toMatch(/only the orch flow run that made it sets its retries$/);
  expect(ofOther.values).toMatch(
    /only the orch flow run that made it is given its secrets and variables$/,
  );
  expect(ofOther.values).not.toMatch(/retries/);
});
