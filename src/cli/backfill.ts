import { defineCommand } from "citty";
import type { BackfillJson, BackfillPlanJson } from "../client/index.ts";
import { write } from "../core/stdio.ts";
import { connect, connectArgs, jsonArg } from "./connect.ts";
import { localTimeWithZone } from "./format.ts";
import { wholeNumberArg } from "./number-arg.ts";
import { c, log, printJson } from "./output.ts";

/** The slots of a dry run, one a line with its local and UTC time. */
function showPlan(plan: BackfillPlanJson, onlyMissing: boolean): void {
  const run = onlyMissing ? plan.slots.filter((s) => !s.completed) : plan.slots;
  for (const slot of plan.slots) {
    const skip = onlyMissing && slot.completed;
    const line = `${localTimeWithZone(slot.at)}  ${slot.at}${slot.completed ? c.gray("  has a COMPLETED run") : ""}`;
    write("stdout", `${skip ? c.gray(`skip ${line}`) : `run  ${line}`}\n`);
  }
  log.info(
    `${plan.deployment}: ${run.length} of ${plan.total} ${plan.total === 1 ? "slot" : "slots"} of ${plan.schedule} would run (dry run: nothing was made)`,
  );
}

export default defineCommand({
  meta: {
    name: "backfill",
    description:
      "Run a deployment once per schedule slot over a past range (slots at or before now), each run with its slot's time",
  },
  args: {
    deployment: { type: "positional", description: "The deployment", required: true },
    from: {
      type: "string",
      description: "The range's start, an ISO time (no offset: the schedule's zone)",
      required: true,
    },
    to: {
      type: "string",
      description: "The range's end (a slot at it runs too); no slot after now",
      required: true,
    },
    schedule: {
      type: "string",
      description: "Which schedule's slots, 1 for the first (needed when there are several)",
    },
    "only-missing": {
      type: "boolean",
      description: "Skip slots that already have a COMPLETED run",
    },
    "max-concurrency": { type: "string", description: "Runs going at once (default 1)" },
    reverse: { type: "boolean", description: "Newest slot first" },
    "dry-run": { type: "boolean", description: "List the slots; make nothing" },
    ...connectArgs,
    ...jsonArg,
  },
  async run({ args }) {
    const body = {
      deployment: args.deployment,
      from: args.from,
      to: args.to,
      ...(args.schedule !== undefined
        ? { schedule: wholeNumberArg(args.schedule, "--schedule", { min: 1 }, undefined) }
        : {}),
      ...(args["max-concurrency"] !== undefined
        ? {
            max_concurrency: wholeNumberArg(
              args["max-concurrency"],
              "--max-concurrency",
              { min: 1 },
              undefined,
            ),
          }
        : {}),
      only_missing: Boolean(args["only-missing"]),
      reverse: Boolean(args.reverse),
    };
    const conn = await connect(args, { local: true });
    try {
      if (args["dry-run"]) {
        const plan = await conn.client.planBackfill(body);
        return args.json ? printJson(plan) : showPlan(plan, body.only_missing);
      }
      const backfill: BackfillJson = await conn.client.createBackfill(body);
      if (args.json) return printJson(backfill);
      log.success(
        `backfill ${backfill.id.slice(0, 8)} of ${backfill.deployment}: ${backfill.total} ${backfill.total === 1 ? "slot" : "slots"} of ${backfill.schedule}, at most ${backfill.max_concurrency} at a time`,
      );
      log.info(
        conn.remote
          ? `follow it with orch backfills inspect ${backfill.id.slice(0, 8)}`
          : "no server is running: orch up starts its runs",
      );
    } finally {
      conn.close();
    }
  },
});
