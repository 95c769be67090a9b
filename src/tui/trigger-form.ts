import type { DeploymentJson } from "../client/index.ts";
import { parameterFields, parseWhen, readField } from "../core/index.ts";
import type { TriggerForm } from "./state.ts";

/**
 * The trigger form of a deployment: one field per parameter of its schema or its defaults,
 * typed from the schema and prefilled with the default values.
 */
export function createTriggerForm(deployment: DeploymentJson): TriggerForm {
  const fields = parameterFields(deployment.parameters, deployment.parameter_schema);
  fields.push({
    name: WHEN_FIELD,
    type: "string",
    text: "",
    required: false,
    description: "empty: now; 2h: in two hours; 2026-12-01T09:00: at that local time",
  });
  return { deployment: deployment.name, fields, index: 0, errors: {}, sending: false };
}

/** The form's last field: when the run starts (as orch run's --in or --at), not a parameter. */
export const WHEN_FIELD = "start (now, 2h, or a time)";

/**
 * Check the form against its schema: the parameters to send, or every field's problem. The
 * server checks again; its problems come back into the form.
 */
export function readTriggerForm(
  form: TriggerForm,
  now = Date.now(),
):
  | { parameters: Record<string, unknown>; scheduledAt?: string }
  | { errors: Record<string, string> } {
  const parameters: Record<string, unknown> = {};
  const errors: Record<string, string> = {};
  let scheduledAt: string | undefined;
  for (const field of form.fields) {
    if (field.name === WHEN_FIELD) {
      try {
        const at = parseWhen(field.text, now);
        if (at !== undefined) scheduledAt = new Date(at).toISOString();
      } catch (error) {
        errors[field.name] = (error as Error).message;
      }
      continue;
    }
    const { value, error } = readField(field);
    if (error) errors[field.name] = error;
    else if (value !== undefined) parameters[field.name] = value;
  }
  if (Object.keys(errors).length) return { errors };
  return scheduledAt ? { parameters, scheduledAt } : { parameters };
}
