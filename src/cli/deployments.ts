import { defineCommand } from "citty";
import { describeSchedule } from "../client/describe-schedule.ts";
import type { DeploymentJson } from "../client/index.ts";
import { triggerOn } from "../core/deployment.ts";
import { OrchError } from "../core/errors.ts";
import { escapeControlChars } from "../core/escape-control.ts";
import type { DeploymentSpec } from "../core/index.ts";
import { write } from "../core/stdio.ts";
import { connect, connectArgs, jsonArg } from "./connect.ts";
import { localTime, localTimeWithZone } from "./format.ts";
import { c, log, printJson, renderTable } from "./output.ts";

/** An ISO time on a zone's clock: `2026-03-29 03:00:00 Europe/Berlin`. */
function zonedTime(isoTime: string, timeZone: string): string {
  const wall = Temporal.Instant.from(isoTime).toZonedDateTimeISO(timeZone);
  return `${wall.toPlainDate()} ${wall.toPlainTime().toString({ smallestUnit: "second" })} ${timeZone}`;
}

const nameArg = {
  name: { type: "positional", description: "The deployment's name", required: true },
} as const;

/** Text cut to `width` characters, with an ellipsis when cut (inspect shows it whole). */
function clip(text: string, width: number): string {
  return text.length > width ? `${text.slice(0, width - 1)}…` : text;
}

/** What a deployment runs, in a few words. */
function target(d: DeploymentJson): string {
  return d.flow ?? (d.command ? d.command.join(" ") : "-");
}

/**
 * Text of several lines (a script in a command, a description) under a label of inspect: each
 * line's control characters shown escaped, later lines indented under the first's value.
 */
function block(text: string): string {
  return text
    .replace(/\n+$/, "")
    .split("\n")
    .map(escapeControlChars)
    .join(`\n${" ".repeat(13)}`);
}

/**
 * Why a project lists no deployments, and what to do: no definition files yet; files that were
 * never deployed (no server running); files a running server holds invalid (`invalid`, the
 * problems it has); or valid files that define none.
 */
async function whyNoDeployments(
  dir: string | undefined,
  remote: boolean,
  invalid: number,
): Promise<string> {
  const { findProjectRoot, projectPaths } = await import("../core/paths.ts");
  const { findDefinitionFiles } = await import("../definitions/find-definition-files.ts");
  const flows = projectPaths(findProjectRoot(dir) ?? dir ?? ".").flows;
  const files = findDefinitionFiles(flows).length;
  if (!files) return "no deployments; add one to flows/*.yaml (orch init makes an example)";
  const some = `flows/ has ${files} definition file${files === 1 ? "" : "s"}`;
  if (!remote)
    return `no deployments yet: ${some}; orch up deploys them and keeps them deployed (orch deploy deploys them once)`;
  // Said from the server's problems, not guessed from the count: a file it never read (or read
  // before it was saved) is not an invalid one.
  return invalid
    ? `no deployments: ${some}, and none of them holds a valid deployment (orch deploy --check shows what is wrong)`
    : `no deployments: ${some}, and the server holds no deployment from ${files === 1 ? "it" : "them"} and no problem in ${files === 1 ? "it" : "them"} (orch deploy --check says what ${files === 1 ? "it defines" : "they define"}; orch deploy deploys ${files === 1 ? "it" : "them"} again)`;
}

/**
 * The warning under a listing while definition files are invalid (the problems the server
 * holds, whether or not a file was ever valid): how many, which, and where to see why.
 */
function invalidFiles(files: string[], marked: boolean): string {
  const shown =
    files.length > 3
      ? `${files.slice(0, 3).join(", ")} and ${files.length - 3} more`
      : files.join(", ");
  const n = files.length === 1 ? "1 definition file is" : `${files.length} definition files are`;
  const kept = marked
    ? "; deployments marked ! run their last good version"
    : "; what they define is not deployed until they are fixed";
  return `! ${n} invalid: ${shown}${kept}. orch deploy --check shows the problems (so do the monitor's problems pane and GET /api/problems)`;
}

export const ls = defineCommand({
  meta: { name: "ls", description: "List deployments" },
  args: {
    ...connectArgs,
    ...jsonArg,
    all: { type: "boolean", description: "Include removed deployments" },
  },
  async run({ args }) {
    const conn = await connect(args, { local: true });
    try {
      const [list, problems] = await Promise.all([
        conn.client.listDeployments({ all: args.all }),
        args.json ? undefined : conn.client.listProblems(),
      ]);
      if (args.json) return printJson(list);
      if (!list.length)
        log.info(await whyNoDeployments(args.dir, conn.remote, problems?.files.length ?? 0));
      else {
        const rows = list.map((d) => [
          (d.removed ? c.gray(d.name) : c.bold(d.name)) +
            (d.source_invalid && !d.removed ? c.red(" !") : ""),
          `v${d.version}`,
          // One line a row: a script's newlines (and any control character) shown escaped.
          clip(escapeControlChars(target(d)), 40),
          clip(d.schedules.length ? d.schedules.map(describeSchedule).join("; ") : "-", 40),
          localTimeWithZone(d.next_run),
          d.removed ? c.gray("removed") : d.paused ? c.yellow("paused") : c.green("active"),
          escapeControlChars(d.source ?? "-"),
        ]);
        write(
          "stdout",
          `${renderTable(["NAME", "VERSION", "FLOW OR COMMAND", "SCHEDULES", "NEXT RUN", "STATUS", "SOURCE"], rows)}\n`,
        );
      }
      const files = problems?.files.map((f) => f.file) ?? [];
      if (files.length) {
        const marked = list.some((d) => d.source_invalid && !d.removed);
        log.warn(invalidFiles(files, marked));
      }
    } finally {
      conn.close();
    }
  },
});

/** "  added: a.sh; removed: b.sh; changed: etl.ts": how a version's files differ from the one before. */
function fileChanges(v: { changed?: string[]; added?: string[]; removed?: string[] }): string {
  const added = v.added ?? [];
  const removed = v.removed ?? [];
  const changed = (v.changed ?? []).filter((f) => !added.includes(f) && !removed.includes(f));
  const parts = [
    added.length ? `added: ${added.join(", ")}` : "",
    removed.length ? `removed: ${removed.join(", ")}` : "",
    changed.length ? `changed: ${changed.join(", ")}` : "",
  ].filter(Boolean);
  return parts.length ? `  ${parts.join("; ")}` : "";
}

export const inspect = defineCommand({
  meta: {
    name: "inspect",
    description: "Show one deployment: its schedules, next runs and versions",
  },
  args: { ...connectArgs, ...jsonArg, ...nameArg },
  async run({ args }) {
    const conn = await connect(args, { local: true });
    try {
      const d = await conn.client.getDeployment(args.name);
      if (args.json) return printJson(d);
      const line = (label: string, value: string) => `${c.gray(label.padEnd(12))} ${value}\n`;
      const status = d.removed
        ? c.gray("removed")
        : d.paused
          ? c.yellow("paused")
          : c.green("active");
      let out = `${c.bold(d.name)}  v${d.version}  ${status}\n`;
      if (d.description) out += line("description", block(d.description));
      out += line("runs", block(target(d)));
      out += line("source", d.source ?? "-");
      out += line("parameters", JSON.stringify(d.parameters));
      if (d.tags.length) out += line("tags", d.tags.join(", "));
      out += line("pool/queue", `${d.work_pool}/${d.work_queue}`);
      if (d.retries) {
        const waits = d.retry_delays_ms
          ? `waiting ${d.retry_delays_ms.map((ms) => `${ms / 1000}s`).join(", ")} (the last repeats)`
          : `${d.retry_delay_ms / 1000}s apart`;
        out += line("retries", `${d.retries}, ${waits}`);
      }
      if (d.timeout_ms) out += line("timeout", `${d.timeout_ms / 1000}s`);
      if (d.concurrency)
        out += line("concurrency", `${d.concurrency.limit} (${d.concurrency.collision})`);
      for (const s of d.schedules) out += line("schedule", describeSchedule(s));
      for (const t of d.triggers)
        out += line(
          "trigger",
          `on ${triggerOn(t)}${Object.keys(t.match).length ? ` where ${JSON.stringify(t.match)}` : ""}`,
        );
      if (d.next_runs.length) {
        out += line("next runs", c.gray("in the schedule's zone, then local time"));
        const { scheduleAt } = await import("../scheduler/index.ts");
        for (const t of d.next_runs) {
          const zone = scheduleAt(
            { schedules: d.schedules } as DeploymentSpec,
            Date.parse(t),
          )?.timezone;
          out += `  ${zonedTime(t, zone ?? "UTC")}  ${c.gray(`${localTime(t)} local`)}\n`;
        }
      }
      out += line(
        "versions",
        d.versions
          .map((v) => {
            const mark = v.active
              ? c.green(
                  d.rolled_back ? "  active (rolled back, until its files change)" : "  active",
                )
              : "";
            const changed = c.gray(fileChanges(v));
            return `v${v.version} ${v.hash.slice(0, 12)} ${localTime(v.created_at)}${mark}${changed}`;
          })
          .join("\n             "),
      );
      write("stdout", out);
    } finally {
      conn.close();
    }
  },
});

const toggle = (paused: boolean) =>
  defineCommand({
    meta: {
      name: paused ? "pause" : "resume",
      description: paused
        ? "Pause a deployment: its schedules and triggers make no runs until resumed (orch run still does)"
        : "Resume a deployment's schedules (planned again from now, with their catch-up) and triggers",
    },
    args: { ...connectArgs, ...jsonArg, ...nameArg },
    async run({ args }) {
      const conn = await connect(args, { local: true });
      try {
        const d = paused
          ? await conn.client.pauseDeployment(args.name)
          : await conn.client.resumeDeployment(args.name);
        if (args.json) return printJson(d);
        log.success(`${d.name} is ${paused ? "paused" : "active"}`);
      } finally {
        conn.close();
      }
    },
  });

export const pause = toggle(true);
export const resume = toggle(false);

export const rm = defineCommand({
  meta: { name: "rm", description: "Remove a deployment from scheduling (its runs stay)" },
  args: { ...connectArgs, ...jsonArg, ...nameArg },
  async run({ args }) {
    const conn = await connect(args, { local: true });
    try {
      const result = await conn.client.removeDeployment(args.name);
      if (args.json) return printJson(result);
      log.success(`removed ${args.name}; its runs stay in the history`);
      if (result.source)
        log.warn(
          `it is still defined at ${result.source}: delete it there too, or it comes back on the next save`,
        );
    } finally {
      conn.close();
    }
  },
});

export const rollback = defineCommand({
  meta: {
    name: "rollback",
    description:
      "Make an older version active (--to N, default the one before) until its files change",
  },
  args: {
    ...connectArgs,
    ...jsonArg,
    ...nameArg,
    to: { type: "string", description: "The version to make active", valueHint: "N" },
  },
  async run({ args }) {
    const to = args.to === undefined ? undefined : Number(args.to.replace(/^v/, ""));
    if (to !== undefined && (!Number.isInteger(to) || to < 1)) {
      throw new OrchError(
        "E_BAD_INPUT",
        `--to must be a version number such as 3, not ${JSON.stringify(args.to)}`,
      );
    }
    const conn = await connect(args, { local: true });
    try {
      const done = await conn.client.rollbackDeployment(args.name, to);
      if (args.json) return printJson(done);
      log.success(
        `${c.bold(done.name, "stderr")} runs v${done.version} now (its code and definition), instead of v${done.from}, until its files change; orch deployments rollback ${done.name} --to ${done.latest} goes back to the newest`,
      );
      if (done.folder) {
        log.warn(
          `v${done.version} covers every file in ${done.folder} (a command without include:), so an edit to any of them, another deployment's too, ends this rollback; include: names the files it uses`,
        );
      }
    } finally {
      conn.close();
    }
  },
});
