import { Text } from "ink";
import type { WorkerJson } from "../client/index.ts";
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
  cols: number;
}

function workersText(workers: readonly WorkerJson[], cols: number): string {
  if (!workers.length) return "no workers";
  if (cols < 110) return `${workers.length} worker${workers.length === 1 ? "" : "s"}`;
  const names = workers.map((w) => `${w.name}@${w.host}`);
  const shown = names.slice(0, 2).join(", ");
  return `${workers.length} worker${workers.length === 1 ? "" : "s"} (${shown}${names.length > 2 ? ", …" : ""})`;
}

/** The top line: where the server is, whether it answers, its workers and runs by state. */
export function Header({ mode, server, workers, counts, cols }: HeaderProps) {
  const status =
    server.status === "online"
      ? { mark: "●", color: "green", text: "online" }
      : server.status === "connecting"
        ? { mark: "○", color: "yellow", text: "connecting" }
        : { mark: "○", color: "red", text: "offline" };
  const shown = COUNTS.filter(([key]) => (counts.get(key) ?? 0) > 0);
  return (
    <Text wrap="truncate-end">
      <Text bold>orch{cols < 90 ? "" : mode === "up" ? " up" : " monitor"}</Text>
      <Text> {cols < 90 ? server.url.replace(/^https?:\/\//, "") : server.url || "…"} </Text>
      <Text color={status.color}>
        {status.mark}
        {cols < 90 ? "" : ` ${status.text}`}
      </Text>
      <Text color="gray"> │ </Text>
      <Text>{workersText(workers, cols)}</Text>
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
