import { afterAll, beforeAll } from "vitest";
import { type Client, createClient } from "../../src/client/index.ts";
import { type OrchServer, startServer } from "../../src/server/index.ts";
import { tempDir } from "../helpers.ts";

/**
 * This test file's process plays a flow's process: a real server (no worker) with one run, and
 * the environment a worker gives a flow (`env` adds to it), set before the tests and taken back
 * after them. Read `server`, `client` and `runId` inside tests.
 */
export function playFlowProcess(env: Record<string, string> = {}) {
  const state = {} as { server: OrchServer; client: Client; runId: string };
  let cleanup = () => {};
  let keys: string[] = [];
  beforeAll(async () => {
    const t = tempDir();
    cleanup = t.cleanup;
    await Bun.write(
      `${t.dir}/flows/a.yaml`,
      'deployments:\n  - name: host\n    command: ["true"]\n',
    );
    state.server = await startServer({ dir: t.dir, port: 0, worker: false });
    state.client = createClient({ url: state.server.url, token: state.server.token });
    state.runId = (await state.client.triggerRun("host")).id;
    const vars = {
      ORCH_API_URL: state.server.url,
      ORCH_API_TOKEN: state.server.token,
      ORCH_RUN_ID: state.runId,
      ...env,
    };
    keys = Object.keys(vars);
    Object.assign(process.env, vars);
  });
  afterAll(async () => {
    for (const key of keys) delete process.env[key];
    await state.server?.stop();
    cleanup();
  });
  return state;
}
