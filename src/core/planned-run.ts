/**
 * A run a schedule planned that has not begun: listings of what happened leave it out while it
 * lies in the future (deployments show it as their next runs). A schedule's run waiting for its
 * retry (AwaitingRetry, due after the delay) has begun, and is listed. The store's listing says
 * the same in SQL (src/store/list-runs.ts).
 */
export function isPlannedRun(run: {
  created_by: string;
  state: string;
  state_name: string | null;
}): boolean {
  return (
    run.created_by === "schedule" && run.state === "SCHEDULED" && run.state_name === "Scheduled"
  );
}
