import { defineCommand } from "citty";
import { escapeControlChars, formatDuration, type TriggerStateJson } from "../core/index.ts";
import { write } from "../core/stdio.ts";
import { connect, connectArgs, jsonArg } from "./connect.ts";
import { checkDeploymentName } from "./deployment-name.ts";
import { localTime } from "./format.ts";
import { c, log, printJson, renderTable } from "./output.ts";

/**
 * A trigger's window in a few words: its rule, then what it counted in it now ("2 in 10m",
 * "2 in 10m, 1 counted", "3 in 1h, a: 1, b: 2"), or a proactive one's deadline.
 */
function renderWindow(t: TriggerStateJson): string {
  if (t.kind === "proactive") {
    if (!t.deadline) return c.gray("waiting");
    const more = t.deadlines > 1 ? ` (+${t.deadlines - 1})` : "";
    return `deadline ${localTime(t.deadline)}${more}`;
  }
  const rule =
    t.threshold > 1 || t.within_ms
      ? `${t.threshold}${t.within_ms ? ` in ${formatDuration(t.within_ms)}` : " events"}`
      : "";
  const entries = Object.entries(t.counts);
  const counted =
    entries.length === 1 && entries[0]![0] === ""
      ? `${entries[0]![1]} counted`
      : entries
          .slice(0, 3)
          .map(([bucket, n]) => `${escapeControlChars(bucket)}: ${n}`)
          .concat(entries.length > 3 ? [`+${entries.length - 3} more`] : [])
          .join(", ");
  return [rule, counted].filter(Boolean).join(", ") || "-";
}

export const ls = defineCommand({
  meta: {
    name: "ls",
    description:
      "List triggers: deployment, kind, event, window (its rule and what it counted, or a deadline), last fired, firings and failures, rate limit",
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
