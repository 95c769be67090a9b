import { defineCommand } from "citty";
import type { LogLineJson, RunDetail } from "../client/index.ts";
import { formatDuration, parseDuration } from "../core/duration.ts";
import { OrchError } from "../core/errors.ts";
import { escapeControlChars } from "../core/escape-control.ts";
import { isLogLevel, LOG_LEVELS, type LogLevel } from "../core/log-record.ts";
import { PRUNE_MIN_AGE_MS } from "../core/prune-age.ts";
import { attemptAt } from "../core/run-attempts.ts";
import { runLabel } from "../core/run-label.ts";
import { isTerminal } from "../core/states.ts";
import { write } from "../core/stdio.ts";
import { connect, connectArgs, jsonArg } from "./connect.ts";
import { checkDeploymentName } from "./deployment-name.ts";
import { localTime, paintState, runDuration } from "./format.ts";
import { wholeNumberArg } from "./number-arg.ts";
import { c, log, printJson, rawArg, renderTable, showLogLine } from "./output.ts";
import { runIdArg } from "./run-id-arg.ts";
import { runTree } from "./run-tree.ts";
import { runsPage } from "./runs-page.ts";
import { timeArg } from "./time-arg.ts";

export const ls = defineCommand({
  meta: { name: "ls", description: "List flow runs, newest first" },
  args: {
    ...connectArgs,
    ...jsonArg,
    deployment: { type: "string", description: "Only this deployment's runs" },
    state: {
      type: "string",
      description:
        "Only runs in this state: a type (FAILED, SCHEDULED…) or a name (Late, AwaitingRetry…)",
    },
    tag: { type: "string", description: "Only runs with this tag" },
    since: {
      type: "string",
      description:
        "Only runs for this time or after (their slot: the schedule's or backfill's time they are for): a duration back (\"1h\") or a time",
    },
    until: {
      type: "string",
      description:
        'Only runs for a time before this (their slot): a duration back ("1h") or a time',
    },
    planned: {
      type: "boolean",
      description: "Also list the runs schedules planned for the future",
    },
    limit: { type: "string", description: "How many", default: "20" },
  },
  async run({ args }) {
    const limit = wholeNumberArg(args.limit, "--limit", { min: 1, max: 1000 }, 20);
    const conn = await connect(args, { local: true });
    try {
      const { runs, more } = await runsPage(
        conn.client,
        {
          deployment: args.deployment,
          state: args.state,
          tag: args.tag,
          since: timeArg(args.since, "--since"),
          until: timeArg(args.until, "--until"),
        },
        limit,
        // Planned future runs are what deployments inspect shows; here, what happened comes first.
        Boolean(args.planned) || args.state?.toUpperCase() === "SCHEDULED",
      );
      if (!runs.length && args.deployment) await checkDeploymentName(conn.client, args.deployment);
      if (args.json) return printJson(runs);
      if (!runs.length) {
        const filtered = args.deployment ?? args.state ?? args.tag ?? args.since ?? args.until;
        log.info(filtered ? "no runs match" : "no runs yet; orch run DEPLOYMENT starts one");
        return;
      }
      // Subflows' runs sit under their parent's, indented; a NAME column only when a run has one,
      // a FOR column (the slot it processes) only when a backfill's run is listed.
      const named = runs.some((r) => r.name);
      const slotted = runs.some((r) => r.backfill_id);
      const rows = runTree(runs).map(({ run: r, depth }) => [
        r.id.slice(0, 8),
        ...(named ? [escapeControlChars(r.name ?? "-")] : []),
        r.deployment || r.parent_id ? runLabel(r, depth) : c.gray("(ad hoc)"),
        paintState(r.state, r.state_name),
        String(r.attempt),
        // When the run is due to start, as DUE says. The listing's order is core's runListedAt,
        // the same but for a run that ended unstarted (a future slot cancelled): it sits where it
        // ended, and still shows when it was due. Inspect shows the start.
        localTime(r.scheduled_at),
        ...(slotted ? [r.backfill_id ? localTime(r.slot_at) : ""] : []),
        runDuration(r),
        r.exit_code === null ? "-" : String(r.exit_code),
      ]);
      write(
        "stdout",
        `${renderTable(["ID", ...(named ? ["NAME"] : []), "DEPLOYMENT", "STATE", "ATTEMPT", "DUE", ...(slotted ? ["FOR"] : []), "DURATION", "EXIT"], rows)}\n`,
      );
      // A listing cut at its limit says so: a user must not take the page for all there is.
      if (more)
        log.info(
          `showing ${runs.length}; more runs match: --limit N shows more (up to 1000), --since/--until, --state or --deployment narrow them`,
        );
    } finally {
      conn.close();
    }
  },
});

export const logs = defineCommand({
  meta: { name: "logs", description: "Print a run's logs; -f follows them until the run ends" },
  args: {
    ...connectArgs,
    ...runIdArg,
    json: {
      type: "boolean",
      description:
        "Print the lines as one JSON array ({id, at, stream, level, line, attempt; fields when a flow logged some})",
    },
    follow: {
      type: "boolean",
      alias: ["f"],
      description: "Keep printing lines as they come, until the run ends",
    },
    level: {
      type: "string",
      description: "Only lines of this level or above: debug, info, warn, error",
    },
    grep: { type: "string", description: "Only lines that contain this text (case-sensitive)" },
    timestamps: {
      type: "boolean",
      alias: ["t"],
      description: "Begin each line with the time it was printed (ISO, UTC)",
    },
    ...rawArg,
  },
  async run({ args }) {
    if (args.level !== undefined && !isLogLevel(args.level)) {
      throw new OrchError(
        "E_BAD_INPUT",
        `--level ${JSON.stringify(args.level)} is not a level; use one of ${LOG_LEVELS.join(", ")}`,
      );
    }
    if (args.grep === "") throw new OrchError("E_BAD_INPUT", "--grep needs a text to look for");
    const filter = {
      ...(args.level ? { level: args.level as LogLevel } : {}),
      ...(args.grep ? { grep: args.grep } : {}),
    };
    const conn = await connect(args, { local: !args.follow });
    try {
      if (args.follow && args.json) {
        throw new OrchError(
          "E_BAD_INPUT",
          "--json prints the lines stored so far; it does not go with -f",
        );
      }
      if (args.follow) {
        const run = await conn.client.getRun(args.id);
        const { showEnd, watchRun } = await import("./run.ts");
        const final = await watchRun(conn.client, run, {
          raw: args.raw,
          timestamps: args.timestamps,
          filter,
        });
        showEnd(final);
        return final.state === "COMPLETED" ? 0 : 1;
      }
      const run = await conn.client.getRun(args.id);
      const separate = attemptSeparators(run);
      let after = 0;
      let count = 0;
      const all: (LogLineJson & { attempt: number })[] = [];
      for (;;) {
        const lines = await conn.client.runLogs(run.id, { ...filter, after, limit: 10_000 });
        count += lines.length;
        // Each line with the attempt that printed it, as the text output marks attempts.
        if (args.json)
          all.push(...lines.map((l) => ({ ...l, attempt: attemptAt(run.attempts, l.at) })));
        else {
          for (const l of lines) {
            separate(l.at);
            showLogLine(l, { raw: args.raw, timestamps: args.timestamps });
          }
        }
        if (lines.length < 10_000) break;
        after = lines.at(-1)!.id;
      }
      if (args.json) printJson(all);
      else if (!count) {
        // Silence would read as a broken command: say that the run printed nothing (so far).
        const yet = isTerminal(run.state) ? "" : " yet";
        log.info(
          filter.level || filter.grep
            ? `run ${run.id.slice(0, 8)} has no lines that match${yet}`
            : `run ${run.id.slice(0, 8)} printed no output${yet}`,
        );
      }
    } finally {
      conn.close();
    }
  },
});

/**
 * For a run that started more than once (retried, resumed), a function to call before each line
 * (by its time) that prints "── attempt N ──" where attempt N's lines begin (core's attemptAt).
 */
function attemptSeparators(run: RunDetail): (at: string) => void {
  if (run.attempts.length < 2) return () => {};
  let shown = 0;
  return (at) => {
    const attempt = attemptAt(run.attempts, at);
    if (attempt <= shown) return;
    shown = attempt;
    write("stdout", `${c.gray(`── attempt ${attempt} ──`)}\n`);
  };
}

export const cancel = defineCommand({
  meta: { name: "cancel", description: "Cancel a run: its whole process tree is stopped" },
  args: { ...connectArgs, ...jsonArg, ...runIdArg },
  async run({ args }) {
    const conn = await connect(args, { local: false });
    const run = await conn.client.cancelRun(args.id);
    if (args.json) return printJson(run);
    log.success(`run ${run.id.slice(0, 8)} is ${paintState(run.state, run.state_name)}`);
  },
});

export const prune = defineCommand({
  meta: {
    name: "prune",
    description: "Delete finished runs older than a duration, with their logs",
  },
  args: {
    ...connectArgs,
    ...jsonArg,
    "older-than": {
      type: "string",
      description: 'How old a finished run must be: "30d", "12h"',
      required: true,
    },
    "dry-run": { type: "boolean", description: "Only count what would be deleted" },
  },
  async run({ args }) {
    const age = args["older-than"];
    const ms = parseDuration(age);
    if (ms === undefined) {
      throw new OrchError(
        "E_BAD_INPUT",
        `--older-than must be a duration such as 30d or 12h, not ${JSON.stringify(age)}`,
      );
    }
    if (ms < PRUNE_MIN_AGE_MS) {
      throw new OrchError(
        "E_BAD_INPUT",
        `--older-than must be at least ${formatDuration(PRUNE_MIN_AGE_MS)}, not ${JSON.stringify(age)}: it deletes the finished runs that ended longer ago than that`,
      );
    }
    const conn = await connect(args, { local: true });
    try {
      const counts = await conn.client.pruneRuns(age, Boolean(args["dry-run"]));
      if (args.json) return printJson(counts);
      const what = `${counts.runs} finished runs, ${counts.log_lines} log lines and ${counts.events} events`;
      if (args["dry-run"]) log.info(`would delete ${what}`);
      else log.success(`deleted ${what}`);
    } finally {
      conn.close();
    }
  },
});
