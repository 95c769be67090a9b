export { type Backoff, createBackoff } from "./backoff.ts";
export { type BundleSource, checkManifest, createBundleCache } from "./bundle-cache.ts";
export { cancelRun } from "./cancel-run.ts";
export { createFlowDescriber, type FlowDescriber } from "./describe-flow.ts";
export { createDockerEngine, type DockerEngine, DockerError } from "./docker/engine.ts";
export { startEmbeddedWorker } from "./embedded-worker.ts";
export type { EmbeddedWorker, EmbeddedWorkerOptions } from "./embedded-worker-options.ts";
export {
  type Attempt,
  type AttemptOptions,
  type AttemptReporter,
  executeAttempt,
} from "./execute-attempt.ts";
export { type AttemptEnding, finalState } from "./final-state.ts";
export { isRetryable } from "./is-retryable.ts";
export { createLink, type Link } from "./link.ts";
export { type CapturedLine, type CapturedStream, createLogCapture } from "./log-capture.ts";
export { loseWorker } from "./lose-worker.ts";
export { expirePausedRuns, pauseOf, pauseRun, resumeRun } from "./pause-run.ts";
export { startPauseTimeouts } from "./pause-timeouts.ts";
export { startPoolWorkers } from "./pool-workers.ts";
export { jobCommand, type PreparedCommand, prepareCommand } from "./prepare-command.ts";
export {
  groupAlive,
  groupMembers,
  isAlive,
  isSameProcess,
  processStartTime,
} from "./process-tree.ts";
export { createReaper, reapStaleWorkers } from "./reap-stale-workers.ts";
export { type RecoverOptions, recoverRuns } from "./recover-runs.ts";
export { startRemoteWorker } from "./remote-worker.ts";
export type { RemoteWorker, RemoteWorkerOptions } from "./remote-worker-options.ts";
export { type RenderedCommand, renderCommand } from "./render-command.ts";
export {
  type Journaled,
  type JournalReport,
  journalDir,
  openReportJournal,
  type ReportJournal,
  type ReportJournalOptions,
} from "./report-journal.ts";
export {
  createReportQueue,
  type ReportQueue,
  type ReportQueueOptions,
  type ReportSink,
} from "./report-queue.ts";
export { type RetryOptions, retryRun } from "./retry-run.ts";
export {
  AD_HOC_POOL,
  type AdHocFlowOptions,
  type AdHocResult,
  runAdHocFlow,
} from "./run-ad-hoc-flow.ts";
export type {
  RunCallbacks,
  RunExit,
  RunHandle,
  RunJob,
  RunnerOptions,
  RunStart,
} from "./run-job.ts";
export { findMarkedProcesses, stopOrphanedRuns } from "./run-processes.ts";
export { selfCommand } from "./self-command.ts";
export { spawnRun } from "./spawn-run.ts";
export { fromStateReport, toStateReport } from "./state-report.ts";
export { type StopOptions, stopWithGrace } from "./stop-with-grace.ts";
export { createSubflowRun, reportSubflowState, SUBFLOW_POOL } from "./subflow-runs.ts";
export { becomeSubreaper } from "./subreaper.ts";
export { wakesWorker } from "./wake-events.ts";
export { quietLogger, type WorkerLogger } from "./worker-logger.ts";
