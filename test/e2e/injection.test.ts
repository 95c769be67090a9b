import { existsSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, test } from "vitest";
import { orch, spawnOrch, tempDir } from "../helpers.ts";
import { hostileValues } from "../hostile-values.ts";

// Each deployment prints its parameter on its own line(s), the placeholder in a different place:
// an argv element, an sh -c script, a string command, and a string command started by a webhook.
const FLOWS = `deployments:
  - name: argv
    command: ['printf', '%s\\n', '{{ parameters.v }}']
    parameters: { v: "" }
  - name: script
    command: ['sh', '-c', "printf '%s\\\\n' {{ parameters.v }}"]
    parameters: { v: "" }
  - name: string
    command: printf '%s\\n' "{{ parameters.v }}"
    parameters: { v: "" }
  - name: hook
    command: printf '%s\\n' {{ parameters.ref }}
    parameters: { ref: none }
    triggers:
      - on: webhook.push
        parameters: { ref: "{{ event.payload.ref }}" }
`;

let dir: string;
let cleanup: () => void;
let up: ReturnType<typeof spawnOrch>;
let marker: string;
let values: string[];

beforeAll(async () => {
  ({ dir, cleanup } = tempDir());
  marker = join(dir, "pwned");
  values = hostileValues(marker);
  expect((await orch(["init", dir])).code).toBe(0);
  await Bun.write(join(dir, "flows/all.yaml"), FLOWS);
  up = spawnOrch(["up", "--headless", "--port", "0", "--dir", dir]);
  await up.waitFor("orch is up at");
});

afterAll(async () => {
  up.proc.kill("SIGTERM");
  await up.proc.exited;
  cleanup();
});

describe("no parameter runs as code (the compiled binary)", () => {
  test("orch init's hello example prints a hostile name and runs none of it", async () => {
    const name = `$(id -u > ${marker})`;
    const r = await orch(["run", "hello", "-p", `name=${name}`, "--watch", "--dir", dir]);
    expect(r.stdout, r.stderr).toBe(`hello, ${name}\n`);
    expect(existsSync(marker)).toBe(false);
  });

  test.each(["argv", "script", "string"])(
    "orch run %s -p v=VALUE prints each hostile value verbatim and runs none of it",
    async (deployment) => {
      for (const value of values) {
        const r = await orch(["run", deployment, "-p", `v=${value}`, "--watch", "--dir", dir]);
        expect(r.stdout, r.stderr).toBe(`${value}\n`);
        expect(r.code).toBe(0);
      }
      expect(existsSync(marker)).toBe(false);
    },
  );

  test("a webhook body templated into a string command's parameter arrives as data", async () => {
    const { url } = JSON.parse(readFileSync(join(dir, ".orch/server.json"), "utf8"));
    const token = readFileSync(join(dir, ".orch/token"), "utf8").trim();
    const headers = { authorization: `Bearer ${token}`, "content-type": "application/json" };
    for (const ref of values) {
      const res = await fetch(`${url}/hooks/push`, {
        method: "POST",
        headers,
        body: JSON.stringify({ ref }),
      });
      expect(res.status).toBe(202);
    }
    type Run = { id: string; state: string; parameters: { ref: string } };
    let runs: Run[] = [];
    const deadline = Date.now() + 30_000;
    while (Date.now() < deadline) {
      const res = await fetch(`${url}/api/runs?deployment=hook&limit=100`, { headers });
      runs = (await res.json()) as Run[];
      if (runs.length === values.length && runs.every((r) => r.state === "COMPLETED")) break;
      await Bun.sleep(50);
    }
    expect(runs.map((r) => r.state)).toEqual(values.map(() => "COMPLETED"));
    expect(runs.map((r) => r.parameters.ref).sort()).toEqual([...values].sort());
    for (const run of runs) {
      const logs = await orch(["runs", "logs", run.id, "--dir", dir]);
      expect(logs.stdout).toBe(`${run.parameters.ref}\n`);
    }
    expect(existsSync(marker)).toBe(false);
  });
});
