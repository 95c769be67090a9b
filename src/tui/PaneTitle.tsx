import { Text } from "ink";
import { clip, textWidth } from "./format.ts";

/** A pane's title line: `── Runs (12) ─────`, bright when the pane has the keys. */
export function PaneTitle({
  title,
  focused,
  cols,
  note,
}: {
  title: string;
  focused: boolean;
  cols: number;
  note?: string;
}) {
  const tail = note ? ` ${note} ──` : "";
  // A long title (a deployment's name) is cut, not the note: "ended", "1-8 of 25" stay seen.
  const head = `── ${clip(title, Math.max(8, cols - textWidth(tail) - 6))} `;
  const rule = "─".repeat(Math.max(0, cols - textWidth(head) - textWidth(tail)));
  return (
    <Text wrap="truncate-end" color={focused ? "cyan" : "gray"} bold={focused}>
      {head}
      {rule}
      {tail}
    </Text>
  );
}
