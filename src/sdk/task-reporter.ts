/**
 * Reports a flow's task runs to orch (POST /api/runs/:id/tasks), in batches, in the background:
 * a task never waits for the API, and a flow runs the same when there is none (an ad-hoc run
 * with no server). The flow-run entry flushes what is left before the process ends.
 */

import type { TaskReport as TaskReportBody } from "../core/index.ts";

/** One task run's state, as the API takes it (an item of POST /api/runs/:id/tasks). */
export type TaskReport = TaskReportBody["tasks"][number];

const pending = new Map<string, TaskReport>();
/** Task runs per request (well under the API's body limit). */
const CHUNK = 500;
let flushing: Promise<void> | null = null;
let timer: ReturnType<typeof setTimeout> | null = null;

function target(): { url: string; token: string } | null {
  const api = process.env.ORCH_API_URL;
  const run = process.env.ORCH_RUN_ID;
  if (!api || !run) return null;
  return {
    url: `${api.replace(/\/$/, "")}/api/runs/${encodeURIComponent(run)}/tasks`,
    token: process.env.ORCH_API_TOKEN ?? "",
  };
}

async function send(): Promise<void> {
  const to = target();
  const batch = [...pending.values()];
  pending.clear();
  if (!to || !batch.length) return;
  for (let i = 0; i < batch.length; i += CHUNK) {
    try {
      await fetch(to.url, {
        method: "POST",
        headers: { "content-type": "application/json", authorization: `Bearer ${to.token}` },
        body: JSON.stringify({ tasks: batch.slice(i, i + CHUNK) }),
        // A server that does not answer must not hold the flow's process open.
        signal: AbortSignal.timeout(5000),
      });
    } catch {
      // The run goes on without its task list; the flow's own output still tells what happened.
      return;
    }
  }
}

/** Record a task run's state (the latest state of each task run is what gets sent). */
export function reportTask(report: TaskReport): void {
  if (!target()) return;
  pending.set(report.id, report);
  timer ??= setTimeout(() => {
    timer = null;
    flushing = (flushing ?? Promise.resolve()).then(send);
  }, 50);
  timer.unref?.();
}

/** Send what is waiting (the flow ended). */
export async function flushTasks(): Promise<void> {
  if (timer) {
    clearTimeout(timer);
    timer = null;
  }
  await (flushing ?? Promise.resolve());
  await send();
}
