import { afterAll, beforeAll, expect, test } from "vitest";
import { createClient, createWorkerClient } from "../../src/client/index.ts";
import { OrchError } from "../../src/core/index.ts";
import { type OrchServer, startServer } from "../../src/server/index.ts";
import { getWorker } from "../../src/store/index.ts";
import { tempDir } from "../helpers.ts";

let server: OrchServer;
let cleanup: () => void;

beforeAll(async () => {
  const t = tempDir();
  cleanup = t.cleanup;
  server = await startServer({ dir: t.dir, port: 0 });
});
afterAll(async () => {
  await server.stop();
  cleanup();
});

test("orch up's own worker cannot be marked offline through the API: it is alive while the server runs", async () => {
  const wc = createWorkerClient(createClient({ url: server.url, token: server.token }));
  const embedded = server.worker!.id;
  const error = await wc.offline(embedded).then(
    () => null,
    (e: unknown) => e,
  );
  expect(error).toBeInstanceOf(OrchError);
  expect((error as OrchError).code).toBe("E_CONFLICT");
  expect((error as OrchError).message).toBe(
    `worker embedded (${embedded}) is orch up's own worker and is online while the server runs; to stop it, stop orch up`,
  );
  expect(getWorker(server.store, embedded)?.status).toBe("online");

  // A remote worker still goes offline the same way.
  const remote = await wc.register({ name: "r", pool: "default", host: "h", concurrency: 1 });
  expect((await wc.offline(remote.id)).status).toBe("offline");
  expect(getWorker(server.store, remote.id)?.status).toBe("offline");
});
