import { existsSync, readFileSync, rmSync, statSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { afterEach, describe, expect, test } from "vitest";
import pkg from "../../package.json" with { type: "json" };
import { orch, spawnOrch, tempDir } from "../helpers.ts";

const DESIGN_COMMANDS = [
  "up",
  "init",
  "deploy",
  "deployments",
  "run",
  "runs",
  "flow",
  "worker",
  "monitor",
  "events",
  "version",
];

let cleanups: (() => void)[] = [];
afterEach(() => {
  for (const c of cleanups) c();
  cleanups = [];
});
function project() {
  const t = tempDir();
  cleanups.push(t.cleanup);
  return t.dir;
}

describe("help, version and exit codes", () => {
  test("--help lists every command with a description", async () => {
    const { code, stdout } = await orch(["--help"]);
    expect(code).toBe(0);
    for (const name of DESIGN_COMMANDS) {
      expect(stdout).toMatch(new RegExp(`^\\s+${name}\\s+\\S.*$`, "m"));
    }
    expect(stdout).not.toContain("\u001B["); // no colour when not on a terminal
  });

  test("version and --version print the semver", async () => {
    for (const args of [["version"], ["--version"]]) {
      const { code, stdout } = await orch(args);
      expect(code).toBe(0);
      expect(stdout).toBe(`${pkg.version}\n`);
    }
  });

  test("an unknown command and an unknown option exit 2", async () => {
    const unknown = await orch(["frobnicate"]);
    expect(unknown.code).toBe(2);
    expect(unknown.stderr).toMatch(/unknown command "frobnicate"/);
    const option = await orch(["up", "--prot", "1"]);
    expect(option.code).toBe(2);
    expect(option.stderr).toMatch(/unknown option --prot/);
    const sub = await orch(["runs", "frobnicate"]);
    expect(sub.code).toBe(2);
    expect(sub.stderr).toMatch(/unknown command "frobnicate"/);
  });

  test("a group named alone lists its commands and exits 0, as orch alone does", async () => {
    for (const group of ["runs", "workers", "deployments"]) {
      const bare = await orch([group]);
      expect(bare.code, bare.stderr).toBe(0);
      expect(bare.stdout).toBe((await orch([group, "--help"])).stdout);
      expect(bare.stdout).toMatch(/^\s+ls\s+\S/m);
    }
    expect((await orch([])).code).toBe(0);
  });

  test("orch help is orch --help, and orch help COMMAND is that command's --help", async () => {
    const help = await orch(["help"]);
    expect(help.code, help.stderr).toBe(0);
    expect(help.stdout).toBe((await orch(["--help"])).stdout);
    const runsLs = await orch(["help", "runs", "ls"]);
    expect(runsLs.code).toBe(0);
    expect(runsLs.stdout).toBe((await orch(["runs", "ls", "--help"])).stdout);
  });

  test("help says what pause stops, and shows no default for --otel (no traces unless given)", async () => {
    const pause = await orch(["deployments", "pause", "--help"]);
    expect(pause.stdout).toMatch(/schedules and triggers make no runs/);
    const up = await orch(["up", "--help"]);
    expect(up.stdout).not.toContain("<http://127.0.0.1:4318>");
    expect(up.stdout).toMatch(/--otel=<url>.*no traces unless given/);
  });

  test("an option given no value, an argument too many and a bad number exit 2 before anything runs", async () => {
    const dir = project();
    const cases: [string[], RegExp][] = [
      [["run", "hello", "-p"], /option -p needs a value/],
      [["run", "hello", "--tag", "--watch"], /option --tag needs a value/],
      [
        ["run", "hello", "--timeout", "5", "minutes"],
        /unexpected argument "minutes" for orch run \(it takes DEPLOYMENT/,
      ],
      [["runs", "logs", "abc", "extra"], /unexpected argument "extra" for orch runs logs/],
      [
        ["runs", "ls", "--limit", "abc"],
        /--limit must be a whole number from 1 to 1000, not "abc"/,
      ],
      [["runs", "ls", "--limit"], /option --limit needs a value/],
      [
        ["runs", "prune"],
        /orch runs prune needs --older-than: how old a finished run must be: "30d", "12h"\. Run orch runs prune --help/,
      ],
      [
        ["runs", "inspect"],
        /orch runs inspect needs ID: the run's id \(a unique prefix will do\)\. Run orch runs inspect --help/,
      ],
    ];
    for (const [args, message] of cases) {
      const out = await orch([...args, "--dir", dir]);
      expect(out.code, args.join(" ")).toBe(2);
      expect(out.stderr).toMatch(message);
    }
    // With --json, the error is JSON too, in the API's shape.
    const json = await orch(["runs", "ls", "--limit", "abc", "--json", "--dir", dir]);
    expect(json.code).toBe(2);
    expect(JSON.parse(json.stderr)).toEqual({
      error: {
        code: "E_BAD_INPUT",
        message: '--limit must be a whole number from 1 to 1000, not "abc"',
      },
    });
    // Nothing ran: no data dir was even made for the project.
    expect(existsSync(join(dir, ".orch"))).toBe(false);
  });

  test("a subcommand's help lists its own commands", async () => {
    const { code, stdout } = await orch(["deployments", "--help"]);
    expect(code).toBe(0);
    // A nested command's usage names it whole, as it is typed.
    expect((await orch(["runs", "ls", "--help"])).stdout).toMatch(/^USAGE orch runs ls /m);
    for (const name of ["ls", "inspect", "pause", "resume", "rm"]) {
      expect(stdout).toMatch(new RegExp(`^\\s+${name}\\s+\\S`, "m"));
    }
  });
});

describe("init", () => {
  test("scaffolds flows and a .gitignore, and never overwrites", async () => {
    const dir = project();
    const first = await orch(["init", dir]);
    expect(first.code).toBe(0);
    expect(readFileSync(join(dir, ".gitignore"), "utf8")).toMatch(/^\.orch\/$/m);
    const yaml = readFileSync(join(dir, "flows/hello.yaml"), "utf8");
    expect(yaml).toMatch(/schedules:/);
    expect(yaml).toMatch(/command:/);
    expect(yaml).toMatch(/flow: \.\/etl\.ts/);
    expect(readFileSync(join(dir, "flows/etl.ts"), "utf8")).toMatch(/from "orch"/);

    // The flows typecheck in an editor: "orch" has types, with no package to install.
    const tsc = Bun.spawnSync([
      join(import.meta.dirname, "../../node_modules/.bin/tsc"),
      "-p",
      dir,
    ]);
    expect(tsc.stdout.toString() + tsc.stderr.toString()).toBe("");
    expect(tsc.exitCode).toBe(0);

    // Not deployed yet: the listing says so, and how, rather than that there is nothing.
    const listed = await orch(["deployments", "ls", "--dir", dir]);
    expect(listed.code).toBe(0);
    expect(listed.stderr).toMatch(
      /no deployments yet: flows\/ has 1 definition file; orch up deploys them/,
    );

    // A filter naming no deployment is a typo, said with the closest name, not "no runs match".
    expect((await orch(["deploy", "--dir", dir])).code).toBe(0);
    for (const args of [
      ["runs", "ls"],
      ["triggers", "ls"],
      ["runs", "ls", "--json"],
    ]) {
      const typo = await orch([...args, "--deployment", "helo", "--dir", dir]);
      expect(typo.code).toBe(2);
      expect(typo.stderr).toMatch(/no deployment named \\?"helo\\?"; did you mean \\?"hello\\?"\?/);
    }
    expect((await orch(["runs", "ls", "--deployment", "hello", "--dir", dir])).code).toBe(0);

    // A project inside this one's flows/ would be read by this one: refused, saying why.
    const nested = await orch(["init", join(dir, "flows/inner")]);
    expect(nested.code).toBe(2);
    expect(nested.stderr).toMatch(/is inside the flows\/ folder of the project at /);
    expect(existsSync(join(dir, "flows/inner"))).toBe(false);

    // A types file an older orch init wrote goes once the package carries the types.
    writeFileSync(join(dir, "flows/orch.d.ts"), '// Types of the "orch" module for editors: old\n');
    rmSync(join(dir, "node_modules/orch"), { recursive: true });
    const again = await orch(["init", dir]);
    expect(again.code).toBe(0);
    expect(again.stderr).toMatch(/flows\/hello.yaml exists; kept/);
    expect(existsSync(join(dir, "flows/orch.d.ts"))).toBe(false);
  });

  test("a place it cannot make a project in is bad input, said without a stack", async () => {
    const dir = project();
    const noStack = /^\s+at /m;
    // /proc takes no new folders, even from root.
    const proc = await orch(["init", `/proc/orch-init-${process.pid}`]);
    expect(proc.stderr).toMatch(/cannot create \/proc\/orch-init-\d+: .*give orch init a folder/);
    expect(proc.stderr).not.toMatch(noStack);
    expect(proc.code).toBe(2);

    writeFileSync(join(dir, "afile"), "");
    const file = await orch(["init", "afile"], { cwd: dir });
    expect(file.stderr).toMatch(/afile is a file, not a folder/);
    expect(file.stderr).not.toMatch(noStack);
    expect(file.code).toBe(2);

    // A file where a folder of the project goes: the path that failed is named.
    writeFileSync(join(dir, "flows"), "");
    const inner = await orch(["init", dir]);
    expect(inner.stderr).toMatch(/cannot create .*flows.*: /);
    expect(inner.stderr).not.toMatch(noStack);
    expect(inner.code).toBe(2);
  });
});

describe("up", () => {
  test("serves health, writes server.json and the token, and cleans up on SIGTERM", async () => {
    const dir = project();
    const up = spawnOrch(["up", "--headless", "--port", "0", "--dir", dir]);
    await up.waitFor("orch is up at");
    const info = JSON.parse(readFileSync(join(dir, ".orch/server.json"), "utf8"));
    expect(info.pid).toBe(up.proc.pid);
    const health = await (await fetch(`${info.url}/api/health`)).json();
    expect(health).toMatchObject({ status: "ok", version: pkg.version });
    expect(statSync(join(dir, ".orch")).mode & 0o777).toBe(0o700);
    expect(statSync(join(dir, ".orch/token")).mode & 0o777).toBe(0o600);
    expect(new URL(info.url).hostname).toBe("127.0.0.1");

    up.proc.kill("SIGTERM");
    expect(await up.proc.exited).toBe(0);
    expect(existsSync(join(dir, ".orch/server.json"))).toBe(false);
  });

  test("a second up on the same project says where the first one runs", async () => {
    const dir = project();
    const first = spawnOrch(["up", "--headless", "--port", "0", "--dir", dir]);
    await first.waitFor("orch is up at");
    const { url } = JSON.parse(readFileSync(join(dir, ".orch/server.json"), "utf8"));
    const second = await orch(["up", "--headless", "--port", "0", "--dir", dir]);
    expect(second.code).toBe(1);
    expect(second.stderr).toContain(`already running for ${dir} at ${url}`);
    expect(second.stderr).toContain("orch monitor");
    first.proc.kill("SIGINT");
    expect(await first.proc.exited).toBe(0);
  });

  test("a server killed with -9 does not block the next start", async () => {
    const dir = project();
    const first = spawnOrch(["up", "--headless", "--port", "0", "--dir", dir]);
    await first.waitFor("orch is up at");
    first.proc.kill("SIGKILL");
    await first.proc.exited;
    const second = spawnOrch(["up", "--headless", "--port", "0", "--dir", dir]);
    await second.waitFor("orch is up at");
    const info = JSON.parse(readFileSync(join(dir, ".orch/server.json"), "utf8"));
    expect(info.pid).toBe(second.proc.pid);
    second.proc.kill("SIGTERM");
    expect(await second.proc.exited).toBe(0);
  });

  test("a taken port given with --port is a clear error", async () => {
    const dir = project();
    const blocker = Bun.serve({ port: 0, hostname: "127.0.0.1", fetch: () => new Response("x") });
    try {
      const { code, stderr } = await orch([
        "up",
        "--headless",
        "--port",
        String(blocker.port),
        "--dir",
        dir,
      ]);
      expect(code).toBe(2);
      expect(stderr).toMatch(new RegExp(`port ${blocker.port} .* already in use`));
      expect(existsSync(join(dir, ".orch/server.json"))).toBe(false);
    } finally {
      blocker.stop(true);
    }
  });
});
