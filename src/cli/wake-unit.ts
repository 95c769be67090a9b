import { writeFileSync } from "node:fs";
import { join } from "node:path";
import { defineCommand } from "citty";
import { formatDuration, OrchError, parseDuration } from "../core/index.ts";
import { write } from "../core/stdio.ts";
import { connect, connectArgs } from "./connect.ts";
import { log } from "./output.ts";

/** What a wake unit is made from: the deployment, the times to wake at (ms), how early. */
export interface WakePlan {
  deployment: string;
  times: number[];
  leadMs: number;
}

/** The name the unit's files carry: `orch-wake-NAME`, with only characters systemd keeps. */
export function wakeUnitName(deployment: string): string {
  return `orch-wake-${deployment.replace(/[^A-Za-z0-9_-]/g, "_")}`;
}

/** `2026-12-01 01:59:00 UTC`: a time as systemd's OnCalendar= reads it. */
function calendar(ms: number): string {
  return `${new Date(ms).toISOString().slice(0, 19).replace("T", " ")} UTC`;
}

/**
 * A systemd timer (and the no-op service it starts) that wakes the machine `leadMs` before each
 * time, with WakeSystem=: installed once as root, it needs nothing at run time. orch itself,
 * awake again, runs the flows. Returns the files by name.
 */
export function renderSystemdUnits(plan: WakePlan): Record<string, string> {
  const name = wakeUnitName(plan.deployment);
  const timer = [
    `# ${name}.timer, made by orch wake-unit: wakes this machine ${formatDuration(plan.leadMs)} before`,
    `# the next ${plan.times.length} runs of ${plan.deployment} (its schedules with wake: true).`,
    "# Install once as root; nothing runs as root afterwards (orch runs the flows as usual):",
    `#   sudo cp ${name}.timer ${name}.service /etc/systemd/system/`,
    `#   sudo systemctl daemon-reload && sudo systemctl enable --now ${name}.timer`,
    "# Make it again (orch wake-unit) before its last time passes.",
    "[Unit]",
    `Description=Wake this machine for orch deployment ${plan.deployment}`,
    "",
    "[Timer]",
    ...plan.times.map((t) => `OnCalendar=${calendar(t - plan.leadMs)}`),
    "WakeSystem=true",
    "AccuracySec=1s",
    `Unit=${name}.service`,
    "",
    "[Install]",
    "WantedBy=timers.target",
    "",
  ].join("\n");
  const service = [
    `# ${name}.service: what ${name}.timer starts; the wake itself is the point.`,
    "[Unit]",
    `Description=Woken for orch deployment ${plan.deployment} (orch runs it)`,
    "",
    "[Service]",
    "Type=oneshot",
    "ExecStart=/bin/true",
    "",
  ].join("\n");
  return { [`${name}.timer`]: timer, [`${name}.service`]: service };
}

/** `12/01/26 02:59:00`: a time on this machine's clock, as pmset reads it. */
function pmsetTime(ms: number): string {
  const d = new Date(ms);
  const p = (n: number) => String(n).padStart(2, "0");
  return `${p(d.getMonth() + 1)}/${p(d.getDate())}/${p(d.getFullYear() % 100)} ${p(d.getHours())}:${p(d.getMinutes())}:${p(d.getSeconds())}`;
}

/** A shell script of `pmset schedule wake` lines (macOS): run once with sudo. */
export function renderPmset(plan: WakePlan): string {
  return [
    "#!/bin/sh",
    `# Made by orch wake-unit: wakes this Mac ${formatDuration(plan.leadMs)} before the next ${plan.times.length} runs`,
    `# of ${plan.deployment} (its schedules with wake: true). Run it once with sudo (pmset needs it);`,
    "# nothing runs as root afterwards. Make it again before its last time passes.",
    ...plan.times.map((t) => `pmset schedule wake "${pmsetTime(t - plan.leadMs)}"`),
    "",
  ].join("\n");
}

export default defineCommand({
  meta: {
    name: "wake-unit",
    description:
      "Print (or write) the OS timer that wakes this machine for a deployment's wake: true schedules",
  },
  args: {
    deployment: { type: "positional", description: "The deployment", required: true },
    format: { type: "string", description: "systemd (Linux) or pmset (macOS); default: this OS's" },
    count: { type: "string", description: "How many of the next runs to wake for", default: "20" },
    lead: { type: "string", description: "How early to wake, a duration", default: "1m" },
    out: {
      type: "string",
      description: "Write the files into this folder instead of printing them",
    },
    ...connectArgs,
  },
  async run({ args }) {
    const format = args.format ?? (process.platform === "darwin" ? "pmset" : "systemd");
    const count = Number(args.count);
    const leadMs = parseDuration(args.lead);
    const problems = [
      ...(format === "systemd" || format === "pmset"
        ? []
        : [
            {
              where: "--format",
              message: `must be systemd or pmset, not ${JSON.stringify(format)}`,
            },
          ]),
      ...(Number.isInteger(count) && count >= 1 && count <= 500
        ? []
        : [{ where: "--count", message: "must be a whole number from 1 to 500" }]),
      ...(leadMs === undefined
        ? [
            {
              where: "--lead",
              message: `${JSON.stringify(args.lead)} is not a duration (like 1m or 30s)`,
            },
          ]
        : []),
    ];
    if (problems.length)
      throw new OrchError("E_BAD_INPUT", "orch wake-unit: bad options", problems);
    const conn = await connect(args, { local: true });
    try {
      const { deployment, times } = await conn.client.wakeTimes(args.deployment, count);
      if (!times.length) {
        throw new OrchError(
          "E_BAD_INPUT",
          `deployment ${deployment} has no upcoming run of a schedule with wake: true; add "wake: true" to the schedule that should wake this machine`,
        );
      }
      const plan = { deployment, times: times.map((t) => Date.parse(t)), leadMs: leadMs! };
      const files =
        format === "pmset"
          ? { [`${wakeUnitName(deployment)}.sh`]: renderPmset(plan) }
          : renderSystemdUnits(plan);
      if (args.out) {
        for (const [name, text] of Object.entries(files)) {
          writeFileSync(join(args.out, name), text, { mode: name.endsWith(".sh") ? 0o755 : 0o644 });
          log.success(`wrote ${join(args.out, name)}`);
        }
        return;
      }
      const entries = Object.entries(files);
      for (const [name, text] of entries) {
        write("stdout", entries.length > 1 ? `# ---- ${name}\n${text}` : text);
      }
    } finally {
      conn.close();
    }
  },
});
