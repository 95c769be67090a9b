import { Text } from "ink";
import type { MonitorState } from "./state.ts";

const MAIN: [key: string, what: string][] = [
  ["↑↓", "move"],
  ["tab", "pane"],
  ["enter", "details"],
  ["r", "trigger"],
  ["c", "cancel"],
  ["R", "retry"],
  ["p", "pause"],
  ["/", "filter"],
  ["?", "help"],
  ["q", "quit"],
];

const DETAILS: [string, string][] = [
  ["↑↓", "scroll logs"],
  ["G", "follow"],
  ["esc", "back"],
  ["r", "trigger"],
  ["c", "cancel"],
  ["R", "retry"],
  ["u", "resume"],
  ["?", "help"],
  ["q", "quit"],
];

/** The bottom line: the keys that work now, or the question or prompt being asked. */
export function KeyBar({
  overlay,
  details,
  problems = 0,
}: Pick<MonitorState, "overlay" | "details"> & {
  /** Files with problems and start-up notices: `!` shows them. */
  problems?: number;
}) {
  if (overlay?.kind === "confirm") {
    return (
      <Text wrap="truncate-end" color="yellow" bold>
        {overlay.message} [y/N]
      </Text>
    );
  }
  if (overlay?.kind === "retry") {
    return (
      <Text wrap="truncate-end" color="yellow" bold>
        Retry run {overlay.runId.slice(0, 8)}
        {overlay.version ? ` on ${overlay.version}` : ""}: [f] from the failed task (reuse what
        completed) · [a] every task again · esc
      </Text>
    );
  }
  if (overlay?.kind === "filter") {
    return (
      <Text wrap="truncate-end">
        <Text color="cyan">/</Text>
        {overlay.draft}
        <Text inverse> </Text>
        <Text color="gray"> enter keeps the filter · esc clears it</Text>
      </Text>
    );
  }
  const keys =
    overlay?.kind === "trigger"
      ? [
          ["tab/↑↓", "field"],
          ["enter", "run"],
          ["esc", "cancel"],
        ]
      : overlay?.kind === "help"
        ? [["any key", "closes"]]
        : overlay?.kind === "problems"
          ? [
              ["↑↓", "scroll"],
              ["a", "acknowledge start-up notices"],
              ["esc", "close"],
            ]
          : details
            ? DETAILS
            : problems
              ? [["!", "problems"], ...MAIN]
              : MAIN;
  return (
    <Text wrap="truncate-end">
      {keys.map(([key, what], i) => (
        <Text key={key}>
          {i ? "  " : ""}
          <Text color="cyan" bold>
            {key}
          </Text>
          <Text color="gray"> {what}</Text>
        </Text>
      ))}
    </Text>
  );
}
