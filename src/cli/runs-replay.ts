import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { defineCommand } from "citty";
import { createWorkerClient, findServer } from "../client/index.ts";
import { escapeControlChars, type ReplayFile } from "../core/index.ts";
import { write } from "../core/stdio.ts";
import { becomeSubreaper, runAdHocFlow } from "../worker/index.ts";
import { connect, connectArgs, projectOf } from "./connect.ts";
import { paintState } from "./format.ts";
import { abortOnInterrupt } from "./interrupt.ts";
import { c, log, rawArg, showLogLine } from "./output.ts";
import { projectRelative, readRecordedRun } from "./runs-recorded.ts";

/** A free TCP port on 127.0.0.1 for the debugger (taken and let go: the flow binds it next). */
function freePort(): number {
  const socket = Bun.listen({ hostname: "127.0.0.1", port: 0, socket: { data() {} } });
  const { port } = socket;
  socket.stop(true);
  return port;
}

/**
 * `orch runs replay ID [--from TASK] [--inspect]`: run a past run's flow here, in the foreground,
 * on the current code, with its parameters; the tasks that ran before TASK (default: the first
 * that failed) return what they returned then, and TASK and what follows run.
 */
export default defineCommand({
  meta: {
    name: "replay",
    description:
      "Run a past run's flow here on the current code, with its parameters and the recorded results of the tasks before --from (default: the first failed task)",
  },
  args: {
    id: {
      type: "positional",
      description: "The run's id (a unique prefix will do)",
      required: true,
    },
    from: {
      type: "string",
      description:
        "The task to run from (it and what follows run; the tasks before it return their recorded results)",
    },
    inspect: {
      type: "boolean",
      description:
        "Start the debugger: the flow waits for one to attach, and pauses before the --from task runs",
    },
    ...connectArgs,
    ...rawArg,
  },
  async run({ args }) {
    const paths = projectOf(args.dir);
    const conn = await connect(args, { local: true });
    const work = mkdtempSync(join(tmpdir(), "orch-replay-"));
    try {
      const past = await readRecordedRun(conn.client, paths.root, args.id, args.from);
      const short = past.run.id.slice(0, 8);
      const replay: ReplayFile = {
        run_id: past.run.id,
        from: past.from,
        from_call: past.fromCall,
        pause: Boolean(args.inspect),
        tasks: past.recorded,
      };
      const replayFile = join(work, "replay.json");
      writeFileSync(replayFile, JSON.stringify(replay), { mode: 0o600 });
      const entry = projectRelative(paths.root, past.file);
      const from = past.from
        ? `from task ${past.from}${past.fromCall > 1 ? ` (its call ${past.fromCall})` : ""}`
        : "after its last recorded task";
      log.info(
        `replaying run ${c.bold(short, "stderr")} of ${past.run.deployment} (${entry}, ${from}): ${past.recorded.length} recorded task result(s) given back`,
      );
      for (const m of past.missing) {
        log.warn(`task ${escapeControlChars(m.name)} runs: no recorded result (${m.why})`);
      }
      const env: Record<string, string | undefined> = { ...process.env, ORCH_REPLAY: replayFile };
      if (args.inspect) {
        // The executable starts Bun's inspector when BUN_INSPECT names where to listen; wait=1
        // holds the flow until a debugger attaches (bun --inspect-wait).
        const where = `127.0.0.1:${freePort()}/${crypto.randomUUID()}`;
        env.BUN_INSPECT = `ws://${where}?wait=1`;
        log.info(
          `debugger: the flow waits for one to attach at ws://${where}\n  open https://debug.bun.sh/#${where} (or attach your editor's Bun debugger to that URL); it pauses before ${past.from ? `task ${past.from}` : "the flow ends"}: set breakpoints in ${entry} there, then continue`,
        );
      }
      const target = findServer(paths, args);
      const interrupt = abortOnInterrupt("the replay");
      becomeSubreaper();
      try {
        const result = await runAdHocFlow({
          client: createWorkerClient(conn.client),
          file: past.file,
          entry,
          exportName: past.exportName,
          parameters: past.run.parameters as Record<string, unknown>,
          // A replay is for looking into a run (a debugger may hold it): no timeout, no retries.
          ownOptions: false,
          // getScheduledAt() in the replay is the replayed run's slot, not now.
          ...(past.run.slot_at ? { scheduledAt: past.run.slot_at } : {}),
          ...(conn.remote && target ? { apiUrl: target.url, token: target.token } : {}),
          env,
          logger: log,
          signal: interrupt.signal,
          onRun: (run) =>
            log.info(`run ${c.bold(run.id.slice(0, 8), "stderr")} (ad hoc) replays ${short}`),
          onLogs: (lines) => {
            for (const l of lines) showLogLine(l, { raw: args.raw });
          },
        });
        const done = await conn.client.getRun(result.run.id);
        let out = "";
        for (const t of done.tasks) {
          out += `  ${escapeControlChars(t.name)}  ${paintState(t.state, t.state_name)}${t.message ? `: ${escapeControlChars(t.message)}` : ""}\n`;
        }
        if (out) write("stderr", `${c.bold("TASKS", "stderr")}\n${out}`);
        const message = result.message && result.state !== "COMPLETED" ? `: ${result.message}` : "";
        write(
          "stderr",
          `${c.gray("replay", "stderr")} ${done.id.slice(0, 8)} ${paintState(result.state, done.state_name)}${message}\n`,
        );
        return result.state === "COMPLETED" ? 0 : 1;
      } finally {
        interrupt.release();
      }
    } finally {
      rmSync(work, { recursive: true, force: true });
      conn.close();
    }
  },
});
