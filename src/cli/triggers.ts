import { defineCommand } from "citty";
import { escapeControlChars, formatDuration, type TriggerStateJson } from "../core/index.ts";
import { write } from "../core/stdio.ts";
import { connect, connectArgs, jsonArg } from "./connect.ts";
import { checkDeploymentName } from "./deployment-name.ts";
import { localTime } from "./format.ts";
import { c, log, printJson, renderTable } from "./output.ts";

/** Where a trigger's window stands, in a few words: "2/3 in 10m", "deadline 07:10", "a: 1, b: 2". */
function renderWindow(t: TriggerStateJson): string {
  if (t.kind === "proactive") {
    if (!t.deadline) return c.gray("waiting");
    const more = t.deadlines > 1 ? ` (+${t.deadlines - 1})` : "";
    return `deadline ${localTime(t.deadline)}${more}`;
  }
  const entries = Object.entries(t.counts);
  if (!entries.length) return t.threshold > 1 ? `0/${t.threshold}` : "-";
  const of = t.threshold > 1 ? `/${t.threshold}` : "";
  const within = t.within_ms ? ` in ${formatDuration(t.within_ms)}` : "";
  if (entries.length === 1 && entries[0]![0] === "") return `${entries[0]![1]}${of}${within}`;
  return entries
    .slice(0, 3)
    .map(([bucket, n]) => `${escapeControlChars(bucket)}: ${n}${of}`)
    .concat(entries.length > 3 ? [`+${entries.length - 3} more`] : [])
    .join(", ");
}

export const ls = defineCommand({
  meta: {
    name: "ls",
    description:
      "List triggers: deployment, kind, event, window (counts or deadline), last fired, firings and failures, rate limit",
  },
  args: {
    deployment: { type: "string", description: "Only this deployment's triggers" },
    ...connectArgs,
    ...jsonArg,
  },
  async run({ args }) {
    const conn = await connect(args, { local: true });
    try {
      const triggers = await conn.client.listTriggers({ deployment: args.deployment });
      if (!triggers.length && args.deployment) {
        await checkDeploymentName(conn.client, args.deployment);
      }
      if (args.json) return printJson(triggers);
      if (!triggers.length) {
        log.info("no triggers yet; add triggers: (or notify:) to a deployment in flows/*.yaml");
        return;
      }
      const rows = triggers.map((t) => [
        c.bold(t.deployment) + (t.active ? "" : c.yellow(" (paused)")),
        escapeControlChars(t.name),
        t.kind,
        escapeControlChars(t.on),
        renderWindow(t),
        t.last_fired ? localTime(t.last_fired) : c.gray("never"),
        `${t.fired}${t.failed ? c.red(` (${t.failed} failed)`) : ""}${t.suppressed ? c.yellow(` (${t.suppressed} held back)`) : ""}`,
        t.rate_limit ?? "-",
        t.actions.join(", "),
      ]);
      write(
        "stdout",
        `${renderTable(["DEPLOYMENT", "TRIGGER", "KIND", "ON", "WINDOW", "LAST FIRED", "FIRED (7D)", "RATE LIMIT", "ACTIONS"], rows)}\n`,
      );
      // Why the last failed firing failed, under the table: a reason is too long for a column.
      for (const t of triggers) {
        if (!t.last_failure) continue;
        write(
          "stdout",
          `${c.red("failed")} ${c.bold(t.deployment)} ${escapeControlChars(t.name)} at ${localTime(t.last_failure.at)}: ${escapeControlChars(t.last_failure.message)}\n`,
        );
      }
    } finally {
      conn.close();
    }
  },
});
