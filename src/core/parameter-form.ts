/**
 * A run's parameters as a form: one field per parameter of a deployment's schema or defaults,
 * typed from the schema, and each field's text read back into a value or what is wrong with it.
 * The monitor's trigger form and the web UI's share it; the server checks the values again.
 */

/** One parameter in a trigger form, typed from the deployment's parameter schema. */
export interface FormField {
  name: string;
  type: "string" | "number" | "integer" | "boolean" | "json";
  text: string;
  required: boolean;
  description?: string;
  enum?: readonly unknown[];
  minimum?: number;
  maximum?: number;
  minLength?: number;
  maxLength?: number;
  pattern?: string;
  multipleOf?: number;
  exclusiveMinimum?: number;
  exclusiveMaximum?: number;
}

interface PropertySchema {
  type?: string | string[];
  description?: string;
  enum?: unknown[];
  default?: unknown;
  minimum?: number;
  maximum?: number;
  minLength?: number;
  maxLength?: number;
  pattern?: string;
  multipleOf?: number;
  exclusiveMinimum?: number;
  exclusiveMaximum?: number;
}

function fieldType(schema: PropertySchema, value: unknown): FormField["type"] {
  const declared = Array.isArray(schema.type) ? schema.type.find((t) => t !== "null") : schema.type;
  if (declared === "string" || declared === "number" || declared === "integer") return declared;
  if (declared === "boolean") return "boolean";
  if (declared) return "json";
  if (typeof value === "string") return "string";
  if (typeof value === "number") return Number.isInteger(value) ? "integer" : "number";
  if (typeof value === "boolean") return "boolean";
  return value === undefined ? "string" : "json";
}

/** A value as a field's text (JSON for anything but a string). */
export const asText = (value: unknown): string =>
  value === undefined ? "" : typeof value === "string" ? value : JSON.stringify(value);

/**
 * One field per parameter of `schema` (a JSON Schema object) or of `defaults`, typed from the
 * schema and prefilled with the default values.
 */
export function parameterFields(
  defaults: Record<string, unknown>,
  parameterSchema: unknown,
): FormField[] {
  const schema = (parameterSchema ?? {}) as {
    properties?: Record<string, PropertySchema>;
    required?: string[];
  };
  const properties = schema.properties ?? {};
  const required = new Set(schema.required ?? []);
  const names = [...new Set([...Object.keys(properties), ...Object.keys(defaults)])];
  return names.map((name): FormField => {
    const prop = properties[name] ?? {};
    const value = name in defaults ? defaults[name] : prop.default;
    const field: FormField = {
      name,
      type: fieldType(prop, value),
      text: asText(value),
      required: required.has(name),
    };
    if (prop.description) field.description = prop.description;
    if (prop.enum) field.enum = prop.enum;
    if (prop.minimum !== undefined) field.minimum = prop.minimum;
    if (prop.maximum !== undefined) field.maximum = prop.maximum;
    if (prop.minLength !== undefined) field.minLength = prop.minLength;
    if (prop.maxLength !== undefined) field.maxLength = prop.maxLength;
    if (prop.pattern !== undefined) field.pattern = prop.pattern;
    // Shown in the hint, checked by the server alone (its message comes back under the field).
    if (typeof prop.multipleOf === "number") field.multipleOf = prop.multipleOf;
    if (typeof prop.exclusiveMinimum === "number") field.exclusiveMinimum = prop.exclusiveMinimum;
    if (typeof prop.exclusiveMaximum === "number") field.exclusiveMaximum = prop.exclusiveMaximum;
    return field;
  });
}

/**
 * A field's hint: its type and every rule its schema sets (`integer, ≥ 1, multiple of 5,
 * required`), so what the server will refuse is said before it is sent.
 */
export function fieldHint(field: FormField): string {
  const bits: string[] = [field.type];
  if (field.minimum !== undefined) bits.push(`≥ ${field.minimum}`);
  if (field.exclusiveMinimum !== undefined) bits.push(`> ${field.exclusiveMinimum}`);
  if (field.maximum !== undefined) bits.push(`≤ ${field.maximum}`);
  if (field.exclusiveMaximum !== undefined) bits.push(`< ${field.exclusiveMaximum}`);
  if (field.multipleOf !== undefined) bits.push(`multiple of ${field.multipleOf}`);
  if (field.minLength !== undefined) bits.push(`at least ${field.minLength} characters`);
  if (field.maxLength !== undefined) bits.push(`at most ${field.maxLength} characters`);
  if (field.pattern !== undefined) bits.push(`matching ${field.pattern}`);
  if (field.required) bits.push("required");
  return `${bits.join(", ")}${field.description ? ` — ${field.description}` : ""}`;
}

/** One field's value, or what is wrong with it; `undefined` value: left empty (not sent). */
export function readField(field: FormField): { value?: unknown; error?: string } {
  const text = field.text.trim();
  if (!text && field.type !== "string") {
    return field.required ? { error: "is required" } : {};
  }
  if (!field.text && field.required) return { error: "is required" };
  let value: unknown;
  switch (field.type) {
    case "string":
      value = field.text;
      if (!field.text) return {};
      break;
    case "number":
    case "integer":
      value = Number(text);
      if (!Number.isFinite(value))
        return { error: `must be a number, not ${JSON.stringify(text)}` };
      if (field.type === "integer" && !Number.isInteger(value))
        return { error: `must be a whole number, not ${text}` };
      break;
    case "boolean":
      if (/^(true|yes|y|1)$/i.test(text)) value = true;
      else if (/^(false|no|n|0)$/i.test(text)) value = false;
      else return { error: "must be true or false" };
      break;
    case "json":
      try {
        value = JSON.parse(text);
      } catch {
        return { error: "must be JSON (an array or object)" };
      }
  }
  if (field.enum && !field.enum.some((e) => JSON.stringify(e) === JSON.stringify(value)))
    return { error: `must be one of ${field.enum.map((e) => JSON.stringify(e)).join(", ")}` };
  if (typeof value === "number") {
    if (field.minimum !== undefined && value < field.minimum)
      return { error: `must be at least ${field.minimum}` };
    if (field.maximum !== undefined && value > field.maximum)
      return { error: `must be at most ${field.maximum}` };
  }
  if (typeof value === "string") {
    if (field.minLength !== undefined && value.length < field.minLength)
      return { error: `must be at least ${field.minLength} characters` };
    if (field.maxLength !== undefined && value.length > field.maxLength)
      return { error: `must be at most ${field.maxLength} characters` };
    if (field.pattern !== undefined) {
      try {
        if (!new RegExp(field.pattern, "u").test(value))
          return { error: patternMessage(field.pattern, value) };
      } catch {}
    }
  }
  return { value };
}

/**
 * What a value its schema's `pattern` refuses is told, the same in the CLI, the API and the web
 * form: the pattern itself (`must match ^\d{4}-\d{2}-\d{2}$, not "2026/01/01"`), since "is not
 * valid" leaves the user guessing.
 */
export function patternMessage(pattern: string, value: unknown, description?: string): string {
  return `must match ${pattern}${description ? ` (${description})` : ""}, not ${JSON.stringify(value)}`;
}
