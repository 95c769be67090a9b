/**
 * The embedded worker's contract: the options it is started with (its store and pool, its
 * limits, how its runs start and stop) and the handle the server keeps of it. Kept apart from
 * embedded-worker.ts, which starts it, so the server and pool-workers.ts read the shapes without
 * reading the start-up.
 */
import type { Clock } from "../core/index.ts";
import type { LogLine, ProposedStep, RunRow, Store } from "../store/index.ts";
import type { DockerEngine } from "./docker/engine.ts";
import type { ValueSource } from "./load-job.ts";
import type { StopOptions } from "./stop-with-grace.ts";
import type { WorkerLogger } from "./worker-logger.ts";

/** How an embedded worker runs: its store and pool, its limits, and how its runs start and stop. */
export interface EmbeddedWorkerOptions {
  store: Store;
  /** The data dir's bundles folder, where versions' files are materialized. */
  bundlesDir: string;
  /** Defaults to the store's clock. */
  clock?: Clock;
  logger?: WorkerLogger;
  /** Default "default". */
  pool?: string;
  /** Runs at once. Default 8. */
  concurrency?: number;
  /** Given to runs as ORCH_API_URL and ORCH_API_TOKEN. */
  apiUrl?: string;
  token?: string;
  /** Between SIGTERM and SIGKILL when a run's processes are stopped. Default 5000. */
  graceMs?: number;
  /** Heartbeat period. Default 10 s. */
  heartbeatMs?: number;
  /** Workers silent this long are marked offline and their runs CRASHED. Default 30 s. */
  staleAfterMs?: number;
  /** Output kept per run, in characters. Default 100 MB. */
  maxLogChars?: number;
  /** How runs start orch itself for TypeScript flows. Default: this executable (selfCommand). */
  selfCommand?: string[];
  /** Where each attempt gets its own working folder (see RunnerOptions.scratchDir). */
  runsDir?: string;
  /** The project's folder (ORCH_PROJECT_DIR), and where a version with no files runs. Default process.cwd(). */
  workDir?: string;
  /** The environment runs inherit. Default process.env. */
  env?: Record<string, string | undefined>;
  /** The secrets and variables a run's version names (createSecrets' forRun). */
  values?: ValueSource;
  /** Called with lines once stored (the live log stream). */
  onLogs?: (runId: string, lines: LogLine[]) => void;
  spawn?: typeof Bun.spawn;
  /**
   * Start runs' processes on a thread of their own while others run (createThreadLauncher).
   * Default: where the machine has more than two cores (see spawnsOnThread).
   */
  spawnThread?: boolean;
  /**
   * Crash what a previous orch left running, before taking runs (default true). Only the first
   * of a server's workers recovers: another's would take the first one's new runs for leftovers.
   */
  recover?: boolean;
  /** The Docker Engine for docker pools (default: DOCKER_HOST or the default socket). */
  docker?: DockerEngine;
  /** How long a RUNNING alone may wait for its run's end (default RUNNING_WINDOW_MS). */
  runningWindowMs?: number;
}

/** A running embedded worker. */
export interface EmbeddedWorker {
  readonly id: string;
  /** Look for due runs now (the server calls it after changing pools or queues). */
  wake(): void;
  /**
   * Claim due runs of `pool` into free slots inside the caller's transaction, so a run created
   * there is claimed by the same commit; they start once it commits. The runs the claim moved:
   * those claimed, and those a deployment's limit cancelled (collision: cancel-new); none for
   * another pool, when every slot is taken, the worker stops, or the claim fails (the usual
   * claim then takes them). `made`: the run just created; when startAs had it made PENDING for
   * this worker, it alone is started.
   */
  claimNow(pool: string, made?: RunRow): RunRow[];
  /**
   * The state a run of `pool` being made starts in, in the caller's transaction (makeRun):
   * PENDING for this worker when it has a free slot, no other due run waits for it, and nothing
   * could hold the run back (mayClaimMade); else null (it is made SCHEDULED). claimNow then
   * starts it once the transaction commits.
   */
  startAs(pool: string, made: RunRow): ProposedStep | null;
  /** Cancel a run (see cancelRun); the owning worker stops its processes. */
  cancel(runId: string): RunRow;
  /**
   * Write now what this worker holds back of a run: its RUNNING waits up to RUNNING_WINDOW_MS for
   * its end, so a request from the run's own process (a subflow, a pause) could find it still
   * PENDING. The routes such a process calls settle its run first.
   */
  settle(runId: string): void;
  /** Run ids this worker is executing now. */
  active(): string[];
  /**
   * Stop taking runs, give the running ones `graceMs` to end on their own, stop the rest (they
   * end CANCELLED, "orch was stopped"), go offline. Safe twice.
   */
  stop(options?: StopOptions): Promise<void>;
  /** Stop taking runs, let the running ones end, go offline. */
  drain(): Promise<void>;
}
