/**
 * A remote worker's contract: the options it is started with (its server, pool and limits, and
 * how it behaves while orch is away) and the handle `orch worker` keeps of it. Kept apart from
 * remote-worker.ts, which starts it, so remote-runner.ts and the CLI read the shapes without
 * reading the start-up.
 */
import type { WorkerClient } from "../client/index.ts";
import type { OrchError } from "../core/index.ts";
import type { StopOptions } from "./stop-with-grace.ts";
import type { WorkerLogger } from "./worker-logger.ts";

/** How a remote worker runs: the API it reaches, its pool and limits, and how its runs start. */
export interface RemoteWorkerOptions {
  /** The worker protocol over the API (createWorkerClient). */
  client: WorkerClient;
  pool: string;
  /** Shown in listings. Default `remote-PID`: two workers on one machine are told apart. */
  name?: string;
  /** Runs at once. Default 8. */
  concurrency?: number;
  /**
   * Where downloaded bundles are cached (content-addressed, kept across restarts). Beside it:
   * runs/ (each attempt's working folder) and reports/ (the journal of undelivered reports).
   */
  bundlesDir: string;
  /** The working directory of a version that has no files. */
  workDir: string;
  /** Given to runs as ORCH_API_TOKEN. */
  token?: string;
  /** Between SIGTERM and SIGKILL when a run's processes are stopped. Default 5000. */
  graceMs?: number;
  /** How long one claim waits for work before asking again. Default 20 s. */
  claimWaitMs?: number;
  /** Said when orch is lost: what the worker does if orch comes back at another address. */
  lostHint?: string;
  /**
   * Stopping while orch does not answer: how long to keep trying to deliver the states and log
   * lines not yet delivered before leaving without them (they wait in the journal, reports/
   * beside bundlesDir, for the next worker started there). Default 5 s.
   */
  giveUpDeliveringMs?: number;
  /**
   * How long, at most, the reports a worker here left undelivered hold back taking runs: each is
   * tried once first, the rest goes on in the background. Default 10 s.
   */
  resendWaitMs?: number;
  logger?: WorkerLogger;
  /** How runs start orch itself for TypeScript flows. Default: this executable. */
  selfCommand?: string[];
  /** The environment runs inherit. Default process.env. */
  env?: Record<string, string | undefined>;
  spawn?: typeof Bun.spawn;
}

/** A running remote worker. */
export interface RemoteWorker {
  /** Its name in listings (kept when it registers again). */
  readonly name: string;
  /** Its id on the server (a new one if the server marked it offline and it registered again). */
  readonly id: string;
  /** Run ids it is executing now. */
  active(): string[];
  /** Stop taking runs and let the running ones finish; resolves once offline. Safe twice. */
  drain(): Promise<void>;
  /**
   * Stop taking runs, give the running ones `graceMs` to end on their own, stop the rest (they
   * end CANCELLED); resolves once offline. Calling it during a drain cuts the drain short.
   */
  stop(options?: StopOptions): Promise<void>;
  /**
   * Resolves, once the worker is offline, with why it stopped on its own: orch is older than it
   * (the run it claimed is given back). Never resolves otherwise.
   */
  readonly failed: Promise<OrchError>;
}
