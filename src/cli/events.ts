import { defineCommand } from "citty";
import { OrchError, RESERVED_EVENT_PREFIXES } from "../core/index.ts";
import { connect, connectArgs, jsonArg } from "./connect.ts";
import { log, printJson } from "./output.ts";

export const emit = defineCommand({
  meta: { name: "emit", description: "Emit an event (triggers can match it)" },
  args: {
    name: {
      type: "positional",
      description: "The event's name, like deploy.finished",
      required: true,
    },
    resource: { type: "string", description: "The id of what it is about" },
    payload: { type: "string", description: "A JSON object" },
    ...connectArgs,
    ...jsonArg,
  },
  async run({ args }) {
    const reserved = RESERVED_EVENT_PREFIXES.find((p) => args.name.startsWith(p));
    if (reserved) {
      throw new OrchError(
        "E_BAD_INPUT",
        `${args.name}: names starting with ${reserved} are orch's own events (orch emits ${RESERVED_EVENT_PREFIXES.map((p) => `${p}*`).join(", ")} itself); emit a name of your own, like deploy.finished`,
      );
    }
    let payload: Record<string, unknown> | undefined;
    if (args.payload !== undefined) {
      try {
        payload = JSON.parse(args.payload);
      } catch (error) {
        throw new OrchError(
          "E_BAD_INPUT",
          `--payload must be a JSON object: ${(error as Error).message}`,
        );
      }
      if (!payload || typeof payload !== "object" || Array.isArray(payload)) {
        throw new OrchError("E_BAD_INPUT", "--payload must be a JSON object");
      }
    }
    const conn = await connect(args, { local: false });
    const event = await conn.client.emitEvent({
      name: args.name,
      resource: args.resource,
      payload,
    });
    if (args.json) return printJson(event);
    log.success(`emitted ${event.name} (#${event.id})`);
  },
});
