import { Text } from "ink";
import { clockTime } from "./format.ts";
import type { EventLine as Event, MonitorState } from "./state.ts";

const COLORS = { info: undefined, warn: "yellow", error: "red" } as const;

/** The newest event (a redeploy, an invalid file with file:line, a crash), or why orch is unreachable. */
export function EventLine({
  event,
  server,
  now,
}: {
  event: Event | undefined;
  server: MonitorState["server"];
  now: number;
}) {
  if (server.status === "offline") {
    return (
      <Text wrap="truncate-end" color="red">
        ✖ {server.error ?? `cannot reach orch at ${server.url}`}; retrying
      </Text>
    );
  }
  if (!event) return <Text color="gray"> </Text>;
  return (
    <Text wrap="truncate-end" color={COLORS[event.level]}>
      <Text color="gray">{clockTime(new Date(event.at).toISOString(), now)} </Text>
      {event.level === "error" ? "✖ " : event.level === "warn" ? "▲ " : ""}
      {event.text}
    </Text>
  );
}
