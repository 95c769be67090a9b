import type {
  DeploymentJson,
  LogLineJson,
  ProblemsJson,
  RunDetail,
  RunJson,
  WorkerJson,
} from "../client/index.ts";
import type { FormField } from "../core/index.ts";

export type { FormField };

/** The panes that take the arrow keys, in tab order. */
export const PANES = ["deployments", "runs", "logs"] as const;
export type Pane = (typeof PANES)[number];

/** Whether the monitor runs inside `orch up` (it owns the server) or attached to one. */
export type MonitorMode = "up" | "attach";

/** A run as the monitor holds it: the list's shape, or the detail once fetched. */
export type MonitorRun = RunJson | RunDetail;

/** One line of the event line's history: redeploys, invalid files, crashes, server messages. */
export interface EventLine {
  at: number;
  level: "info" | "warn" | "error";
  text: string;
}

/** Runs by id, and their order (newest first). */
export interface RunsState {
  byId: ReadonlyMap<string, MonitorRun>;
  order: readonly string[];
}

/** The log lines of the run being followed. */
export interface LogsState {
  runId: string | null;
  lines: readonly LogLineJson[];
  /** The run ended: no more lines will come. */
  ended: boolean;
  /** The first line shown when scrolled back; null follows the tail. */
  offset: number | null;
}

/** The trigger form: its fields, the one being edited, and what is wrong. */
export interface TriggerForm {
  deployment: string;
  fields: readonly FormField[];
  index: number;
  errors: Readonly<Record<string, string>>;
  sending: boolean;
  /** The server's answer when it refused the run. */
  message?: string;
  /** Set when the form gives a paused run its input (enter resumes it) rather than triggering. */
  resumeRunId?: string;
}

/** What the monitor does on confirmation or on a key: the effects the container performs. */
export type Command =
  | {
      type: "trigger";
      deployment: string;
      parameters: Record<string, unknown>;
      /** When to start it (ISO); now when left out. */
      scheduledAt?: string;
    }
  | { type: "cancel"; runId: string }
  | { type: "retry"; runId: string; fromFailed?: boolean }
  | { type: "resume"; runId: string; input: Record<string, unknown> }
  | { type: "pause"; deployment: string; paused: boolean }
  | { type: "acknowledge"; upTo: number }
  | { type: "quit" };

/** What covers the panes: help, problems, a yes/no question, the trigger form or the filter prompt. */
export type Overlay =
  | { kind: "help" }
  | { kind: "problems"; top: number }
  | { kind: "confirm"; message: string; command: Command }
  /** How to retry a run that did not complete: from the failed task on, or every task again. */
  | {
      kind: "retry";
      runId: string;
      /** Which version the retry runs, when the deployment moved on since the run ("v3, not v2"). */
      version?: string;
    }
  | { kind: "trigger"; form: TriggerForm }
  | { kind: "filter"; draft: string };

/** Everything the monitor shows; changed only by `reduce`. */
export interface MonitorState {
  mode: MonitorMode;
  server: {
    url: string;
    /** online: the live event stream is open; offline: it is not, and is being reopened. */
    status: "connecting" | "online" | "offline";
    /** Why it is offline. */
    error?: string;
    /** When the stream was last lost (epoch ms), while offline. */
    since?: number;
  };
  /** The first snapshot arrived. */
  loaded: boolean;
  workers: readonly WorkerJson[];
  deployments: readonly DeploymentJson[];
  /** Invalid definition files (all their problems) and unacknowledged start-up notices. */
  problems: ProblemsJson;
  runs: RunsState;
  /** How many runs are kept (the oldest beyond it are dropped). */
  maxRuns: number;
  logs: LogsState;
  focus: Pane;
  /** The selected deployment's name and run's id; null: the first row. */
  selectedDeployment: string | null;
  selectedRun: string | null;
  /** First row shown in each list. */
  deploymentsTop: number;
  runsTop: number;
  /** The run whose details are open. */
  details: string | null;
  overlay: Overlay | null;
  filter: string;
  events: readonly EventLine[];
  size: { cols: number; rows: number };
}

/** The state before anything is known. */
export function initialState(
  options: {
    mode?: MonitorMode;
    url?: string;
    size?: { cols: number; rows: number };
    maxRuns?: number;
  } = {},
): MonitorState {
  return {
    mode: options.mode ?? "attach",
    server: { url: options.url ?? "", status: "connecting" },
    loaded: false,
    workers: [],
    deployments: [],
    problems: { files: [], notices: [] },
    runs: { byId: new Map(), order: [] },
    maxRuns: options.maxRuns ?? 10_000,
    logs: { runId: null, lines: [], ended: false, offset: null },
    focus: "runs",
    selectedDeployment: null,
    selectedRun: null,
    deploymentsTop: 0,
    runsTop: 0,
    details: null,
    overlay: null,
    filter: "",
    events: [],
    size: options.size ?? { cols: 120, rows: 40 },
  };
}
