import type { Client, EventJson } from "../client/index.ts";
import { shortId } from "./format.ts";
import type { Action } from "./reduce.ts";

/** What handling a live event needs from the monitor's container. */
export interface EventContext {
  client: () => Client | null;
  stopped: () => boolean;
  dispatch: (action: Action) => void;
  note: (level: "info" | "warn" | "error", message: string) => void;
  /** Fetch this run (batched with others). */
  queueRun: (id: string) => void;
  failed: <T>(what: string, fallback: T) => (error: unknown) => T;
}

/**
 * A backfill's progress for the event line, or null between steps: its start, each tenth of its
 * slots, and its end or pause, so a long backfill shows how far it is without a line per slot.
 */
export function backfillProgress(id: string, p: Record<string, unknown>): string | null {
  const total = Number(p.total ?? 0);
  const handled = Number(p.created ?? 0) + Number(p.skipped ?? 0);
  const step = Math.max(1, Math.floor(total / 10));
  const status = String(p.status ?? "");
  if (status === "running" && handled > 0 && handled % step !== 0 && handled !== total) return null;
  const what = status === "running" ? (handled === 0 ? "started" : "running") : status;
  return `backfill ${shortId(id)} of ${p.deployment}: ${what}, ${handled}/${total} slots`;
}

/** Take in one event of the live stream: fetch what it names, say what happened on the event line. */
export async function handleEvent(e: EventJson, ctx: EventContext): Promise<void> {
  const p = e.payload as Record<string, unknown>;
  if (e.name.startsWith("flow-run.") && e.resource) {
    ctx.queueRun(e.resource);
    const of = p.deployment ? ` of ${p.deployment}` : "";
    if (e.name === "flow-run.crashed") {
      ctx.note(
        "error",
        `run ${shortId(e.resource)}${of} crashed${p.message ? `: ${p.message}` : ""}`,
      );
    } else if (p.state_name === "Late") {
      ctx.note("warn", `run ${shortId(e.resource)}${of} is late`);
    }
    return;
  }
  if (!e.resource) return;
  switch (e.name) {
    case "backfill.updated": {
      const line = backfillProgress(e.resource, p);
      if (line) ctx.note("info", line);
      return;
    }
    case "deployment.invalid": {
      const problems = (p.problems as string[] | undefined) ?? [];
      const more = problems.length > 1 ? ` (+${problems.length - 1} more)` : "";
      ctx.note("error", problems.length ? `${problems[0]}${more}` : `${e.resource} is invalid`);
      return;
    }
    case "deployment.removed":
      ctx.dispatch({ type: "deploymentRemoved", name: e.resource });
      ctx.note("info", `removed ${e.resource}${p.reason ? `: ${p.reason}` : ""}`);
      return;
    case "deployment.created":
    case "deployment.updated":
    case "deployment.paused":
    case "deployment.resumed": {
      const deployment = await ctx
        .client()
        ?.getDeployment(e.resource)
        .catch(ctx.failed(`load deployment ${e.resource}`, null));
      if (deployment && !ctx.stopped()) ctx.dispatch({ type: "deploymentUpserted", deployment });
      const verb = {
        "deployment.created": "deployed",
        "deployment.updated": "redeployed",
        "deployment.paused": "paused",
        "deployment.resumed": "resumed",
      }[e.name];
      ctx.note("info", `${verb} ${e.resource}${p.version ? ` (v${p.version})` : ""}`);
    }
  }
}
