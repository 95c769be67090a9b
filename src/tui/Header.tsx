import { Text } from "ink";
import type { ProblemsJson, WorkerJson } from "../client/index.ts";
import { shortDuration } from "./format.ts";
import type { MonitorMode, MonitorState } from "./state.ts";

/** Header counts, in this order, with their colours. */
const COUNTS: [key: string, label: string, color: string][] = [
  ["RUNNING", "running", "cyan"],
  ["PENDING", "pending", "yellow"],
  ["SCHEDULED", "scheduled", "gray"],
  ["LATE", "late", "yellow"],
  ["COMPLETED", "completed", "green"],
  ["FAILED", "failed", "red"],
  ["CRASHED", "crashed", "red"],
  ["CANCELLING", "cancelling", "gray"],
  ["CANCELLED", "cancelled", "gray"],
  ["PAUSED", "paused", "yellow"],
];

export interface HeaderProps {
  mode: MonitorMode;
  server: MonitorState["server"];
  workers: readonly WorkerJson[];
  counts: ReadonlyMap<string, number>;
  problems: ProblemsJson;
  cols: number;
  now: number;
}

function workersText(workers: readonly WorkerJson[], cols: number): string {
  if (!workers.length) return "no workers";
  if (cols < 110) return `${workers.length} worker${workers.length === 1 ? "" : "s"}`;
  // Workers of several pools are named by pool: the embedded workers of two pools share a name.
  const pools = new Set(workers.map((w) => w.pool)).size > 1;
  const names = workers.map((w) => `${pools ? `${w.pool}: ` : ""}${w.name}@${w.host}`);
  const shown = names.slice(0, 2).join(", ");
  return `${workers.length} worker${workers.length === 1 ? "" : "s"} (${shown}${names.length > 2 ? ", …" : ""})`;
}

/** "! 2 invalid files · 1 crash": what the problems pane (`!`) holds. */
export function problemsText(problems: ProblemsJson): string {
  const files = problems.files.length;
  const crashes = problems.notices.length;
  const parts = [
    files ? `${files} invalid file${files === 1 ? "" : "s"}` : "",
    crashes ? `${crashes} crash${crashes === 1 ? "" : "es"}` : "",
  ].filter(Boolean);
  return parts.length ? `! ${parts.join(" · ")}` : "";
}

/**
 * The top line: where the server is, whether its live stream is open (online) or being
 * reopened (reconnecting, for how long), its workers, problems, and runs by state.
 */
export function Header({ mode, server, workers, counts, problems, cols, now }: HeaderProps) {
  const status =
    server.status === "online"
      ? { mark: "●", color: "green", text: "online" }
      : server.status === "connecting"
        ? { mark: "○", color: "yellow", text: "connecting" }
        : {
            mark: "○",
            color: "red",
            text: `reconnecting${server.since ? ` ${shortDuration(now - server.since)}` : ""}`,
          };
  const shown = COUNTS.filter(([key]) => (counts.get(key) ?? 0) > 0);
  const trouble = problemsText(problems);
  return (
    <Text wrap="truncate-end">
      <Text bold>orch{cols < 90 ? "" : mode === "up" ? " up" : " monitor"}</Text>
      <Text> {cols < 90 ? server.url.replace(/^https?:\/\//, "") : server.url || "…"} </Text>
      <Text color={status.color}>
        {status.mark}
        {cols < 90 && server.status !== "offline" ? "" : ` ${status.text}`}
      </Text>
      <Text color="gray"> │ </Text>
      <Text>{workersText(workers, cols)}</Text>
      {trouble ? (
        <>
          <Text color="gray"> │ </Text>
          <Text color="red">{trouble}</Text>
        </>
      ) : null}
      <Text color="gray"> │ </Text>
      {shown.length ? (
        shown.map(([key, label, color], i) => (
          <Text key={key} color={color}>
            {i ? "  " : ""}
            {counts.get(key)} {label}
          </Text>
        ))
      ) : (
        <Text color="gray">no runs</Text>
      )}
    </Text>
  );
}
