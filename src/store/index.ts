export { appendNumberedLogs, type NumberedAppend } from "./append-numbered-logs.ts";
export {
  addArtifact,
  listArtifactSummaries,
  listArtifacts,
  type NewArtifact,
} from "./artifacts.ts";
export {
  advanceBackfill,
  type BackfillRow,
  backfillRunCounts,
  backfillSchedule,
  getBackfill,
  getBackfillOrThrow,
  hasCompletedRunAt,
  insertBackfill,
  listBackfills,
  type NewBackfill,
  runningBackfillIds,
  setBackfillStatus,
  unfinishedBackfillRuns,
} from "./backfills.ts";
export {
  type BackupFile,
  type BackupReason,
  backupsDirOf,
  KEEP_BACKUPS,
  listBackups,
  pruneBackups,
} from "./backups.ts";
export { getBundle, saveBundle } from "./bundles.ts";
export {
  type CacheRow,
  cacheEntryToJson,
  clearCache,
  getCacheEntry,
  listCacheEntries,
  putCacheEntry,
} from "./cache.ts";
export { BACKSTOP_PAGES, type Checkpoints, LONG_PAGES, startCheckpoints } from "./checkpoints.ts";
export { cameFromResume, childRuns, unfinishedChildren } from "./child-runs.ts";
export {
  type ClaimRequest,
  type ClaimResult,
  claimRuns,
  mayClaimMade,
} from "./claim-runs.ts";
export { ensureDataDir, ensureToken } from "./data-dir.ts";
export {
  clearFileProblems,
  listFileProblems,
  setFileProblems,
} from "./definition-problems.ts";
export { nextRunAt, nextRunTimes } from "./deployment-next-runs.ts";
export {
  createDeploymentRun,
  type DeploymentRunRequest,
  deploymentRun,
} from "./deployment-runs.ts";
export {
  type DeployInput,
  getVersion,
  listVersions,
  type VersionRow,
} from "./deployment-versions.ts";
export {
  type DeployChange,
  removeDeployment,
  setDeploymentPaused,
  type Upserted,
  upsertDeployment,
} from "./deployment-writes.ts";
export {
  type DeployedHash,
  type DeploymentRow,
  deploymentSources,
  deploymentSpec,
  deploymentsNaming,
  deploymentsWithTriggers,
  deploymentToJson,
  deploymentToPlan,
  getDeployment,
  getDeploymentOrThrow,
  listDeployments,
  liveDeploymentHashes,
  markSourceInvalid,
  type PlanningRow,
} from "./deployments.ts";
export { eventsAfter, getEventCursor, lastEventId, setEventCursor } from "./event-cursors.ts";
export { type EventRow, eventToJson, listEvents, recordEvent } from "./events.ts";
export {
  arrivalOfEvent,
  arrivalPaths,
  arrivalSeen,
  type FileArrivalRow,
  forgetArrivals,
  markMoved,
  pendingMoves,
  recordArrival,
  runsMadeFromEvent,
} from "./file-arrivals.ts";
export { createGroupCommit, type GroupCommit } from "./group-commit.ts";
export { acquireInstanceLock } from "./instance-lock.ts";
export { earliestOnTimeRunAt, type RunWait, runsToMarkLate, runWait } from "./late-runs.ts";
export {
  countRunsByState,
  listRuns,
  parseRunCursor,
  type RunCursor,
  type RunFilter,
  runCursor,
} from "./list-runs.ts";
export {
  appendLogs,
  countLogs,
  type LogFilter,
  type LogLine,
  type LogLineRow,
  listLogs,
  logLineToJson,
  type SubflowLines,
  subflowLines,
} from "./logs.ts";
export { makeRun } from "./make-run.ts";
export { MIGRATIONS, type Migration, SCHEMA_VERSION } from "./migrations.ts";
export { acknowledgeNotices, listNotices, recordNotice } from "./notices.ts";
export {
  type OpenStoreOptions,
  openStore,
  type Store,
  type StoreUpgrade,
  schemaVersion,
} from "./open-store.ts";
export { nextPauseTimeout, pausedRunsDue } from "./paused-runs.ts";
export {
  deletePlannedRuns,
  deploymentsWithSlotsIn,
  lastHandledSlot,
  nextPlannedRunAt,
  type PlannedRun,
  plannedRuns,
  slotTaken,
  takenSlots,
  waitingSlotRuns,
} from "./planned-runs.ts";
export {
  describeWorkPool,
  getWorkPool,
  listEmbeddedPools,
  listWorkPools,
  type WorkPoolRow,
} from "./pool-listing.ts";
export {
  type PruneCounts,
  type PruneOptions,
  type PrunePlan,
  type PruneRule,
  pruneOlderThan,
  pruneRuns,
} from "./prune-runs.ts";
export {
  bundleUse,
  keptValueFiles,
  planIsEmpty,
  retentionPlan,
  vacuumFreePages,
} from "./retention.ts";
export { activeVersion, setRunVersion } from "./retry-version.ts";
export {
  latestRecordedAttempt,
  latestScheduledName,
  type RecordedTaskRun,
  recordedTaskRuns,
  reusableTaskRuns,
  reuseResultsFrom,
  setReuseResults,
} from "./reused-results.ts";
export { type Rollback, rollbackDeployment } from "./rollback-deployment.ts";
export { runHistory, runStates } from "./run-history.ts";
export { type ActiveCounts, type HeldBack, heldBackBy, type RunLimits } from "./run-limits.ts";
export { type RunOptions, specForRun } from "./run-options.ts";
export { nextRetryDelay, setRunRetries } from "./run-retries.ts";
export { type RunRow, runSlotAt, runToJson } from "./run-row.ts";
export { allowRunStart, runStartAllowed } from "./run-starts.ts";
export { createRun, getRun, getRunOrThrow, insertRun, type NewRun } from "./runs.ts";
export {
  deleteSecret,
  listSecrets,
  putSecret,
  type SecretInfo,
  sealedSecrets,
  secretNames,
} from "./secrets.ts";
export {
  endWebSessions,
  type ProjectRetention,
  projectRetention,
  revokeWebSession,
  setProjectRetention,
  type WebSessionState,
  webSessionState,
} from "./settings.ts";
export {
  backupStoreFile,
  checkStoreFile,
  type RestoreResult,
  restoreStoreFile,
  type StoreCheck,
} from "./store-files.ts";
export { type StoreMetrics, storeMetrics } from "./store-metrics.ts";
export { type StoreReport, storeReport } from "./store-report.ts";
export {
  keepValue,
  parseStored,
  RESULTS_FOLDER,
  type ReadValue,
  readValue,
  type StoredValue,
  valueProblem,
} from "./stored-values.ts";
export {
  releaseRunTagSlots,
  releaseTagSlot,
  tagSlotsInUse,
  takeTagSlot,
} from "./tag-slots.ts";
export {
  listTaskRuns,
  setRunResult,
  type TaskRunInput,
  type TaskRunRow,
  type TaskRunWithResult,
  taskRunsNamed,
  upsertTaskRuns,
} from "./task-runs.ts";
export {
  type ProposedStep,
  type RefusedStep,
  type RunOutcome,
  type TransitionResult,
  transitionRun,
  transitionRunSteps,
} from "./transition-run.ts";
export {
  actedSince,
  COUNTED,
  clearTriggerBucket,
  closeDeadline,
  countTriggerEvents,
  type DeadlineRow,
  dueDeadlines,
  FIRINGS_KEPT_MS,
  type Firings,
  firingsSince,
  forgetTriggers,
  getDeadline,
  heldBackSince,
  nextDeadlineAt,
  pruneTriggerEvents,
  putDeadline,
  recordFiring,
  recordFiringFailure,
  rememberTriggerEvent,
  seenAfterSlots,
  triggerWindow,
} from "./trigger-state.ts";
export {
  deleteVariable,
  getVariable,
  listVariables,
  putVariable,
  type VariableInfo,
  variableValues,
} from "./variables.ts";
export { getWebhook, listWebhooks, recordDelivery, setFileWebhooks } from "./webhooks.ts";
export {
  ensureWorkPool,
  poolSourceFiles,
  setFilePools,
  setPoolLimit,
  upsertWorkQueue,
} from "./work-pools.ts";
export {
  countActiveRuns,
  getWorker,
  heartbeatWorker,
  type ListedWorker,
  listActiveRuns,
  listHeldRuns,
  listStaleWorkers,
  listWorkers,
  registerWorker,
  setWorkerOffline,
  type WorkerRow,
  workerToJson,
} from "./workers.ts";
