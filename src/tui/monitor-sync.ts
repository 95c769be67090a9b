import type { Client, DeploymentJson, EventJson } from "../client/index.ts";
import { type TriggerFailure, triggerFailureLine } from "../core/trigger-failure.ts";
import type { Action } from "./action.ts";
import { shortId } from "./format.ts";
import {
  backfillProgress,
  describeDeploymentEvent,
  describeRunEvent,
  loadProgress,
} from "./monitor-events.ts";
import type { MonitorRun, MonitorState } from "./state.ts";

/** What keeping the state in step with the server needs from the monitor's container. */
export interface SyncContext {
  client: () => Client | null;
  stopped: () => boolean;
  getState: () => MonitorState;
  dispatch: (action: Action) => void;
  note: (level: "info" | "warn" | "error", message: string) => void;
  failed: <T>(what: string, fallback: T) => (error: unknown) => T;
  /** Changes arriving within this window are fetched and applied together. */
  batchMs: number;
}

/** The monitor's link to the server's state: applies live events, in order. */
export type Sync = ReturnType<typeof createSync>;

const notFound = (error: unknown) => (error as { code?: string })?.code === "E_NOT_FOUND";

/**
 * Keep the monitor's state a function of the server's. Each event names what changed; what it
 * names is fetched again (batched), and applied by one task at a time, in the order the events
 * came: a fetch never lands after a fresher one, so no older answer overwrites a newer. A run
 * the server deleted is remembered, so no answer that left before the deletion brings it back.
 * A reload (`reset`) starts a new generation: answers of the old one are dropped.
 */
export function createSync(ctx: SyncContext) {
  let generation = 0;
  let chain: Promise<void> = Promise.resolve();
  let timer: ReturnType<typeof setTimeout> | undefined;
  /** Runs the server deleted: never shown again. */
  const deleted = new Set<string>();
  const removals = new Set<string>();
  const runs = new Set<string>();
  const deployments = new Set<string>();
  let workersDue = false;
  let problemsDue = false;
  /** A file turned invalid or valid: its deployments' marks changed, all are listed again. */
  let deploymentsDue = false;
  /** Called once the queued changes are applied (the end of a run's logs waits for its run). */
  let after: (() => void)[] = [];

  const schedule = () => {
    timer ??= setTimeout(() => {
      timer = undefined;
      const gen = generation;
      chain = chain.then(() => flush(gen)).catch(ctx.failed("follow the server", undefined));
    }, ctx.batchMs);
  };

  async function flush(gen: number): Promise<void> {
    const c = ctx.client();
    if (!c || ctx.stopped() || gen !== generation) return;
    const gone = [...removals];
    const ids = [...runs].filter((id) => !deleted.has(id));
    const names = [...deployments];
    const [wantWorkers, wantProblems, wantDeployments, then] = [
      workersDue,
      problemsDue,
      deploymentsDue,
      after,
    ];
    removals.clear();
    runs.clear();
    deployments.clear();
    workersDue = problemsDue = deploymentsDue = false;
    after = [];
    const fetched: MonitorRun[] = [];
    for (let i = 0; i < ids.length; i += 8) {
      const got = await Promise.all(
        ids.slice(i, i + 8).map((id) =>
          c.getRun(id).catch((error: unknown) => {
            // The server no longer has it (deleted meanwhile): neither does the monitor.
            if (notFound(error)) gone.push(id);
            else ctx.failed(`load run ${shortId(id)}`, null)(error);
            return null;
          }),
        ),
      );
      for (const run of got) if (run) fetched.push(run);
    }
    const deps = await Promise.all(
      names.map(
        (name): Promise<DeploymentJson | { gone: string } | null> =>
          c.getDeployment(name).catch((error: unknown) => {
            if (notFound(error)) return { gone: name };
            return ctx.failed(`load deployment ${name}`, null)(error);
          }),
      ),
    );
    const known = new Set(ctx.getState().workers.map((w) => w.id));
    const workers =
      wantWorkers || fetched.some((r) => r.worker && !known.has(r.worker))
        ? await c.listWorkers().catch(ctx.failed("list the workers", null))
        : null;
    const problems = wantProblems
      ? await c.listProblems().catch(ctx.failed("list the problems", null))
      : null;
    const listed = wantDeployments
      ? await c.listDeployments().catch(ctx.failed("list the deployments", null))
      : null;
    if (gen !== generation || ctx.stopped()) return;
    for (const id of gone) deleted.add(id);
    if (gone.length) ctx.dispatch({ type: "runsRemoved", ids: gone });
    const live = fetched.filter((r) => !deleted.has(r.id));
    if (live.length) ctx.dispatch({ type: "runsUpserted", runs: live });
    if (listed) {
      ctx.dispatch({ type: "deployments", deployments: listed });
    } else {
      for (const d of deps) {
        if (d && "gone" in d) ctx.dispatch({ type: "deploymentRemoved", name: d.gone });
        else if (d) ctx.dispatch({ type: "deploymentUpserted", deployment: d });
      }
    }
    if (workers) ctx.dispatch({ type: "workers", workers });
    if (problems) ctx.dispatch({ type: "problems", problems });
    for (const fn of then) fn();
  }

  return {
    /** Take in one live event: what it names is fetched with the next batch. */
    handle(e: EventJson): void {
      const p = (e.payload ?? {}) as Record<string, unknown>;
      const [kind] = e.name.split(".", 1);
      if (kind === "flow-run" && e.resource) {
        if (e.name === "flow-run.deleted") {
          deleted.add(e.resource);
          removals.add(e.resource);
        } else {
          runs.add(e.resource);
        }
        schedule();
        describeRunEvent(e, p, ctx.note);
        return;
      }
      // A run's tasks moved: only the run whose details are open shows them.
      if (kind === "task-run" && e.resource) {
        if (ctx.getState().details === e.resource) {
          runs.add(e.resource);
          schedule();
        }
        return;
      }
      if (kind === "deployment" && e.resource) {
        if (e.name === "deployment.invalid" || e.name === "deployment.valid-again") {
          problemsDue = deploymentsDue = true;
        } else {
          deployments.add(e.resource);
        }
        schedule();
        describeDeploymentEvent(e, p, ctx.note);
        return;
      }
      if (kind === "project") {
        const line = loadProgress(e.name, p);
        if (line) ctx.note("info", line);
        // Deployments came by the thousand: list them all again rather than one by one.
        if (e.name === "project.loaded") {
          deploymentsDue = true;
          schedule();
        }
        return;
      }
      if (e.name === "trigger.failed") {
        ctx.note("warn", triggerFailureLine(p as unknown as TriggerFailure));
        return;
      }
      if (e.name === "backfill.updated" && e.resource) {
        const line = backfillProgress(e.resource, p);
        if (line) ctx.note("info", line);
        return;
      }
      if (kind === "worker") {
        workersDue = true;
        schedule();
        return;
      }
      if (kind === "notice") {
        problemsDue = true;
        schedule();
        if (e.name === "notice.created" && typeof p.message === "string") {
          ctx.note("error", `${p.message} (! lists it)`);
        }
      }
    },
    /** Fetch this run with the next batch (a command's run, the details' state history). */
    queueRun(id: string): void {
      if (deleted.has(id)) return;
      runs.add(id);
      schedule();
    },
    /** Fetch this deployment with the next batch. */
    queueDeployment(name: string): void {
      deployments.add(name);
      schedule();
    },
    /** Call `fn` once everything queued until now is applied. */
    whenApplied(fn: () => void): void {
      after.push(fn);
      schedule();
    },
    /** Whether the server deleted this run. */
    isDeleted: (id: string): boolean => deleted.has(id),
    /** Start over (a snapshot is loaded): drop what is queued and answers still on their way. */
    reset(): void {
      generation++;
      clearTimeout(timer);
      timer = undefined;
      removals.clear();
      runs.clear();
      deployments.clear();
      workersDue = problemsDue = deploymentsDue = false;
      for (const fn of after) fn();
      after = [];
    },
    stop(): void {
      generation++;
      clearTimeout(timer);
    },
  };
}
