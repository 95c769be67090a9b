import { readFileSync } from "node:fs";
import { join } from "node:path";
import { afterAll, beforeAll, expect, test } from "vitest";
import { type Client, createClient, type RunJson } from "../../src/client/index.ts";
import { orch, spawnOrch, tempDir } from "../helpers.ts";

// A command's lines have the level they say (Python's logging, a JSON logger, Go's slog, git's
// `fatal:`), whatever stream they are written on; a line that says none is info on stdout and
// on stderr alike, so `--level error` lists what the run called errors, not its chatter. The
// stream each line came from is kept as it was.

const SCRIPT = `
import logging, sys
logging.basicConfig(level=logging.DEBUG)
logging.debug("some detail")
logging.info("just info")
logging.warning("a warning")
logging.error("it failed")
logging.critical("it is down")
print("stdout line", flush=True)
print("ERROR said on stdout", flush=True)
print('{"level":"warn","msg":"json warning"}', flush=True)
w = sys.stderr.write
w("progress 50%\\n")
w("Error handling is on\\n")
w('{"level":50,"msg":"pino error"}\\n')
w("time=2026-12-01T10:00:00Z level=warn msg=logfmt\\n")
w("2026/12/01 10:00:00 ERROR go slog\\n")
w("[2026-12-01T10:00:00Z INFO  app] rust info\\n")
w("fatal: not a git repository\\n")
`;

/** Each line the command writes, with the stream it is written on and the level it says. */
const EXPECTED: [line: string, stream: string, level: string][] = [
  ["DEBUG:root:some detail", "stderr", "debug"],
  ["INFO:root:just info", "stderr", "info"],
  ["WARNING:root:a warning", "stderr", "warn"],
  ["ERROR:root:it failed", "stderr", "error"],
  ["CRITICAL:root:it is down", "stderr", "error"],
  ["stdout line", "stdout", "info"],
  ["ERROR said on stdout", "stdout", "error"],
  ['{"level":"warn","msg":"json warning"}', "stdout", "warn"],
  ["progress 50%", "stderr", "info"],
  ["Error handling is on", "stderr", "info"],
  ['{"level":50,"msg":"pino error"}', "stderr", "error"],
  ["time=2026-12-01T10:00:00Z level=warn msg=logfmt", "stderr", "warn"],
  ["2026/12/01 10:00:00 ERROR go slog", "stderr", "error"],
  ["[2026-12-01T10:00:00Z INFO  app] rust info", "stderr", "info"],
  ["fatal: not a git repository", "stderr", "error"],
];

let dir: string;
let cleanup: () => void;
let up: ReturnType<typeof spawnOrch>;
let client: Client;
let run: RunJson;
const cli = (...args: string[]) => orch([...args, "--dir", dir]);

beforeAll(async () => {
  ({ dir, cleanup } = tempDir("orch-log-levels-"));
  await Bun.write(
    join(dir, "flows/levels.yaml"),
    `deployments:\n  - name: levels\n    command: ${JSON.stringify(["python3", "-c", SCRIPT])}\n    include: []\n`,
  );
  up = spawnOrch(["up", "--headless", "--port", "0", "--dir", dir]);
  await up.waitFor("orch is up at", 15_000);
  const { url } = JSON.parse(readFileSync(join(dir, ".orch/server.json"), "utf8"));
  client = createClient({ url, token: readFileSync(join(dir, ".orch/token"), "utf8").trim() });
  const watched = await cli("run", "levels", "--watch", "--json");
  expect(watched.code, watched.stderr).toBe(0);
  run = JSON.parse(watched.stdout) as RunJson;
});

afterAll(async () => {
  up.proc.kill("SIGTERM");
  await up.proc.exited;
  cleanup();
});

test("each line is stored with the level it says, and the stream it came from", async () => {
  const stored = await client.runLogs(run.id);
  const got = stored.map((l) => [l.line, l.stream, l.level]);
  expect(got.sort()).toEqual([...EXPECTED].sort());
});

test("runs logs --level error lists the lines that said error, and --level warn adds the warnings", async () => {
  const errors = await cli("runs", "logs", run.id, "--level", "error", "--json");
  const wanted = (levels: string[]) =>
    EXPECTED.filter(([, , level]) => levels.includes(level))
      .map(([line]) => line)
      .sort();
  expect((JSON.parse(errors.stdout) as { line: string }[]).map((l) => l.line).sort()).toEqual(
    wanted(["error"]),
  );
  const warnings = await cli("runs", "logs", run.id, "--level", "warn", "--json");
  expect((JSON.parse(warnings.stdout) as { line: string }[]).map((l) => l.line).sort()).toEqual(
    wanted(["warn", "error"]),
  );
});

test("runs logs names a line's level only when it is not info: a plain stderr line is shown as written", async () => {
  const r = await cli("runs", "logs", run.id);
  expect(r.code).toBe(0);
  const printed = r.stdout.trimEnd().split("\n");
  expect(printed).toEqual(
    expect.arrayContaining([
      "INFO:root:just info",
      "WARN  WARNING:root:a warning",
      "ERROR ERROR:root:it failed",
      "DEBUG DEBUG:root:some detail",
      "progress 50%",
      "Error handling is on",
      "stdout line",
    ]),
  );
});
