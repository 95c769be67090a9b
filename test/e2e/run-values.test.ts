import { readFileSync } from "node:fs";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, test } from "vitest";
import type { RunDetail } from "../../src/client/index.ts";
import { orch, projectServer, tempDir } from "../helpers.ts";

// The secrets and variables a flow's files name reach every kind of run the same way: a
// deployment's, an ad-hoc one (`orch flow run`, with or without a server) and a replay. The
// secret is named in a local module the flow imports; the variable with a fallback (two
// arguments), as README documents both.
const TOKEN = "vendor-tok-4e7f";
const VENDOR = `import { getSecret } from "orch";
export const auth = () => "Bearer " + getSecret("vendor_token");
`;
const ORDERS = `import { flow, getVariable, task } from "orch";
import { existsSync } from "node:fs";
import { auth } from "./vendor.ts";
const extract = task({ name: "extract", retries: 1 }, () => auth());
const load = task("load", (marker: string) => {
  if (existsSync(marker)) throw new Error("load is broken");
  return getVariable("warehouse_db", "FALLBACK");
});
export default flow("orders", async ({ marker = "/nonexistent" }: { marker?: string }) => {
  const header = await extract();
  const db = await load(marker);
  console.log("auth " + header + " db " + db);
  return db;
});
`;
// A task that retries for an hour: a missing secret must fail it at once, not after the retries.
const LACKS = `import { flow, getSecret, task } from "orch";
const call = task({ name: "call", retries: 3, retryDelay: "1h" }, () => getSecret("not_set_yet"));
export default flow("lacks", async () => call());
`;

let dir: string;
let cleanup: () => void;
const server = projectServer(() => dir);
const cli = (...args: string[]) => orch([...args, "--dir", dir], { env: { ORCH_KEYCHAIN: "off" } });

/** A run as `runs inspect --json` shows it. */
async function inspect(id: string): Promise<RunDetail> {
  const r = await cli("runs", "inspect", id, "--json");
  return JSON.parse(r.stdout) as RunDetail;
}

/** The id of the run an `orch flow run` (or replay) printed on stderr. */
function runIdOf(stderr: string): string {
  const id = /run ([0-9a-f]{8})/.exec(stderr)?.[1];
  if (!id) throw new Error(`no run id in:\n${stderr}`);
  return id;
}

beforeAll(async () => {
  ({ dir, cleanup } = tempDir());
  await Bun.write(
    join(dir, "flows/orders.yaml"),
    "deployments:\n  - name: orders\n    flow: ./orders.ts\n",
  );
  await Bun.write(join(dir, "flows/orders.ts"), ORDERS);
  await Bun.write(join(dir, "flows/vendor.ts"), VENDOR);
  await Bun.write(join(dir, "lacks.ts"), LACKS);
  const set = Bun.spawn(
    [join(import.meta.dirname, "../../dist/orch"), "secrets", "set", "vendor_token", "--dir", dir],
    {
      stdin: new TextEncoder().encode(TOKEN),
      stdout: "pipe",
      env: { ...process.env, ORCH_KEYCHAIN: "off" },
    },
  );
  expect(await set.exited).toBe(0);
  expect((await cli("variables", "set", "warehouse_db", "/data/wh.db")).code).toBe(0);
});

afterAll(async () => {
  await server.stop();
  cleanup();
});

describe("with no server", () => {
  test("orch flow run gives the flow the secrets and variables its files name", async () => {
    const r = await cli("flow", "run", join(dir, "flows/orders.ts"));
    expect(r.stderr).not.toContain("was not given");
    expect(r.code).toBe(0);
    // The value reached the flow (masked where it is printed), and the variable won the fallback.
    expect(r.stdout).toContain("auth Bearer **** db /data/wh.db");
    expect(r.stdout).not.toContain(TOKEN);
  });

  test("a missing secret fails its task at once, saying so, with no wait for its retries", async () => {
    const r = await cli("flow", "run", join(dir, "lacks.ts"));
    expect(r.code).toBe(1);
    expect(r.stderr).toContain("the flow names secret not_set_yet, which is not set");
    expect(`${r.stdout}${r.stderr}`).toContain(
      "task call failed (not retried: a missing secret or variable fails every attempt)",
    );
    const run = await inspect(runIdOf(r.stderr));
    expect(run.tasks.map((t) => [t.name, t.state, t.attempts])).toEqual([["call", "FAILED", 1]]);
    expect(run.state_message).toContain("orch secrets set not_set_yet");
  });
});

describe("with a server", () => {
  let failed: string;

  beforeAll(async () => {
    await server.start();
    const marker = join(dir, "broken");
    await Bun.write(marker, "");
    const ran = await cli("run", "orders", "-p", `marker=${marker}`, "--watch", "--json");
    failed = (JSON.parse(ran.stdout) as { id: string }).id;
  });

  test("a deployment's run receives a variable named with a fallback (two arguments)", async () => {
    const ok = await cli("run", "orders", "--watch");
    expect(ok.code).toBe(0);
    expect(ok.stdout).toContain("auth Bearer **** db /data/wh.db");
  });

  test("orch flow run through the server gives the flow its secrets", async () => {
    const r = await cli("flow", "run", join(dir, "flows/orders.ts"));
    expect(r.stderr).not.toContain("was not given");
    expect(r.code).toBe(0);
    expect(r.stdout).toContain("auth Bearer **** db /data/wh.db");
  });

  test("a replay from a task that reads a secret gives it the secret", async () => {
    expect((await inspect(failed)).state).toBe("FAILED");
    const r = await cli("runs", "replay", failed, "--from", "extract");
    expect(r.stderr).not.toContain("was not given");
    // It fails where the run did (load is still broken), past the task that needs the secret.
    expect(r.stderr).toMatch(/extract\s+COMPLETED/);
    expect(r.stderr).toMatch(/load\s+FAILED: load is broken/);
    expect(readFileSync(join(dir, "broken"), "utf8")).toBe("");
  });
});
