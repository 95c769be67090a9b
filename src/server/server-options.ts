import type { Clock } from "../core/index.ts";
import type { Store } from "../store/index.ts";
import type { EmbeddedWorker } from "../worker/index.ts";
import type { RetentionPass } from "./retention-pass.ts";

/** Where the server's messages go (the CLI passes its logger; tests pass their own). */
export interface Logger {
  info(...args: unknown[]): void;
  warn(...args: unknown[]): void;
  error(...args: unknown[]): void;
  /**
   * Several info lines at once (a turn's run lines), each a message of its own; without it they
   * go to info as one text, a line each.
   */
  infoLines?(lines: string[]): void;
}

export interface ServerOptions {
  dir?: string;
  /** 0 picks a free port. Default 4200, or a free port when 4200 is taken. */
  port?: number;
  host?: string;
  clock?: Clock;
  logger?: Logger;
  env?: Record<string, string | undefined>;
  /** Workers silent this long are marked offline and their runs CRASHED. Default: ORCH_WORKER_TIMEOUT, or 30 s. */
  staleAfterMs?: number;
  /** The embedded workers: the default pool's and each declared pool's; false runs none. */
  worker?: false | { concurrency?: number; graceMs?: number; runningWindowMs?: number };
  /** An OpenTelemetry collector to send a span per finished run to (OTLP/HTTP JSON); off when unset. */
  otel?: string;
  /** When retention runs (default: a minute after start, then hourly); false runs none. */
  retention?: false | { intervalMs?: number; firstDelayMs?: number };
  /** Log each run's start and end (plain logs; a monitor shows runs itself). */
  logRuns?: boolean;
  /**
   * Resolve once the project is loaded (its definitions deployed and planned, the worker
   * started), the default; false resolves as soon as the API listens (`orch up`: the monitor
   * shows the load's progress), with `loaded` telling when it is done.
   */
  waitForLoad?: boolean;
  /** A load that takes longer than this tells its progress (events, log lines). Default 1 s. */
  progressAfterMs?: number;
  /** Caps on API connections (by default computed from the open-file limit) and their timeouts. */
  connections?: {
    total?: number;
    perAddress?: number;
    headTimeoutMs?: number;
    idleTimeoutMs?: number;
    bodyTimeoutMs?: number;
    keepAliveMs?: number;
  };
}

/** A running orch server. */
export interface OrchServer {
  /** Where this machine's clients and runs reach it (loopback when bound to every address). */
  url: string;
  /** Where other machines reach it, when bound to every address (0.0.0.0, ::); else empty. */
  reachableAt: string[];
  port: number;
  store: Store;
  token: string;
  /** The embedded worker, when one runs (null until the project is loaded). */
  readonly worker: EmbeddedWorker | null;
  /** Resolves once the project is loaded: definitions deployed, schedules planned, worker started. */
  loaded: Promise<void>;
  /** The web UI's URL with a fresh one-time login code (valid until used or the server stops). */
  loginUrl(): string;
  /** Apply retention now (after a pass under way); what it did. */
  runRetention(): Promise<RetentionPass>;
  /**
   * Stop serving, release the lock, remove server.json. The embedded worker takes no more runs
   * and gives its running ones `graceMs` (default 0) before they end CANCELLED ("orch was
   * stopped"), or with `drain` waits for them. Safe to call twice.
   */
  stop(how?: ServerStopOptions): Promise<void>;
}

/** How a server stops its embedded worker's runs. */
export interface ServerStopOptions {
  /** How long running runs may go on before they are stopped. Default 0. */
  graceMs?: number;
  /** Wait for running runs to end, however long they take. */
  drain?: boolean;
}
