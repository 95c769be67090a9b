import { defineCommand } from "citty";
import { escapeControlChars, formatDuration } from "../core/index.ts";
import { write } from "../core/stdio.ts";
import { connect, connectArgs, jsonArg } from "./connect.ts";
import { c, log, printJson, renderTable } from "./output.ts";

/** How long ago `at` was, in a few words: "3s ago". */
function ago(at: string | null): string {
  if (!at) return c.gray("never");
  return `${formatDuration(Math.max(0, Date.now() - Date.parse(at)))} ago`;
}

export const ls = defineCommand({
  meta: {
    name: "ls",
    description: "List online workers: name, pool, host, last heartbeat, runs now",
  },
  args: { ...connectArgs, ...jsonArg },
  async run({ args }) {
    const conn = await connect(args, { local: true });
    try {
      const workers = await conn.client.listWorkers();
      if (args.json) return printJson(workers);
      if (!workers.length) {
        log.info("no worker online; orch up runs one, orch worker --pool NAME adds more");
        return;
      }
      const rows = workers.map((w) => [
        c.bold(escapeControlChars(w.name)),
        w.pool,
        escapeControlChars(w.host) + (w.pid === null ? "" : c.gray(` pid ${w.pid}`)),
        c.green(w.status),
        ago(w.last_heartbeat),
        `${w.runs}/${w.concurrency}`,
      ]);
      write(
        "stdout",
        `${renderTable(["NAME", "POOL", "HOST", "STATUS", "LAST HEARTBEAT", "RUNS NOW"], rows)}\n`,
      );
    } finally {
      conn.close();
    }
  },
});
