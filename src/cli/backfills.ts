import { defineCommand } from "citty";
import type { BackfillJson } from "../client/index.ts";
import { write } from "../core/stdio.ts";
import { connect, connectArgs, jsonArg } from "./connect.ts";
import { localTime } from "./format.ts";
import { c, log, printJson, renderTable } from "./output.ts";

const idArg = {
  id: {
    type: "positional",
    description: "The backfill's id (a unique prefix will do)",
    required: true,
  },
} as const;

/** A backfill's status, coloured. */
function paintStatus(status: string): string {
  if (status === "completed") return c.green(status);
  if (status === "paused") return c.yellow(status);
  if (status === "cancelled") return c.gray(status);
  return c.blue(status);
}

/** "12/30": slots handled of all. */
function progress(b: BackfillJson): string {
  return `${b.created + b.skipped}/${b.total}`;
}

export const ls = defineCommand({
  meta: { name: "ls", description: "List backfills, newest first" },
  args: { ...connectArgs, ...jsonArg },
  async run({ args }) {
    const conn = await connect(args, { local: true });
    try {
      const list = await conn.client.listBackfills();
      if (args.json) return printJson(list);
      if (!list.length) {
        log.info("no backfills; orch backfill DEPLOYMENT --from T --to T starts one");
        return;
      }
      const rows = list.map((b) => [
        b.id.slice(0, 8),
        b.deployment,
        paintStatus(b.status),
        progress(b),
        `${b.runs.completed} ok, ${b.runs.failed + b.runs.crashed} failed, ${b.runs.active} going`,
        `${localTime(b.from)} → ${localTime(b.to)}`,
      ]);
      write(
        "stdout",
        `${renderTable(["ID", "DEPLOYMENT", "STATUS", "SLOTS", "RUNS", "RANGE"], rows)}\n`,
      );
    } finally {
      conn.close();
    }
  },
});

function show(b: BackfillJson): void {
  const lines: [string, string][] = [
    ["id", b.id],
    ["deployment", b.deployment],
    ["schedule", `${b.schedule} (schedule ${b.schedule_index})`],
    ["range", `${b.from} → ${b.to}${b.reverse ? " (newest first)" : ""}`],
    ["status", paintStatus(b.status) + (b.message ? ` (${b.message})` : "")],
    [
      "slots",
      `${progress(b)} handled: ${b.created} runs made, ${b.skipped} skipped${b.only_missing ? " (only missing)" : ""}`,
    ],
    [
      "runs",
      `${b.runs.completed} completed, ${b.runs.failed} failed, ${b.runs.crashed} crashed, ${b.runs.cancelled} cancelled, ${b.runs.active} going (at most ${b.max_concurrency})`,
    ],
    ["next slot", b.next_slot ?? "-"],
    ["created", localTime(b.created_at)],
    ["ended", localTime(b.ended_at)],
  ];
  for (const [k, v] of lines) write("stdout", `${c.bold(k.padEnd(11))} ${v}\n`);
}

export const inspect = defineCommand({
  meta: { name: "inspect", description: "Show a backfill's progress" },
  args: { ...idArg, ...connectArgs, ...jsonArg },
  async run({ args }) {
    const conn = await connect(args, { local: true });
    try {
      const b = await conn.client.getBackfill(args.id);
      return args.json ? printJson(b) : show(b);
    } finally {
      conn.close();
    }
  },
});

/** pause, resume and cancel: one verb each, the same shape. */
function verb(name: "pause" | "resume" | "cancel", description: string, done: string) {
  return defineCommand({
    meta: { name, description },
    args: { ...idArg, ...connectArgs, ...jsonArg },
    async run({ args }) {
      const conn = await connect(args, { local: true });
      try {
        const b = await conn.client.setBackfill(args.id, name);
        if (args.json) return printJson(b);
        log.success(`backfill ${b.id.slice(0, 8)} ${done} (${progress(b)} slots handled)`);
      } finally {
        conn.close();
      }
    },
  });
}

export const pause = verb("pause", "Make no more runs of a backfill", "paused");
export const resume = verb("resume", "Go on with a paused backfill where it stopped", "resumed");
export const cancel = verb("cancel", "Stop a backfill and cancel its unfinished runs", "cancelled");
