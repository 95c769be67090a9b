import { Text } from "ink";

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
  const head = `── ${title} `;
  const tail = note ? ` ${note} ──` : "";
  const rule = "─".repeat(Math.max(0, cols - head.length - tail.length));
  return (
    <Text wrap="truncate-end" color={focused ? "cyan" : "gray"} bold={focused}>
      {head}
      {rule}
      {tail}
    </Text>
  );
}
