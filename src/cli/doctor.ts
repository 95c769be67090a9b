import { existsSync, statfsSync, statSync } from "node:fs";
import { defineCommand } from "citty";
import {
  formatDuration,
  OrchError,
  type RetentionKeep,
  type RetentionSpec,
} from "../core/index.ts";
import { write } from "../core/stdio.ts";
import { jsonArg, projectOf } from "./connect.ts";
import { formatBytes } from "./format.ts";
import { c, printJson } from "./output.ts";

/** One health check: ok, a problem (false), or only information (null). */
interface Check {
  name: string;
  ok: boolean | null;
  detail: string;
}

const keepText = (keep: RetentionKeep | undefined) =>
  !keep ? "all" : "count" in keep ? `newest ${keep.count}` : formatDuration(keep.max_age_ms);
const retentionText = (spec: RetentionSpec) =>
  `runs ${keepText(spec.runs)}, logs ${keepText(spec.logs)}, events ${keepText(spec.events)}`;
const n = (value: number) => value.toLocaleString("en-US");

export default defineCommand({
  meta: {
    name: "doctor",
    description:
      "Check this project's orch: store size, largest deployments by logs, what retention would free, integrity, server",
  },
  args: {
    dir: {
      type: "string",
      description:
        "The project root (default: the nearest folder up from here with flows/ or .orch/)",
    },
    ...jsonArg,
  },
  async run({ args }) {
    const paths = projectOf(args.dir);
    const [{ findServer }, store] = await Promise.all([
      import("../client/index.ts"),
      import("../store/index.ts"),
    ]);
    const checks: Check[] = [];

    // The server: found through server.json, and answering.
    const target = findServer(paths, {}, {});
    if (!target)
      checks.push({ name: "server", ok: null, detail: "not running (orch up starts it)" });
    else {
      try {
        const res = await fetch(`${target.url}/api/health`, { signal: AbortSignal.timeout(3000) });
        checks.push({
          name: "server",
          ok: res.ok,
          detail: res.ok ? `answering at ${target.url}` : `${target.url} answered ${res.status}`,
        });
      } catch (error) {
        checks.push({
          name: "server",
          ok: false,
          detail: `server.json names ${target.url}, which does not answer (${(error as Error).message}); stop its process or remove ${paths.serverFile}`,
        });
      }
    }

    // Files: the data dir and the token keep to their owner.
    for (const [what, path, mode] of [
      ["data dir", paths.data, 0o700],
      ["token", paths.token, 0o600],
    ] as const) {
      if (!existsSync(path)) continue;
      const actual = statSync(path).mode & 0o777;
      checks.push({
        name: `${what} mode`,
        ok: (actual & ~mode) === 0,
        detail:
          (actual & ~mode) === 0
            ? `${actual.toString(8)}`
            : `${path} is ${actual.toString(8)}: others can read it; chmod ${mode.toString(8)} ${path}`,
      });
    }

    let report: Awaited<ReturnType<typeof store.storeReport>> | null = null;
    if (!existsSync(paths.db)) {
      checks.push({
        name: "store",
        ok: null,
        detail: `none yet at ${paths.db} (orch up makes it)`,
      });
    } else {
      // Read-only and on a connection of its own: a running server is neither changed nor slowed.
      const s = store.openStore(paths.db, { readonly: true });
      try {
        report = await store.storeReport(s, Date.now());
      } finally {
        s.close();
      }
      const integrity = report.quick_check.length === 1 && report.quick_check[0] === "ok";
      checks.push({
        name: "integrity",
        ok: integrity,
        detail: integrity
          ? "quick check ok (orch db check runs the full one)"
          : `${report.quick_check.slice(0, 5).join("; ")}; restore a backup with orch db restore FILE`,
      });
      const free = statfsSync(paths.data);
      const available = free.bavail * free.bsize;
      const size = statSync(paths.db).size;
      checks.push({
        name: "disk",
        ok: available > Math.max(size * 2, 512 * 1024 * 1024),
        detail: `${formatBytes(available)} free beside the store (a backup needs up to its size, ${formatBytes(size)})`,
      });
      const backups = store.listBackups(store.backupsDirOf(paths.db));
      const newest = backups.at(-1);
      checks.push({
        name: "backups",
        ok: null,
        detail: newest
          ? `${backups.length} in ${store.backupsDirOf(paths.db)}, newest ${new Date(newest.at).toISOString()}`
          : "none yet (orch db backup makes one; orch makes one before each upgrade)",
      });
    }

    if (args.json) printJson({ store: paths.db, report, checks });
    else show(paths.db, report, checks);
    const failed = checks.filter((ch) => ch.ok === false);
    if (failed.length) {
      throw new OrchError(
        "E_CONFLICT",
        `${failed.length} ${failed.length === 1 ? "check" : "checks"} failed: ${failed.map((f) => f.name).join(", ")}`,
      );
    }
  },
});

function show(
  db: string,
  report: Awaited<ReturnType<typeof import("../store/index.ts").storeReport>> | null,
  checks: Check[],
): void {
  const out: string[] = [];
  if (report) {
    out.push(
      `${c.bold("Store")}  ${db}  ${formatBytes(report.size_bytes)} (${formatBytes(report.free_bytes)} free inside)`,
      `  ${n(report.runs)} runs, ${n(report.log_lines)} log lines, ${n(report.events)} events`,
    );
    if (report.largest.length) {
      out.push("", c.bold("Largest deployments by logs"));
      const rows = report.largest.map((d) => [
        d.deployment ?? "(ad hoc)",
        n(d.runs),
        n(d.log_lines),
        formatBytes(d.log_bytes),
      ]);
      const head = ["DEPLOYMENT", "RUNS", "LOG LINES", "LOG SIZE"];
      const widths = head.map((h, i) => Math.max(h.length, ...rows.map((r) => r[i]!.length)));
      for (const row of [head, ...rows])
        out.push(
          `  ${row
            .map((cell, i) => cell.padEnd(widths[i]!))
            .join("  ")
            .trimEnd()}`,
        );
    }
    const { project, deployments } = report.retention;
    out.push("", c.bold("Retention"));
    out.push(
      project
        ? `  ${retentionText(project.spec)} (set in ${project.source})`
        : "  none set for the project: everything is kept (add retention: to a definition file)",
    );
    if (deployments.length) out.push(`  own retention: ${deployments.join(", ")}`);
    const f = report.would_free;
    out.push(
      `  would delete now: ${n(f.runs)} runs, ${n(f.log_lines)} log lines (${formatBytes(f.log_bytes)}), ${n(f.events)} events`,
    );
    out.push("");
  }
  out.push(c.bold("Checks"));
  for (const ch of checks) {
    const mark = ch.ok === null ? c.dim("·") : ch.ok ? c.green("✔") : c.red("✖");
    out.push(`  ${mark} ${ch.name}: ${ch.detail}`);
  }
  write("stdout", `${out.join("\n")}\n`);
}
