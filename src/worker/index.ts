export { cancelRun } from "./cancel-run.ts";
export {
  type EmbeddedWorker,
  type EmbeddedWorkerOptions,
  startEmbeddedWorker,
  type WorkerLogger,
} from "./embedded-worker.ts";
export { type CapturedLine, type CapturedStream, createLogCapture } from "./log-capture.ts";
export {
  groupAlive,
  groupMembers,
  isAlive,
  isSameProcess,
  processStartTime,
  stopProcessGroup,
} from "./process-tree.ts";
export { reapStaleWorkers } from "./reap-stale-workers.ts";
export { type RecoverOptions, recoverRuns } from "./recover-runs.ts";
export { renderArgv } from "./render-argv.ts";
export { retryRun } from "./retry-run.ts";
export { selfCommand } from "./self-command.ts";
export {
  jobArgv,
  type RunCallbacks,
  type RunExit,
  type RunHandle,
  type RunJob,
  type RunnerOptions,
  type RunStart,
  spawnRun,
} from "./spawn-run.ts";
