/**
 * `orch __record --dir ROOT` (internal): the project's store served on a loopback port for one
 * flow call of a plain program (see sdk/track-call.ts), while no server runs. It prints
 * `{"url","token"}` on one line, answers only requests with that token, and ends when its input
 * closes (the call is over, or the program is gone), so nothing is left running.
 */
import { findServer } from "../client/find-server.ts";
import { projectPaths } from "../core/paths.ts";
import { write } from "../core/stdio.ts";
import { createLocalApi } from "../server/local-api.ts";
import { serveOnLoopback } from "../server/loopback-api.ts";

/** Serve the store of the project at `--dir` until stdin closes, then exit. */
export async function serveRecorder(argv: string[]): Promise<never> {
  const at = argv.indexOf("--dir");
  const dir = at >= 0 ? argv[at + 1] : undefined;
  if (!dir) {
    write("stderr", "usage: orch __record --dir PROJECT\n");
    process.exit(2);
  }
  const paths = projectPaths(dir);
  const server = findServer(paths, {}, {});
  if (server) {
    // The store has one writer while a server runs: record through it instead.
    write("stderr", `orch's server for ${dir} runs at ${server.url}: record through it\n`);
    process.exit(1);
  }
  const local = createLocalApi(paths);
  const recorder = serveOnLoopback(local.fetch);
  write("stdout", `${JSON.stringify({ url: recorder.url, token: recorder.token })}\n`);
  await new Promise<void>((resolve) => {
    process.stdin.on("end", resolve);
    process.stdin.on("close", resolve);
    process.stdin.resume();
  });
  await recorder.stop();
  local.close();
  process.exit(0);
}
