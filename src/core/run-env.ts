/**
 * The variables orch gives every run's process, over whatever a deployment's env says
 * (src/worker/prepare-command.ts and spawn-run.ts set them; a test holds this list to what a
 * run sees). Besides these, `ORCH_PARAM_<path>` carries each parameter.
 */
const ORCH_RUN_ENV = new Set([
  "ORCH_RUN_ID",
  "ORCH_ATTEMPT",
  "ORCH_DEPLOYMENT",
  "ORCH_PARAMETERS",
  "ORCH_SCHEDULED_AT",
  "ORCH_SECRETS",
  "ORCH_VARIABLES",
  "ORCH_API_URL",
  "ORCH_API_TOKEN",
  "ORCH_WORKER_PID",
  "ORCH_PROJECT_DIR",
]);

/** Whether orch sets `name` in a run's environment itself, so a definition's value is never seen. */
export function isOrchRunEnv(name: string): boolean {
  return ORCH_RUN_ENV.has(name) || name.startsWith("ORCH_PARAM_");
}
