import { Box, Text } from "ink";
import { cell } from "./format.ts";
import { PaneTitle } from "./PaneTitle.tsx";
import type { TriggerForm as Form } from "./state.ts";

/** The trigger form: one line per parameter, prefilled with its default, with its problem. */
export function TriggerForm({ form, height, cols }: { form: Form; height: number; cols: number }) {
  const nameWidth = Math.min(24, Math.max(6, ...form.fields.map((f) => f.name.length + 2)));
  const valueWidth = Math.max(10, Math.min(40, cols - nameWidth - 30));
  // Keep the field being edited in view when there are more fields than lines.
  const room = Math.max(1, height - 5);
  const top = Math.max(0, Math.min(form.index - room + 1, form.fields.length - room));
  return (
    <Box flexDirection="column" height={height}>
      <PaneTitle
        title={form.resumeRunId ? `Input for the ${form.deployment}` : `Trigger ${form.deployment}`}
        focused
        cols={cols}
        note={form.sending ? "sending…" : undefined}
      />
      {!form.fields.length && (
        <Text color="gray"> {form.deployment} takes no parameters: enter runs it.</Text>
      )}
      {form.fields.slice(top, top + room).map((field, i) => {
        const at = top + i === form.index;
        const error = form.errors[field.name];
        const hint = field.enum
          ? `one of ${field.enum.map((e) => JSON.stringify(e)).join(", ")}`
          : `${field.type}${field.type === "boolean" ? " (true or false)" : ""}${field.required ? ", required" : ""}`;
        return (
          <Text key={field.name} wrap="truncate-end">
            <Text color={at ? "cyan" : undefined} bold={at}>
              {at ? "› " : "  "}
              {cell(field.name, nameWidth)}
            </Text>
            <Text inverse={at} underline={!at}>
              {cell(field.text, valueWidth)}
            </Text>
            {"  "}
            {error ? (
              <Text color="red">{error}</Text>
            ) : (
              <Text color="gray">{field.description ?? hint}</Text>
            )}
          </Text>
        );
      })}
      <Text> </Text>
      {form.message ? (
        <Text color="red" wrap="truncate-end">
          {"  "}
          {form.message}
        </Text>
      ) : (
        <Text color="gray" wrap="truncate-end">
          {"  "}
          {form.resumeRunId
            ? "Values are checked against what the pause asks for before the run is resumed."
            : "Values are checked against the deployment's parameter schema before the run is sent."}
        </Text>
      )}
    </Box>
  );
}
