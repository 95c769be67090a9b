import { defineCommand } from "citty";
import type { WorkPoolJson } from "../client/index.ts";
import { write } from "../core/stdio.ts";
import { connect, connectArgs, jsonArg } from "./connect.ts";
import { c, log, printJson, renderTable } from "./output.ts";

/** What a pool's runs start from, in a few words: its image, for a docker pool. */
function runsIn(pool: WorkPoolJson): string {
  const image = pool.job?.image;
  return typeof image === "string" ? image : "-";
}

export const ls = defineCommand({
  meta: { name: "ls", description: "List work pools: type, concurrency, workers, runs waiting" },
  args: { ...connectArgs, ...jsonArg },
  async run({ args }) {
    const conn = await connect(args, { local: true });
    try {
      const pools = await conn.client.listPools();
      if (args.json) return printJson(pools);
      if (!pools.length) {
        log.info("no work pools yet; declare one under work_pools: in flows/*.yaml");
        return;
      }
      const rows = pools.map((p) => [
        c.bold(p.name) + (p.defined ? "" : c.gray(" (automatic)")),
        p.type,
        p.concurrency === null ? "-" : String(p.concurrency),
        p.workers ? c.green(String(p.workers)) : c.yellow("0"),
        String(p.runs_waiting),
        String(p.runs_running),
        p.paused ? c.yellow("paused") : runsIn(p),
      ]);
      write(
        "stdout",
        `${renderTable(["NAME", "TYPE", "CONCURRENCY", "WORKERS", "WAITING", "RUNNING", "IMAGE"], rows)}\n`,
      );
    } finally {
      conn.close();
    }
  },
});

export const inspect = defineCommand({
  meta: {
    name: "inspect",
    description: "Show one work pool: its job template, queues and the deployments that use it",
  },
  args: {
    ...connectArgs,
    ...jsonArg,
    name: { type: "positional", description: "The pool's name", required: true },
  },
  async run({ args }) {
    const conn = await connect(args, { local: true });
    try {
      const p = await conn.client.getPool(args.name);
      if (args.json) return printJson(p);
      const line = (label: string, value: string) => `${c.gray(label.padEnd(12))} ${value}\n`;
      let out = `${c.bold(p.name)}  ${p.type}${p.paused ? `  ${c.yellow("paused")}` : ""}\n`;
      if (!p.defined) out += line("declared", c.gray("no: made by a worker or a deployment"));
      out += line("concurrency", p.concurrency === null ? "no limit" : String(p.concurrency));
      out += line("workers", String(p.workers));
      out += line("runs", `${p.runs_waiting} waiting, ${p.runs_running} running`);
      if (p.job) {
        out += line("job", "");
        for (const [key, value] of Object.entries(p.job)) {
          out += `  ${key.padEnd(12)} ${typeof value === "string" ? value : JSON.stringify(value)}\n`;
        }
      }
      out += line(
        "queues",
        p.queues
          .map(
            (q) =>
              `${q.name} (priority ${q.priority}${q.concurrency ? `, limit ${q.concurrency}` : ""})`,
          )
          .join(", ") || "-",
      );
      out += line("deployments", p.deployments.length ? "" : "-");
      for (const d of p.deployments) {
        const vars = Object.keys(d.job_variables).length
          ? `  ${c.gray(JSON.stringify(d.job_variables))}`
          : "";
        out += `  ${d.name}${vars}\n`;
      }
      write("stdout", out);
    } finally {
      conn.close();
    }
  },
});
