/** `orch cache ls|clear`: the values cached tasks kept, shared by every run. */
import { defineCommand } from "citty";
import { escapeControlChars, formatBytes } from "../core/index.ts";
import { write } from "../core/stdio.ts";
import { connect, connectArgs, jsonArg } from "./connect.ts";
import { localTime } from "./format.ts";
import { c, log, printJson, renderTable } from "./output.ts";

const taskArg = {
  task: { type: "string", description: "Only this task's entries" },
} as const;

export const ls = defineCommand({
  meta: { name: "ls", description: "List cached task values, newest first" },
  args: { ...connectArgs, ...jsonArg, ...taskArg },
  async run({ args }) {
    const conn = await connect(args, { local: true });
    try {
      const entries = await conn.client.listCache(args.task);
      if (args.json) return printJson(entries);
      if (!entries.length) {
        log.info(
          args.task
            ? `task ${args.task} has nothing cached`
            : "nothing is cached; a task caches its value with task({ cache: true })",
        );
        return;
      }
      const now = Date.now();
      const rows = entries.map((e) => {
        const expired = e.expires_at !== null && Date.parse(e.expires_at) <= now;
        return [
          escapeControlChars(e.task),
          escapeControlChars(e.key.length > 24 ? `${e.key.slice(0, 23)}…` : e.key),
          formatBytes(e.size),
          localTime(e.created_at),
          e.expires_at === null
            ? c.gray("never")
            : expired
              ? c.yellow(`${localTime(e.expires_at)} (expired)`)
              : localTime(e.expires_at),
          e.run_id ? e.run_id.slice(0, 8) : "-",
        ];
      });
      write(
        "stdout",
        `${renderTable(["TASK", "KEY", "SIZE", "CREATED", "EXPIRES", "RUN"], rows)}\n`,
      );
    } finally {
      conn.close();
    }
  },
});

export const clear = defineCommand({
  meta: { name: "clear", description: "Drop cached task values (all, or one task's)" },
  args: { ...connectArgs, ...jsonArg, ...taskArg },
  async run({ args }) {
    const conn = await connect(args, { local: true });
    try {
      const cleared = await conn.client.clearCache(args.task);
      if (args.json) return printJson(cleared);
      const whose = args.task ? ` of task ${args.task}` : "";
      log.success(`dropped ${cleared.deleted} cached value(s)${whose}`);
    } finally {
      conn.close();
    }
  },
});
