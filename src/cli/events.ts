import { defineCommand } from "citty";
import {
  type EventJson,
  escapeControlChars,
  glob,
  OrchError,
  RESERVED_EVENT_PREFIXES,
} from "../core/index.ts";
import { write } from "../core/stdio.ts";
import { connect, connectArgs, jsonArg } from "./connect.ts";
import { localTime } from "./format.ts";
import { wholeNumberArg } from "./number-arg.ts";
import { c, log, printJson, renderTable } from "./output.ts";
import { timeArg } from "./time-arg.ts";

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

/** An event in one line: time, name, resource, payload (control characters escaped). */
function renderEvent(e: EventJson): string[] {
  const payload = JSON.stringify(e.payload);
  return [
    c.gray(localTime(e.at)),
    String(e.id),
    c.bold(escapeControlChars(e.name)),
    escapeControlChars(e.resource ?? "-"),
    escapeControlChars(payload.length > 120 ? `${payload.slice(0, 119)}…` : payload),
  ];
}

const nameArg = {
  name: {
    type: "string",
    description: 'Only events whose name matches: "webhook.deploy", "flow-run.*"',
  },
} as const;

export const ls = defineCommand({
  meta: { name: "ls", description: "List recent events, newest first" },
  args: {
    ...nameArg,
    since: { type: "string", description: 'Only events since: a duration ("1h") or a time' },
    limit: { type: "string", description: "At most this many (default 100, at most 1000)" },
    ...connectArgs,
    ...jsonArg,
  },
  async run({ args }) {
    const limit = wholeNumberArg(args.limit, "--limit", { min: 1, max: 1000 }, undefined);
    const since = timeArg(args.since, "--since");
    const conn = await connect(args, { local: true });
    try {
      const events = await conn.client.listEvents({ name: args.name, since, limit });
      if (args.json) return printJson(events);
      if (!events.length) {
        log.info(
          `no events${args.name ? ` named ${args.name}` : ""}${since ? ` since ${localTime(since)}` : ""}`,
        );
        return;
      }
      write(
        "stdout",
        `${renderTable(["AT", "ID", "NAME", "RESOURCE", "PAYLOAD"], events.map(renderEvent))}\n`,
      );
    } finally {
      conn.close();
    }
  },
});

export const stream = defineCommand({
  meta: { name: "stream", description: "Print events as they happen, until interrupted" },
  args: {
    ...nameArg,
    json: { type: "boolean", description: "One JSON object per line (an event)" },
    ...connectArgs,
  },
  async run({ args }) {
    const conn = await connect(args, { local: false });
    const pattern = args.name;
    // The server filters by the pattern's prefix; the rest of it is matched here.
    const prefix = pattern?.split("*")[0];
    const abort = new AbortController();
    process.once("SIGINT", () => abort.abort());
    process.once("SIGTERM", () => abort.abort());
    try {
      const messages = conn.client.streamEvents(
        {
          prefix: prefix ? [prefix] : undefined,
          onOpen: () => {
            if (!args.json) log.info("following events (Ctrl-C stops)");
          },
        },
        abort.signal,
      );
      for await (const message of messages) {
        if (message.event !== "event") continue;
        const e = message.data;
        if (pattern && !glob(pattern, e.name)) continue;
        if (args.json) write("stdout", `${JSON.stringify(e)}\n`);
        else write("stdout", `${renderEvent(e).join("  ")}\n`);
      }
    } catch (error) {
      if (!abort.signal.aborted) throw error;
    } finally {
      conn.close();
    }
  },
});
