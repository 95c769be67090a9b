import { defineCommand } from "citty";
import { connect, connectArgs, jsonArg } from "./connect.ts";
import { paintState } from "./format.ts";
import { c, log, printJson } from "./output.ts";

/** `orch runs retry ID [--from-failed]`: run a finished run again, as its next attempt. */
export default defineCommand({
  meta: {
    name: "retry",
    description:
      "Run a finished run again, as its next attempt; --from-failed reuses the results of the tasks that completed before the failure",
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
        "Tasks that completed with the same inputs return their kept results instead of running; the failed task and what follows run again",
    },
    ...connectArgs,
    ...jsonArg,
  },
  async run({ args }) {
    const conn = await connect(args, { local: false });
    try {
      const fromFailed = Boolean(args["from-failed"]);
      const run = await conn.client.retryRun(args.id, { fromFailed });
      if (args.json) return printJson(run);
      log.success(`run ${run.id.slice(0, 8)} is ${paintState(run.state, run.state_name)}`);
      if (fromFailed) {
        log.info(
          `${run.state_message}; orch runs inspect ${run.id.slice(0, 8)} shows which were ${c.bold("Reused", "stderr")}`,
        );
      }
      // A retry runs the code the run was made with: say so when its deployment has moved on
      // (the flow was fixed since), and how to run the new code.
      if (run.deployment && run.version !== null) {
        const now = await conn.client.getDeployment(run.deployment).catch(() => null);
        if (now && !now.removed && now.version !== run.version) {
          log.warn(
            `the retry runs v${run.version}, the run's own version; ${run.deployment} is at v${now.version} now: orch run ${run.deployment} starts a run of v${now.version}`,
          );
        }
      }
    } finally {
      conn.close();
    }
  },
});
