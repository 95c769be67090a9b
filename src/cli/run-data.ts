/** `orch runs result` and `orch runs artifacts`: what a run kept besides its states and logs. */
import { defineCommand } from "citty";
import type { ArtifactJson } from "../core/index.ts";
import { escapeControlChars, formatBytes, tableCells } from "../core/index.ts";
import { write } from "../core/stdio.ts";
import { connect, connectArgs, jsonArg } from "./connect.ts";
import { localTime } from "./format.ts";
import { c, log, printJson, renderTable } from "./output.ts";
import { runIdArg } from "./run-id-arg.ts";

/** Text of a flow's making, shown line by line with its control characters made visible. */
const safe = (text: string) => text.split("\n").map(escapeControlChars).join("\n");

export const result = defineCommand({
  meta: {
    name: "result",
    description: "Print a run's result (its flow's return value) as JSON, or a task run's",
  },
  args: {
    ...connectArgs,
    ...runIdArg,
    task: {
      type: "string",
      description: "A task run's result instead: its name (NAME#N for the Nth of several runs)",
    },
    json: {
      type: "boolean",
      description: "Print the result with where it is kept ({run_id, task, value, size, file})",
    },
  },
  async run({ args }) {
    const conn = await connect(args, { local: true });
    try {
      const r = await conn.client.getResult(args.id, args.task);
      if (args.json) return printJson(r);
      write("stdout", `${safe(JSON.stringify(r.value, null, 2))}\n`);
      if (r.file) log.info(`${formatBytes(r.size)}, kept in ${r.file} under the data dir`);
    } finally {
      conn.close();
    }
  },
});

/** One artifact as text: a heading, then the table, the markdown as written, or the URL. */
export function renderArtifact(a: ArtifactJson): string {
  const where = a.task ? `  ${c.gray(`task ${safe(a.task)}`)}` : "";
  const about = a.description ? `  ${c.gray(safe(a.description))}` : "";
  const head = `${c.bold(safe(a.key))}  ${c.cyan(a.type)}${where}  ${c.gray(localTime(a.created_at))}${about}`;
  if (a.type === "link") return `${head}\n${safe(String(a.data))}`;
  if (a.type === "markdown") return `${head}\n${safe(String(a.data))}`;
  const { columns, cells } = tableCells(a.data as unknown[]);
  if (!cells.length) return `${head}\n${c.gray("(no rows)")}`;
  return `${head}\n${renderTable(
    columns.map((col) => safe(col).toUpperCase()),
    cells.map((row) => row.map(escapeControlChars)),
  )}`;
}

export const artifacts = defineCommand({
  meta: {
    name: "artifacts",
    description: "Print a run's artifacts: tables as tables, markdown as written, links",
  },
  args: { ...connectArgs, ...jsonArg, ...runIdArg },
  async run({ args }) {
    const conn = await connect(args, { local: true });
    try {
      const list = await conn.client.listArtifacts(args.id);
      if (args.json) return printJson(list);
      if (!list.length) {
        log.info("this run has no artifacts; a flow makes them with createArtifact()");
        return;
      }
      write("stdout", `${list.map(renderArtifact).join("\n\n")}\n`);
    } finally {
      conn.close();
    }
  },
});
