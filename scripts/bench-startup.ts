/**
 * Start-up of the compiled dist/orch (built first) beside a compiled hello world built by the
 * same Bun in the same run: `orch --version`, `orch runs ls` and `orch deployments ls` against a
 * running server that has runs, and `orch runs ls` with no server (the store read in process).
 * Each command runs `--n` times, interleaved with the baseline so both see the same machine;
 * prints the medians of wall time and of CPU time (user + system, which a busy machine disturbs
 * less), and each one's ratio to the baseline. Prints one JSON line.
 * `orch flow run` of a trivial TypeScript flow is measured too (two processes: the command and the
 * flow's own). `--before PATH` adds another build of orch (say, main's) to every measurement, run
 * interleaved with this one, so a change is compared in the same minutes.
 * `bun scripts/bench-startup.ts [--n 40] [--before PATH]`
 */
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join, resolve } from "node:path";
import { parseArgs } from "node:util";

const { values } = parseArgs({
  options: { n: { type: "string", default: "40" }, before: { type: "string" } },
});
const BEFORE = values.before ? resolve(values.before) : undefined;
const N = Number(values.n);
const ORCH = resolve(import.meta.dirname, "../dist/orch");
const dir = mkdtempSync(join(tmpdir(), "orch-bench-startup-"));

function must(cmd: string[], cwd = dir): string {
  const r = Bun.spawnSync(cmd, { cwd, stdout: "pipe", stderr: "pipe" });
  if (r.exitCode !== 0) throw new Error(`${cmd.join(" ")}: ${r.stderr.toString()}`);
  return r.stdout.toString();
}

// The baseline: the smallest program this Bun compiles, with the same build options.
writeFileSync(join(dir, "hello.ts"), 'console.log("hello");\n');
const hello = join(dir, "hello");
must([
  process.execPath,
  "build",
  "--compile",
  "--compile-autoload-package-json", // COMPILE_RUNTIME
  "--minify",
  "--bytecode",
  "hello.ts",
  "--outfile",
  hello,
]);

const project = join(dir, "project");
must([ORCH, "init", project]);

type Sample = { wall: number[]; cpu: number[] };
function measure(commands: Record<string, string[]>, cwd: string): Record<string, Sample> {
  const samples: Record<string, Sample> = {};
  for (let i = 0; i < N; i++) {
    for (const [name, cmd] of Object.entries(commands)) {
      const started = performance.now();
      const r = Bun.spawnSync(cmd, { cwd, stdout: "pipe", stderr: "pipe" });
      const wall = performance.now() - started;
      if (r.exitCode !== 0) throw new Error(`${cmd.join(" ")} exited ${r.exitCode}: ${r.stderr}`);
      const cpu = r.resourceUsage.cpuTime;
      samples[name] ??= { wall: [], cpu: [] };
      const sample = samples[name];
      sample.wall.push(wall);
      sample.cpu.push(Number(cpu.user + cpu.system) / 1000);
    }
  }
  return samples;
}

const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)]!;
const round = (x: number) => Math.round(x * 10) / 10;

function report(samples: Record<string, Sample>, targets: Record<string, number>) {
  const base = samples.hello!;
  const [baseWall, baseCpu] = [median(base.wall), median(base.cpu)];
  const out: Record<string, unknown> = {
    hello_world: { wall_ms: round(baseWall), cpu_ms: round(baseCpu) },
  };
  for (const [name, s] of Object.entries(samples)) {
    if (name === "hello") continue;
    const [wall, cpu] = [median(s.wall), median(s.cpu)];
    out[name] = {
      wall_ms: round(wall),
      cpu_ms: round(cpu),
      wall_ratio: round(wall / baseWall),
      cpu_ratio: round(cpu / baseCpu),
      ...(targets[name] ? { target_ratio: targets[name] } : {}),
    };
  }
  return out;
}

// No server: `runs ls` opens the store in process.
const offline = measure({ hello: [hello], runs_ls_no_server: [ORCH, "runs", "ls"] }, project);

const server = Bun.spawn([ORCH, "up", "--headless", "--port", "0"], {
  cwd: project,
  stdout: "ignore",
  stderr: "pipe",
});
try {
  const deadline = Date.now() + 15_000;
  for (;;) {
    const r = Bun.spawnSync([ORCH, "deployments", "ls", "--json"], { cwd: project });
    if (r.exitCode === 0 && JSON.parse(r.stdout.toString()).length > 0) break;
    if (Date.now() > deadline) throw new Error("the server did not start");
    await Bun.sleep(50);
  }
  // A page of finished runs to list, and a flow that does nothing.
  for (let i = 0; i < 20; i++) must([ORCH, "run", "hello", "--watch"], project);
  writeFileSync(
    join(project, "flows", "trivial.ts"),
    'import { flow } from "orch";\nexport default flow({ name: "trivial" }, async () => 1);\n',
  );
  const commands = (orch: string, suffix = "") => ({
    [`version${suffix}`]: [orch, "--version"],
    [`runs_ls${suffix}`]: [orch, "runs", "ls"],
    [`deployments_ls${suffix}`]: [orch, "deployments", "ls"],
    [`flow_run${suffix}`]: [orch, "flow", "run", "flows/trivial.ts"],
  });
  const online = measure(
    { hello: [hello], ...commands(ORCH), ...(BEFORE ? commands(BEFORE, "_before") : {}) },
    project,
  );
  console.log(
    JSON.stringify({
      runs: N,
      ...report(online, { version: 2, runs_ls: 3, deployments_ls: 3 }),
      no_server: report(offline, {}),
    }),
  );
} finally {
  server.kill("SIGTERM");
  await server.exited;
  rmSync(dir, { recursive: true, force: true });
}
