/** @jsxImportSource preact */
/**
 * The fields of a JSON Schema object, one per property, typed from the schema (text, number,
 * choice, true/false, JSON) and checked here as the monitor checks them. The trigger form asks
 * a deployment's parameters with them, the resume form what a paused run's pause asks for.
 * `group` names the values as the server names them in its problems (`parameters`, `input`).
 */
import { type FormField, fieldHint, readField } from "../../../core/parameter-form.ts";

/** Each field's problem, by its place (`parameters.limit`). */
export type FieldErrors = Record<string, string>;

/** The values the fields say (empty ones left out), and each field's problem. */
export function readFields(
  group: string,
  fields: readonly FormField[],
  texts: Record<string, string>,
): { values: Record<string, unknown>; errors: FieldErrors } {
  const values: Record<string, unknown> = {};
  const errors: FieldErrors = {};
  for (const field of fields) {
    const { value, error } = readField({ ...field, text: texts[field.name] ?? field.text });
    if (error) errors[`${group}.${field.name}`] = error;
    else if (value !== undefined) values[field.name] = value;
  }
  return { values, errors };
}

/** The field a server's problem is about (`parameters.limit[0]` → `parameters.limit`), if one. */
export function fieldPlace(
  group: string,
  where: string | undefined,
  fields: readonly FormField[],
): string | null {
  const name = where?.startsWith(`${group}.`)
    ? /^[^.[]+/.exec(where.slice(group.length + 1))
    : null;
  return name && fields.some((f) => f.name === name[0]) ? `${group}.${name[0]}` : null;
}

/** A field's problem, under it. */
export function FieldProblem({ at, errors }: { at: string; errors: FieldErrors }) {
  return errors[at] ? (
    <div class="invalid" data-field={at}>
      {errors[at]}
    </div>
  ) : null;
}

/** A labelled input per field, each with its problem under it. */
export function SchemaFields({
  group,
  fields,
  texts,
  onTexts,
  errors,
}: {
  group: string;
  fields: readonly FormField[];
  texts: Record<string, string>;
  onTexts: (texts: Record<string, string>) => void;
  errors: FieldErrors;
}) {
  return (
    <>
      {fields.map((field) => (
        <div class="field" key={field.name}>
          <label for={`${group}-${field.name}`}>
            {field.name} <span class="hint">{fieldHint(field)}</span>
          </label>
          <FieldInput
            id={`${group}-${field.name}`}
            name={`${group}.${field.name}`}
            field={field}
            text={texts[field.name] ?? ""}
            onText={(text) => onTexts({ ...texts, [field.name]: text })}
          />
          <FieldProblem at={`${group}.${field.name}`} errors={errors} />
        </div>
      ))}
    </>
  );
}

function FieldInput({
  id,
  name,
  field,
  text,
  onText,
}: {
  id: string;
  name: string;
  field: FormField;
  text: string;
  onText: (text: string) => void;
}) {
  const input = (e: Event) => onText((e.currentTarget as HTMLInputElement).value);
  if (field.enum) {
    return (
      <select id={id} name={name} value={text} onChange={input}>
        {!field.required && <option value="">(default)</option>}
        {field.enum.map((v) => {
          const t = typeof v === "string" ? v : JSON.stringify(v);
          return (
            <option key={t} value={t}>
              {t}
            </option>
          );
        })}
      </select>
    );
  }
  if (field.type === "boolean") {
    return (
      <select id={id} name={name} value={text} onChange={input}>
        {!field.required && <option value="">(default)</option>}
        <option value="true">true</option>
        <option value="false">false</option>
      </select>
    );
  }
  if (field.type === "json") {
    return <textarea id={id} name={name} rows={3} cols={50} value={text} onInput={input} />;
  }
  return (
    <input
      id={id}
      name={name}
      type="text"
      inputMode={field.type === "string" ? "text" : "decimal"}
      size={40}
      value={text}
      onInput={input}
    />
  );
}
