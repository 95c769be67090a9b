export { artifactProblems, tableCells } from "./artifacts.ts";
export { type Clock, createSleepDetector, iso, systemClock } from "./clock.ts";
export { commandPlaceholders } from "./command-placeholders.ts";
export {
  type CatchupPolicy,
  type CollisionStrategy,
  type ConcurrencySpec,
  type DeploymentSpec,
  type FlowMetadata,
  makesNewVersion,
  type RetentionKeep,
  type RetentionSpec,
  type ScheduleSpec,
  specWithDefaults,
  type TriggerSpec,
  triggerOn,
  type WorkPoolSpec,
} from "./deployment.ts";
export {
  formatDuration,
  isOverMaxDuration,
  MAX_DURATION_MS,
  parseDuration,
} from "./duration.ts";
export { ENV_PLACEHOLDER, envPlaceholders } from "./env-placeholders.ts";
export {
  ERROR_CODES,
  type ErrorCode,
  errorLine,
  isNoRoute,
  noRouteError,
  OrchError,
  type Problem,
  renderProblem,
  toOrchError,
} from "./errors.ts";
export { escapeControlChars } from "./escape-control.ts";
export { EXIT_PAUSED, EXIT_WATCH_PAUSED } from "./exit-codes.ts";
export { fsReason, isSystemError } from "./fs-errors.ts";
export { glob } from "./glob.ts";
export { keepOutOfGit } from "./keep-out-of-git.ts";
export { lineLevel } from "./line-level.ts";
export {
  decodeRecord,
  encodeFailure,
  encodeFlowOptions,
  encodeLogRecord,
  type FlowOptionsRecord,
  isLogLevel,
  LOG_LEVELS,
  type LogLevel,
  type LogRecord,
  levelsFrom,
  type OutputRecord,
  renderFields,
  SUBFLOW_FIELD,
  streamLevel,
} from "./log-record.ts";
export { createMasker, MASK, type Masker, MIN_MASKED_LENGTH } from "./mask.ts";
export {
  missingParameterMessage,
  missingParameters,
  missingParametersMessage,
  parameterAt,
} from "./missing-parameters.ts";
export { isValidName, NAME_MESSAGE, NAME_PATTERN } from "./names.ts";
export {
  asText,
  type FormField,
  parameterFields,
  readField,
} from "./parameter-form.ts";
export { findProjectRoot, type ProjectPaths, projectPaths } from "./paths.ts";
export {
  type CommandPlaceholder,
  type PlaceholderQuoting,
  RUN_FIELDS,
  type RunField,
} from "./placeholder.ts";
export { PRUNE_MIN_AGE_MS } from "./prune-age.ts";
export {
  checkValueName,
  fillReferences,
  findCodeReferences,
  findReferences,
  type NamedValue,
  type Reference,
  type ReferenceKind,
  type ReferenceValues,
  referencesIn,
  VALUE_NAME,
} from "./references.ts";
export {
  formatBytes,
  overCapMessage,
  RESULT_INLINE_BYTES,
  RESULT_MAX_BYTES,
} from "./results.ts";
export { retryDelayAt } from "./retry-delay.ts";
export {
  type AcceptedState,
  ALLOWED,
  childEnding,
  type Decision,
  decideTransition,
  type Proposer,
  type RunFacts,
} from "./rules.ts";
export {
  type AttemptHistoryEntry,
  attemptAt,
  attemptsOf,
  startsAttempt,
} from "./run-attempts.ts";
export { isOrchRunEnv } from "./run-env.ts";
export { runLabel } from "./run-label.ts";
export { MAX_RUN_NAME, renderRunName, runNameProblem } from "./run-name.ts";
export { runListedAt } from "./run-order.ts";
export { parseAt, parseWhen } from "./run-time.ts";
export { readServerFile, type ServerFile } from "./server-file.ts";
export { type ScriptArgument, scriptArguments } from "./shell-command.ts";
export {
  createPacer,
  type Pacer,
  runAtOnce,
  runPaced,
  SLICE_MS,
  type Sliced,
  unpaced,
} from "./slices.ts";
export { canonicalJson, stableStringify } from "./stable-json.ts";
export {
  ACTIVE_TYPES,
  defaultName,
  isStateType,
  isTerminal,
  NOT_STARTED_NAMES,
  type ProposedState,
  parseStateFilter,
  RUN_STATE_NAMES,
  STATE_NAMES,
  STATE_TYPES,
  type StateFilter,
  type StateName,
  type StateType,
  TERMINAL_TYPES,
} from "./states.ts";
export { closest } from "./suggest.ts";
export {
  createReuseLookup,
  type ResumeOption,
  type ReusableResult,
  type ReuseCandidate,
  type ReuseLookup,
  type ReuseReason,
  type ReuseRunFacts,
  reuseSource,
  reusesResults,
  selectReusable,
} from "./task-reuse.ts";
export { threadEntryUrl } from "./thread-entry.ts";
export { canonicalZone, zoneHint } from "./time-zone.ts";
export { type TriggerFailure, triggerFailureLine } from "./trigger-failure.ts";
export { triggerEventOf, triggerRunKey, triggerRunKeyPattern } from "./trigger-run-key.ts";
export { renderTriggeredBy } from "./triggered-by.ts";
export { VERSION } from "./version.ts";
export {
  DELIVERY_MEMORY_MS,
  WEBHOOK_CHECKS,
  WEBHOOK_DEFAULTS,
  type WebhookCheck,
  type WebhookSpec,
} from "./webhooks.ts";
export * from "./wire/index.ts";
export { removeServerFile, writeServerFile } from "./write-server-file.ts";
export { closestZone } from "./zone-guess.ts";
