import { readFileSync, statSync } from "node:fs";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, test } from "vitest";
import {
  type Client,
  createClient,
  createWorkerClient,
  type RunJson,
} from "../../src/client/index.ts";
import { ORCH, orch, spawnOrch, tempDir } from "../helpers.ts";
import { createMarker } from "../processes.ts";

const PASSWORD = "hunter2-a1b2";
const API_KEY = "sk-live-77aa99";
const OTHER = "never-sent-5c3d";
const remote = createMarker("secrets-remote");

// A shell flow that prints its secret every way it can: env, stdout, stderr, a value written in
// two pieces, a parameter; one that fails with the secret in its state message; a TypeScript flow
// reading it with getSecret; one that prints the API token orch gives every run.
const FLOWS = `deployments:
  - name: leak
    command:
      - sh
      - -c
      - |
        echo "env=$DB_PASSWORD"
        echo "err=$DB_PASSWORD" >&2
        printf 'split=%s' "$(echo "$DB_PASSWORD" | cut -c1-5)"; sleep 0.05
        printf '%s\\n' "$(echo "$DB_PASSWORD" | cut -c6-)"
        echo "param={{ parameters.pw }} host=$HOST"
    parameters: { pw: "{{ secrets.db_password }}" }
    env: { DB_PASSWORD: "{{ secrets.db_password }}", HOST: "{{ variables.db_host }}" }
  - name: message
    command: ["{{ parameters.cmd }}"]
    parameters: { cmd: "{{ secrets.db_password }}" }
  - name: token
    command: ["sh", "-c", "echo token=$ORCH_API_TOKEN"]
  - name: ts
    flow: ./uses.ts
  - name: remote
    command: ["sh", "-c", "echo remote=$KEY"]
    env: { KEY: "{{ secrets.api_key }}", ORCH_TEST_MARKER: "${remote.env.ORCH_TEST_MARKER}" }
    work_pool: remote
`;
const USES = `import { flow, getRunLogger, getSecret, getVariable, task } from "orch";
const leaky = task("leaky", async () => {
  throw new Error("task saw " + getSecret("api_key"));
});
export default flow("uses", async () => {
  console.log("key", getSecret("api_key"), "at", getVariable("db_host"));
  getRunLogger().warn("logger " + getSecret("api_key"), { key: getSecret("api_key") });
  await leaky().catch(() => {});
  throw new Error("failed with " + getSecret("api_key"));
});
`;

let dir: string;
let cleanup: () => void;
let up: ReturnType<typeof spawnOrch> | null = null;
let client: Client;
let token: string;

/** orch with `input` on its stdin. */
async function orchWithInput(args: string[], input: string) {
  const proc = Bun.spawn([ORCH, ...args, "--dir", dir], {
    env: { ...process.env, NO_COLOR: "1" },
    stdin: new TextEncoder().encode(input),
    stdout: "pipe",
    stderr: "pipe",
  });
  const [stdout, stderr, code] = await Promise.all([
    new Response(proc.stdout).text(),
    new Response(proc.stderr).text(),
    proc.exited,
  ]);
  return { code, stdout, stderr };
}

const run = (...args: string[]) => orch([...args, "--dir", dir]);

/** Trigger a run and wait for its end through the CLI. */
async function runToEnd(name: string): Promise<RunJson> {
  const r = await run("run", name, "--watch", "--json");
  return JSON.parse(r.stdout) as RunJson;
}

/** Everything orch stored of a run, as the API serves it: logs, details, states. */
async function storedText(id: string): Promise<string> {
  const logs = await client.runLogs(id);
  const detail = await client.getRun(id);
  return `${logs.map((l) => l.line).join("\n")}\n${JSON.stringify(detail)}`;
}

beforeAll(async () => {
  ({ dir, cleanup } = tempDir());
  await Bun.write(join(dir, "flows/all.yaml"), FLOWS);
  await Bun.write(join(dir, "flows/uses.ts"), USES);
});

afterAll(async () => {
  if (up) {
    up.proc.kill("SIGTERM");
    await up.proc.exited;
  }
  remote.kill();
  cleanup();
});

describe("secrets without a server", () => {
  test("a definition naming a secret that does not exist fails to deploy, with file:line:col", async () => {
    const r = await run("deploy");
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(/flows\/all\.yaml:\d+:\d+: .*no secret named "db_password"/);
    expect(r.stderr).toMatch(/flows\/uses\.ts:3:\d+: no secret named "api_key"/);
    expect(r.stderr).toContain("orch secrets set db_password");
  });

  test("set from stdin and from a file; ls shows names and where the key is, never values", async () => {
    expect((await orchWithInput(["secrets", "set", "db_password"], `${PASSWORD}\n`)).code).toBe(0);
    await Bun.write(join(dir, "key.txt"), `${API_KEY}\n`);
    expect((await run("secrets", "set", "api_key", "--from-file", join(dir, "key.txt"))).code).toBe(
      0,
    );
    expect((await orchWithInput(["secrets", "set", "other"], OTHER)).code).toBe(0);
    expect((await run("variables", "set", "db_host", "db.internal")).code).toBe(0);
    expect((await run("variables", "get", "db_host")).stdout).toBe("db.internal\n");

    const ls = await run("secrets", "ls");
    expect(ls.code).toBe(0);
    expect(ls.stdout).toMatch(/api_key[\s\S]*db_password[\s\S]*other/);
    expect(ls.stderr).toContain(join(dir, ".orch/secrets.key"));
    const json = await run("secrets", "ls", "--json");
    const listed = JSON.parse(json.stdout) as { secrets: { name: string }[]; key: unknown };
    expect(listed.secrets.map((s) => s.name)).toEqual(["api_key", "db_password", "other"]);
    expect(listed.key).toEqual({ kind: "file", where: join(dir, ".orch/secrets.key") });
    for (const out of [ls.stdout, ls.stderr, json.stdout]) {
      expect(out).not.toContain(PASSWORD);
      expect(out).not.toContain(API_KEY);
    }
  });

  test("a name no secret may have is refused before any value is read", async () => {
    const bad = await orchWithInput(["secrets", "set", "bad name"], "");
    expect(bad.code).toBe(2);
    expect(bad.stderr).toContain('"bad name" is not a valid secret name');
    expect(bad.stderr).not.toContain("must not be empty");
  });

  test("typed at a terminal, the value is asked for without echo", async () => {
    // `script` gives orch a terminal; the value is typed once the prompt is there.
    const proc = Bun.spawn(
      ["script", "-qec", `${ORCH} secrets set typed --dir ${dir}`, "/dev/null"],
      { stdin: "pipe", stdout: "pipe", stderr: "pipe", env: { ...process.env, NO_COLOR: "1" } },
    );
    let out = "";
    const reader = (async () => {
      for await (const chunk of proc.stdout) out += new TextDecoder().decode(chunk);
    })();
    const deadline = performance.now() + 10_000;
    while (!out.includes("(not shown)") && performance.now() < deadline) await Bun.sleep(20);
    proc.stdin.write("typed-value-42\r");
    await proc.stdin.flush();
    expect(await proc.exited).toBe(0);
    await reader;
    expect(out).toContain("secret typed set");
    expect(out).not.toContain("typed-value-42");
    expect((await run("secrets", "rm", "typed")).code).toBe(0);
  });

  test("the store and the key file are the user's alone, and the store holds no plain value", () => {
    expect(statSync(join(dir, ".orch")).mode & 0o777).toBe(0o700);
    expect(statSync(join(dir, ".orch/orch.db")).mode & 0o777).toBe(0o600);
    expect(statSync(join(dir, ".orch/secrets.key")).mode & 0o777).toBe(0o600);
    for (const file of ["orch.db", "orch.db-wal"]) {
      let bytes = "";
      try {
        bytes = readFileSync(join(dir, ".orch", file), "latin1");
      } catch {}
      expect(bytes).not.toContain(PASSWORD);
      expect(bytes).not.toContain(API_KEY);
    }
  });

  test("once the secrets exist the definitions deploy, and deploy --check agrees", async () => {
    const check = await run("deploy", "--check");
    expect(check.stderr).not.toContain("no secret");
    expect(check.stderr).not.toContain("no variable");
    expect(check.code).toBe(0);
    const r = await run("deploy");
    expect(r.stderr).not.toContain("no secret");
    expect(r.code).toBe(0);
  });
});

describe("runs receive secrets, and orch stores them masked", () => {
  beforeAll(async () => {
    up = spawnOrch(["up", "--headless", "--port", "0", "--dir", dir]);
    await up.waitFor("orch is up at");
    const server = JSON.parse(readFileSync(join(dir, ".orch/server.json"), "utf8")) as {
      url: string;
    };
    token = readFileSync(join(dir, ".orch/token"), "utf8").trim();
    client = createClient({ url: server.url, token });
  });

  test("in stdout, stderr, a value written in two pieces, env and parameters", async () => {
    const end = await runToEnd("leak");
    expect(end.state).toBe("COMPLETED");
    const lines = (await client.runLogs(end.id)).map((l) => `${l.stream}:${l.line}`);
    expect(lines).toEqual(
      expect.arrayContaining([
        "stdout:env=****",
        "stderr:err=****",
        "stdout:split=****",
        "stdout:param=**** host=db.internal",
      ]),
    );
    // The run keeps the reference, never the value.
    expect(end.parameters).toEqual({ pw: "{{ secrets.db_password }}" });
    expect(await storedText(end.id)).not.toContain(PASSWORD);
    const cli = await run("runs", "logs", end.id);
    expect(cli.stdout).toContain("env=****");
    expect(cli.stdout).not.toContain(PASSWORD);
  });

  test("in a state message", async () => {
    const end = await runToEnd("message");
    expect(end.state).toBe("FAILED");
    expect(end.state_message).toContain("command not found: ****");
    expect(await storedText(end.id)).not.toContain(PASSWORD);
  });

  test("the API token a run is given is masked too", async () => {
    const end = await runToEnd("token");
    expect((await client.runLogs(end.id)).map((l) => l.line)).toEqual(["token=****"]);
  });

  test("a TypeScript flow reads getSecret and getVariable; its output and error are masked", async () => {
    const end = await runToEnd("ts");
    expect(end.state).toBe("FAILED");
    const text = await storedText(end.id);
    expect(text).toContain("key **** at db.internal");
    expect(text).toContain("logger ****");
    expect(text).toContain("failed with ****");
    expect(end.state_message).toContain("failed with ****");
    const logs = await client.runLogs(end.id);
    expect(logs.find((l) => l.line === "logger ****")?.fields).toEqual({ key: "****" });
    const tasks = (await client.getRun(end.id)).tasks;
    expect(JSON.stringify(tasks)).toContain("task saw ****");
    expect(text).not.toContain(API_KEY);
  });

  test("a file invalid for a variable not set yet deploys once it is set, with no save", async () => {
    await Bun.write(
      join(dir, "flows/later.yaml"),
      `deployments:\n  - name: later\n    command: ["true"]\n    env: { H: "{{ variables.later_host }}" }\n`,
    );
    await up!.waitFor('no variable named "later_host"', 15_000);
    expect((await run("variables", "set", "later_host", "db.later")).code).toBe(0);
    await up!.waitFor("flows/later.yaml is valid again", 15_000);
    expect((await client.getDeployment("later")).name).toBe("later");
    // With the server up, a check knows the names from it.
    const check = await run("deploy", "--check");
    expect(check.stderr).not.toContain("no variable");
    expect(check.code).toBe(0);
  });

  test("the API sets and lists secrets but never answers with a value", async () => {
    const set = await client.setSecret("temp", "temporary-value-9");
    expect(JSON.stringify(set)).not.toContain("temporary-value-9");
    const res = await client.raw("GET", "/api/secrets/temp").catch((e: Error) => e);
    expect(res).toBeInstanceOf(Error);
    expect((await client.removeSecret("temp")).removed).toBe(true);
  });
});

describe("removing a value deployments name", () => {
  test("is refused with their names (exit 2) unless --force; a run then says how to set it", async () => {
    const refused = await run("secrets", "rm", "db_password");
    expect(refused.code).toBe(2);
    expect(refused.stderr).toContain(
      "secret db_password is named by deployments leak, message: their runs would fail without it",
    );
    const variable = await run("variables", "rm", "db_host");
    expect(variable.code).toBe(2);
    expect(variable.stderr).toContain("variable db_host is named by deployments leak, ts");
    expect((await client.listVariables()).map((v) => v.name)).toContain("db_host");
    const forced = await run("secrets", "rm", "db_password", "--force");
    expect(forced.code).toBe(0);
    const failed = await runToEnd("leak");
    expect(failed.state).toBe("FAILED");
    expect((await client.getRun(failed.id)).state_message).toContain(
      "no secret db_password was given to this run; set it with orch secrets set db_password",
    );
    await client.setSecret("db_password", PASSWORD);
    expect((await runToEnd("leak")).state).toBe("COMPLETED");
  });
});

describe("remote workers", () => {
  test("a claim carries only the secrets of the claimed run's version", async () => {
    const wc = createWorkerClient(client);
    const worker = await wc.register({
      name: "probe",
      pool: "remote",
      host: "here",
      concurrency: 1,
    });
    const triggered = await client.triggerRun("remote");
    const { jobs } = await wc.claim(worker.id, { limit: 1, wait_ms: 5000 });
    expect(jobs.map((j) => j.run_id)).toEqual([triggered.id]);
    expect(jobs[0]!.secrets).toEqual({ api_key: API_KEY });
    expect(JSON.stringify(jobs)).not.toContain(PASSWORD);
    expect(JSON.stringify(jobs)).not.toContain(OTHER);
    await wc.offline(worker.id);
  });

  test("orch worker takes its token from ORCH_API_TOKEN, and masks what its runs print", async () => {
    const worker = spawnOrch(["worker", "--pool", "remote"], {
      cwd: dir,
      env: { ORCH_API_URL: client.url, ORCH_API_TOKEN: token, ...remote.env },
    });
    try {
      await worker.waitFor("takes runs of pool remote", 15_000);
      expect(worker.stderr).not.toContain("--token shows");
      const end = await runToEnd("remote");
      expect(end.state).toBe("COMPLETED");
      expect((await client.runLogs(end.id)).map((l) => l.line)).toEqual(["remote=****"]);
    } finally {
      worker.proc.kill("SIGTERM");
      await worker.proc.exited;
    }
  });

  test("--token still works but warns that ps shows it; --token-file reads a file", async () => {
    await Bun.write(join(dir, "token.txt"), `${token}\n`);
    const fromFile = spawnOrch(
      ["worker", "--pool", "remote", "--api", client.url, "--token-file", join(dir, "token.txt")],
      { cwd: dir, env: remote.env },
    );
    try {
      await fromFile.waitFor("takes runs of pool remote", 15_000);
      expect(fromFile.stderr).not.toContain("--token shows");
    } finally {
      fromFile.proc.kill("SIGTERM");
      await fromFile.proc.exited;
    }
    const inArgs = spawnOrch(
      ["worker", "--pool", "remote", "--api", client.url, "--token", token],
      {
        cwd: dir,
        env: remote.env,
      },
    );
    try {
      await inArgs.waitFor("takes runs of pool remote", 15_000);
      expect(inArgs.stderr).toContain("--token shows the token to every user");
    } finally {
      inArgs.proc.kill("SIGTERM");
      await inArgs.proc.exited;
    }
  });
});
