/** Everything that can happen to the monitor's state: what its reducer (reduce.ts) takes. */
import type { DeploymentJson, LogLineJson, ProblemsJson, WorkerJson } from "../client/index.ts";
import type { EventLine, MonitorRun, Overlay, Pane } from "./state.ts";

/** Everything that can happen to the monitor's state. */
export type Action =
  | { type: "resize"; cols: number; rows: number }
  | {
      type: "connection";
      status: "connecting" | "online" | "offline";
      error?: string;
      /** When it went offline (kept while it stays so). */
      at?: number;
    }
  /** Everything the API says now: what was held before is dropped. */
  | {
      type: "snapshot";
      deployments: DeploymentJson[];
      workers: WorkerJson[];
      runs: MonitorRun[];
      problems: ProblemsJson;
    }
  | { type: "workers"; workers: WorkerJson[] }
  /** Every deployment, as the API lists them now. */
  | { type: "deployments"; deployments: DeploymentJson[] }
  | { type: "problems"; problems: ProblemsJson }
  /** Runs the server deleted (planned runs replaced or dropped) or no longer has. */
  | { type: "runsRemoved"; ids: string[] }
  | { type: "deploymentUpserted"; deployment: DeploymentJson }
  | { type: "deploymentRemoved"; name: string }
  /** A page of older runs. */
  | { type: "runsPage"; runs: MonitorRun[] }
  /** Runs that changed or appeared (from the live stream or a command). */
  | { type: "runsUpserted"; runs: MonitorRun[] }
  | { type: "logsFollow"; runId: string }
  | { type: "logsAppended"; runId: string; lines: LogLineJson[] }
  | { type: "logsEnded"; runId: string }
  | { type: "event"; event: EventLine }
  | { type: "focus"; pane: Pane | "next" | "previous" }
  | { type: "move"; by: number }
  | { type: "moveTo"; where: "first" | "last" }
  | { type: "select"; runId: string }
  | { type: "details"; runId: string | null }
  | { type: "overlay"; overlay: Overlay | null }
  | { type: "filter"; text: string }
  | { type: "formInput"; text: string }
  | { type: "formErase" }
  | { type: "formMove"; by: number }
  | { type: "formSending" }
  | { type: "formErrors"; errors: Record<string, string>; message?: string };
