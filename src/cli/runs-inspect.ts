/** `orch runs inspect ID`: one run with its attempts, state history, tasks and result. */
import { defineCommand } from "citty";
import type { RunDetail } from "../client/index.ts";
import { escapeControlChars } from "../core/escape-control.ts";
import { formatBytes } from "../core/results.ts";
import { runTimes } from "../core/run-times.ts";
import { write } from "../core/stdio.ts";
import { renderTriggeredBy } from "../core/triggered-by.ts";
import { connect, connectArgs, jsonArg } from "./connect.ts";
import { localTime, paintState, runDuration } from "./format.ts";
import { c, printJson, stripAnsi } from "./output.ts";
import { runIdArg } from "./run-id-arg.ts";

/** A run's result in one line: the value when short, else its size and how to read it. */
function describeResult(id: string, r: NonNullable<RunDetail["result"]>): string {
  if (r.problem !== undefined) return c.yellow(`not kept: ${escapeControlChars(r.problem)}`);
  const text = r.file === null ? JSON.stringify(r.value) : undefined;
  if (text !== undefined && text.length <= 200) return escapeControlChars(text);
  return c.gray(`${formatBytes(r.size)}; orch runs result ${id.slice(0, 8)} prints it`);
}

export default defineCommand({
  meta: { name: "inspect", description: "Show one run with its state history, tasks and result" },
  args: { ...connectArgs, ...jsonArg, ...runIdArg },
  async run({ args }) {
    const conn = await connect(args, { local: true });
    try {
      const r = await conn.client.getRun(args.id);
      if (args.json) return printJson(r);
      // Messages and task names can carry a flow's text: shown safe, as its logs are.
      const safe = escapeControlChars;
      const line = (label: string, value: string) => `${c.gray(label.padEnd(11))} ${value}\n`;
      let out = `${c.bold(r.id)}  ${paintState(r.state, r.state_name)}\n`;
      if (r.name) out += line("name", safe(r.name));
      if (r.tags.length) out += line("tags", r.tags.join(", "));
      if (r.state_message) out += line("message", safe(r.state_message));
      if (r.parent_id) {
        out += line("subflow", `${safe(r.flow_name ?? "?")} of run ${r.parent_id}`);
      } else {
        out += line("deployment", r.deployment ? `${r.deployment} v${r.version}` : "(ad hoc)");
      }
      if (r.triggered_by) out += line("started by", safe(renderTriggeredBy(r.triggered_by)));
      out += line("parameters", JSON.stringify(r.parameters));
      out += line("attempt", String(r.attempt));
      for (const t of runTimes(r))
        out += line(t.label, `${localTime(t.at)}${t.note ? ` (${t.note})` : ""}`);
      out += line("ended", localTime(r.ended_at));
      out += line("duration", runDuration(r));
      if (r.exit_code !== null) out += line("exit code", String(r.exit_code));
      if (r.signal) out += line("signal", r.signal);
      // Named as the monitor names it (name@host) while orch knows the worker; its id otherwise.
      if (r.worker) out += line("worker", r.worker_name ?? r.worker);
      if (r.result) out += line("result", describeResult(r.id, r.result));
      if (r.artifacts.length) {
        const listed = r.artifacts.map((a) => `${safe(a.key)} (${a.type})`).join(", ");
        out += line("artifacts", `${listed}; orch runs artifacts ${r.id.slice(0, 8)} prints them`);
      }
      if (r.pause) {
        const until = r.pause.timeout_at
          ? `, fails at ${localTime(r.pause.timeout_at)} unless resumed`
          : "";
        out += line(
          "paused at",
          `${safe(r.pause.key)}${until}; orch runs resume ${r.id.slice(0, 8)} -p key=value`,
        );
        if (r.pause.input_schema) out += line("input", JSON.stringify(r.pause.input_schema));
      }
      if (r.attempts.length > 1) {
        // A retry may run a newer version than the attempt before it: each says its own.
        out += `\n${c.bold("ATTEMPTS")}\n`;
        for (const a of r.attempts) {
          const version = a.version === null ? (r.deployment ? "v?" : "ad hoc") : `v${a.version}`;
          out += `  ${a.attempt}  ${version}  ${c.gray(`started ${localTime(a.started_at)}`)}\n`;
        }
      }
      out += `\n${c.bold("STATES")}\n`;
      for (const s of r.states) {
        out += `  ${localTime(s.at)}  ${paintState(s.type, s.name)}${s.message ? `  ${c.gray(safe(s.message))}` : ""}\n`;
      }
      if (r.tasks.length) {
        out += `\n${c.bold("TASKS")}\n`;
        // Grouped by the run's attempt once there are several (a retry's Reused results show
        // beside the attempt they came from).
        const grouped = new Set(r.tasks.map((t) => t.run_attempt ?? null)).size > 1;
        // In columns, as STATES: names and states padded to the widest of the run's tasks.
        const names = r.tasks.map((t) => safe(t.name));
        const states = r.tasks.map((t) => paintState(t.state, t.state_name));
        const nameWidth = Math.max(...names.map((n) => n.length));
        const stateWidth = Math.max(...states.map((s) => stripAnsi(s).length));
        let group: number | null | undefined;
        r.tasks.forEach((t, i) => {
          if (grouped && t.run_attempt !== group) {
            group = t.run_attempt;
            out += `  ${c.gray(group ? `attempt ${group}` : "attempt ?")}\n`;
          }
          const state = states[i]!;
          const padding = " ".repeat(stateWidth - stripAnsi(state).length);
          out += `  ${grouped ? "  " : ""}${names[i]!.padEnd(nameWidth)}  ${state}${padding}  attempts ${t.attempts}${t.message ? `: ${safe(t.message)}` : ""}\n`;
        });
      }
      if (r.children?.length) {
        out += `\n${c.bold("SUBFLOWS")}\n`;
        for (const child of r.children)
          out += `  ${child.id.slice(0, 8)}  ${safe(child.flow_name ?? "?")}  ${paintState(child.state, child.state_name)}  ${runDuration(child)}\n`;
      }
      write("stdout", out);
    } finally {
      conn.close();
    }
  },
});
