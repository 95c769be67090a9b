import { defineCommand } from "citty";
import { connect, connectArgs, jsonArg } from "./connect.ts";
import { c, log, printJson } from "./output.ts";

/**
 * `orch secrets rm` and `orch variables rm`: the server refuses a value live deployments name
 * (exit 2, naming them) unless `--force`.
 */
export function removeValueCommand(what: "secret" | "variable") {
  return defineCommand({
    meta: {
      name: "rm",
      description: `Remove a ${what} (refused while deployments name it, unless --force)`,
    },
    args: {
      name: { type: "positional", description: `The ${what}'s name`, required: true },
      force: {
        type: "boolean",
        description: "Remove it though live deployments name it (their runs fail until it is set)",
      },
      ...connectArgs,
      ...jsonArg,
    },
    async run({ args }) {
      const conn = await connect(args, { local: true });
      try {
        const removed =
          what === "secret"
            ? await conn.client.removeSecret(args.name, args.force)
            : await conn.client.removeVariable(args.name, args.force);
        if (args.json) return printJson(removed);
        log.success(`${what} ${c.bold(args.name, "stderr")} removed`);
      } finally {
        conn.close();
      }
    },
  });
}
