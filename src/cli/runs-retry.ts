import { defineCommand } from "citty";
import type { Client } from "../client/index.ts";
import { connect, connectArgs, jsonArg } from "./connect.ts";
import { paintState } from "./format.ts";
import { c, log, printJson } from "./output.ts";

/**
 * `orch runs retry ID [--from-failed] [--own-version] [--watch]`: run a finished run again, as
 * its next attempt, on its deployment's active version (or its own).
 */
export default defineCommand({
  meta: {
    name: "retry",
    description:
      "Run a finished run again, as its next attempt, on its deployment's active version; --from-failed reuses the results of the tasks that completed before the failure",
  },
  args: {
    id: {
      type: "positional",
      description: "The run's id (a unique prefix will do)",
      required: true,
    },
    "from-failed": {
      type: "boolean",
      description:
        "Tasks that completed with the same inputs and code return their kept results instead of running; the failed task and what follows run again",
    },
    "own-version": {
      type: "boolean",
      description:
        "Run the run's own version again, not its deployment's active one (the code as it is now)",
    },
    watch: {
      type: "boolean",
      description:
        "Follow the retry to its end (logs and states); exit 0 only if it COMPLETED, 3 if it PAUSED",
    },
    ...connectArgs,
    ...jsonArg,
  },
  async run({ args }) {
    const conn = await connect(args, { local: false });
    try {
      const fromFailed = Boolean(args["from-failed"]);
      // The last event before the retry: what happens to the run is read from there on.
      const [last] = args.watch ? await conn.client.listEvents({ limit: 1 }) : [];
      // Its lines so far are the attempts before: the retry's own come after them.
      const linesBefore = args.watch ? await lastLineId(conn.client, args.id) : 0;
      const ownVersion = Boolean(args["own-version"]);
      const run = await conn.client.retryRun(args.id, { fromFailed, ownVersion });
      if (args.json && !args.watch) return printJson(run);
      if (!args.json) {
        // One line: the state, then the server's message, which says which version runs (and
        // what is reused): one wording for the CLI, the monitor and the web page.
        const reused = fromFailed
          ? `; orch runs inspect ${run.id.slice(0, 8)} shows which were ${c.bold("Reused", "stderr")}`
          : "";
        const said = run.state_message ? `: ${run.state_message}${reused}` : "";
        log.success(`run ${run.id.slice(0, 8)} is ${paintState(run.state, run.state_name)}${said}`);
      }
      if (!args.watch) return;
      // As orch run --watch: its logs and state changes to its end; the exit code says how.
      const { showEnd, watchExitCode, watchRun } = await import("./run.ts");
      const final = await watchRun(
        conn.client,
        run,
        { json: args.json, logsAfter: linesBefore, endOnPause: true },
        last?.id ?? 0,
      );
      if (args.json) printJson(final);
      else showEnd(final);
      return watchExitCode(final);
    } finally {
      conn.close();
    }
  },
});

/** The id of the run's last log line so far (0 when it has none). */
async function lastLineId(client: Client, id: string): Promise<number> {
  const PAGE = 100_000;
  for (let after = 0; ; ) {
    const page = await client.runLogs(id, { after, limit: PAGE });
    if (page.length) after = page.at(-1)!.id;
    if (page.length < PAGE) return after;
  }
}
