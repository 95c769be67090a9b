/** @jsxImportSource preact */
/**
 * The form that triggers a run of a deployment: a field per parameter, built from its parameter
 * schema (types, defaults, enums, bounds), when it starts ("run at"), and the per-run options of
 * `orch run` (version, timeout, env, tags, name). Fields are checked here as the monitor checks
 * them; what the server still refuses comes back under the field it names.
 */
import { useState } from "preact/hooks";
import { parseDuration } from "../../../core/duration.ts";
import type { DeploymentDetail, RunJson, TriggerRunRequest } from "../../../core/index.ts";
import { type FormField, parameterFields } from "../../../core/parameter-form.ts";
import { parseWhen } from "../../../core/run-time.ts";
import { ApiError, post, seg } from "../api.ts";
import {
  type FieldErrors,
  FieldProblem,
  fieldPlace,
  readFields,
  SchemaFields,
} from "./SchemaFields.tsx";

/** The options' field names, as the server names them in its problems. */
const OPTION_FIELDS = ["when", "version", "timeout_ms", "env", "tags", "name"] as const;

/** The request body from the form, or every field's problem. */
export function readRunRequest(
  fields: FormField[],
  texts: Record<string, string>,
  options: {
    start: "now" | "in" | "at";
    when: string;
    version: string;
    timeout: string;
    env: string;
    tags: string;
    name: string;
  },
  now = Date.now(),
): { body: TriggerRunRequest } | { errors: FieldErrors } {
  const { values: parameters, errors } = readFields("parameters", fields, texts);
  const body: TriggerRunRequest = { parameters };
  if (options.start !== "now") {
    try {
      const text = options.when.trim();
      if (!text) throw new Error(options.start === "in" ? "say how long: 2h, 30m" : "pick a time");
      if (options.start === "in" && parseDuration(text) === undefined) {
        throw new Error(`must be a duration such as 2h or 30m, not ${JSON.stringify(text)}`);
      }
      body.scheduled_at = new Date(parseWhen(text, now)!).toISOString();
    } catch (error) {
      errors.when = (error as Error).message;
    }
  }
  if (options.version) body.version = Number(options.version);
  if (options.timeout.trim()) {
    const ms = parseDuration(options.timeout.trim());
    if (!ms)
      errors.timeout_ms = `must be a duration such as 10m or 30s, not ${JSON.stringify(options.timeout.trim())}`;
    else body.timeout_ms = ms;
  }
  const env: Record<string, string> = {};
  for (const line of options.env
    .split("\n")
    .map((l) => l.trim())
    .filter(Boolean)) {
    const eq = line.indexOf("=");
    const key = line.slice(0, eq);
    if (eq <= 0 || !/^[A-Za-z_][A-Za-z0-9_]*$/.test(key)) {
      errors.env = `${line}: must be KEY=VALUE, KEY made of letters, digits and _`;
      break;
    }
    env[key] = line.slice(eq + 1);
  }
  if (Object.keys(env).length) body.env = env;
  const tags = options.tags
    .split(",")
    .map((t) => t.trim())
    .filter(Boolean);
  if (tags.length) body.tags = tags;
  if (options.name.trim()) body.name = options.name.trim();
  return Object.keys(errors).length ? { errors } : { body };
}

/** Where a problem of the server's belongs in the form (`parameters.limit`, `env`...). */
function fieldOf(where: string | undefined, fields: FormField[]): string | null {
  if (!where) return null;
  const param = fieldPlace("parameters", where, fields);
  if (param) return param;
  if (where === "scheduled_at") return "when";
  const option = OPTION_FIELDS.find((o) => where === o || where.startsWith(`${o}.`));
  return option ?? null;
}

/** The trigger form of one deployment; `onDone` gets the new run (or nothing when closed). */
export function TriggerForm({
  deployment,
  onDone,
}: {
  deployment: DeploymentDetail;
  onDone: (run: RunJson | null) => void;
}) {
  const fields = parameterFields(deployment.parameters, deployment.parameter_schema);
  const [texts, setTexts] = useState<Record<string, string>>(() =>
    Object.fromEntries(fields.map((f) => [f.name, f.text])),
  );
  const [start, setStart] = useState<"now" | "in" | "at">("now");
  const [when, setWhen] = useState("");
  const [version, setVersion] = useState("");
  const [timeout, setTimeout_] = useState("");
  const [env, setEnv] = useState("");
  const [tags, setTags] = useState("");
  const [name, setName] = useState("");
  const [errors, setErrors] = useState<FieldErrors>({});
  const [message, setMessage] = useState<string | null>(null);
  const [sending, setSending] = useState(false);

  async function submit(e: Event) {
    e.preventDefault();
    const read = readRunRequest(fields, texts, { start, when, version, timeout, env, tags, name });
    if ("errors" in read) {
      setErrors(read.errors);
      setMessage("Some fields are not valid.");
      return;
    }
    setErrors({});
    setMessage(null);
    setSending(true);
    try {
      onDone(await post<RunJson>(`/api/deployments/${seg(deployment.name)}/runs`, read.body));
    } catch (error) {
      const failure = error instanceof ApiError ? error : null;
      const placed: FieldErrors = {};
      const rest: string[] = [];
      for (const p of failure?.problems ?? []) {
        const at = fieldOf(p.where, fields);
        if (at) placed[at] = p.message;
        else rest.push(p.where ? `${p.where}: ${p.message}` : p.message);
      }
      setErrors(placed);
      setMessage([failure?.message ?? String(error), ...rest].join("\n"));
    } finally {
      setSending(false);
    }
  }

  const problem = (key: string) => <FieldProblem at={key} errors={errors} />;

  return (
    <form onSubmit={submit} class="trigger-form" data-testid="trigger-form">
      <h2>Run {deployment.name}</h2>
      {fields.length === 0 && <p class="muted">This deployment takes no parameters.</p>}
      <SchemaFields
        group="parameters"
        fields={fields}
        texts={texts}
        onTexts={setTexts}
        errors={errors}
      />
      <div class="field">
        <span>Start</span>
        <div class="actions">
          <select
            name="start"
            value={start}
            onChange={(e) => setStart((e.currentTarget as HTMLSelectElement).value as "now")}
          >
            <option value="now">now</option>
            <option value="in">after…</option>
            <option value="at">at…</option>
          </select>
          {start === "in" && (
            <input
              name="when"
              placeholder="2h, 30m"
              value={when}
              onInput={(e) => setWhen((e.currentTarget as HTMLInputElement).value)}
            />
          )}
          {start === "at" && (
            <input
              name="when"
              type="datetime-local"
              value={when}
              onInput={(e) => setWhen((e.currentTarget as HTMLInputElement).value)}
            />
          )}
        </div>
        {problem("when")}
      </div>
      <details>
        <summary>Options of this run</summary>
        <label class="field">
          <span>Version</span>
          <select
            name="version"
            value={version}
            onChange={(e) => setVersion((e.currentTarget as HTMLSelectElement).value)}
          >
            <option value="">the active one (v{deployment.version})</option>
            {deployment.versions.map((v) => (
              <option key={v.version} value={String(v.version)}>
                v{v.version}
                {v.active ? " (active)" : ""}
              </option>
            ))}
          </select>
          {problem("version")}
        </label>
        <label class="field">
          <span>
            Timeout <span class="hint">over the deployment's: 10m, 30s</span>
          </span>
          <input
            name="timeout"
            value={timeout}
            onInput={(e) => setTimeout_((e.currentTarget as HTMLInputElement).value)}
          />
          {problem("timeout_ms")}
        </label>
        <label class="field">
          <span>
            Environment <span class="hint">KEY=VALUE, one a line, over the deployment's env</span>
          </span>
          <textarea
            name="env"
            rows={2}
            cols={50}
            value={env}
            onInput={(e) => setEnv((e.currentTarget as HTMLTextAreaElement).value)}
          />
          {problem("env")}
        </label>
        <label class="field">
          <span>
            Tags <span class="hint">comma-separated</span>
          </span>
          <input
            name="tags"
            value={tags}
            onInput={(e) => setTags((e.currentTarget as HTMLInputElement).value)}
          />
          {problem("tags")}
        </label>
        <label class="field">
          <span>
            Name <span class="hint">default: the deployment's run_name</span>
          </span>
          <input
            name="name"
            value={name}
            onInput={(e) => setName((e.currentTarget as HTMLInputElement).value)}
          />
          {problem("name")}
        </label>
      </details>
      {message && (
        <div class="error" role="alert">
          {message}
        </div>
      )}
      <div class="actions form-actions">
        <button type="submit" class="primary" disabled={sending}>
          {sending ? "Starting…" : "Run"}
        </button>
        <button type="button" onClick={() => onDone(null)}>
          Cancel
        </button>
      </div>
    </form>
  );
}
