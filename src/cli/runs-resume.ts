import { defineCommand } from "citty";
import { connect, connectArgs, jsonArg } from "./connect.ts";
import { paintState } from "./format.ts";
import { log, printJson } from "./output.ts";
import { parseParams, repeated } from "./parse-params.ts";

/** `orch runs resume ID [-p key=value]... [--input JSON]`: resume a paused run with input. */
export default defineCommand({
  meta: {
    name: "resume",
    description: "Resume a paused run; -p gives its pause's input (typed by the pause's schema)",
  },
  args: {
    id: {
      type: "positional",
      description: "The run's id (a unique prefix will do)",
      required: true,
    },
    param: {
      type: "string",
      alias: ["p"],
      description: "An input value, key=value (repeatable); typed by the pause's input schema",
    },
    input: { type: "string", description: "The input as a JSON object (-p values go over it)" },
    ...connectArgs,
    ...jsonArg,
  },
  async run({ args, rawArgs }) {
    const conn = await connect(args, { local: false });
    try {
      const run = await conn.client.getRun(args.id);
      const schema = run.pause?.input_schema as Parameters<typeof parseParams>[2];
      const input = parseParams(repeated(rawArgs, ["p", "param"]), args.input, schema, {}, "input");
      const resumed = await conn.client.resumeRun(run.id, input);
      if (args.json) return printJson(resumed);
      log.success(
        `run ${resumed.id.slice(0, 8)} is ${paintState(resumed.state, resumed.state_name)}: it starts again from the top, tasks that completed before the pause give back their results (unless its flow says resume: "rerun"), and its pause returns the input`,
      );
    } finally {
      conn.close();
    }
  },
});
