/** @jsxImportSource preact */
/**
 * What a person can do to a run from its page: cancel it while it is not finished, retry it once
 * it is (a failed flow from its failed task on, reusing what completed), and resume it while it
 * is paused (with the input its pause asks for).
 */
import { useEffect, useState } from "preact/hooks";
import type { RunDetail } from "../../../core/index.ts";
import { parameterFields } from "../../../core/parameter-form.ts";
import { TERMINAL_TYPES } from "../../../core/states.ts";
import { ApiError, post, seg } from "../api.ts";
import { ErrorBox } from "./Layout.tsx";
import { type FieldErrors, fieldPlace, readFields, SchemaFields } from "./SchemaFields.tsx";

/** The buttons for `run`; `changed` is told after the server took a change. */
export function RunActions({ run, changed }: { run: RunDetail; changed: () => void }) {
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<ApiError | null>(null);
  const [asking, setAsking] = useState(false);
  // What the pause asks for, a field per property as the trigger form asks for parameters.
  const fields = parameterFields({}, run.pause?.input_schema);
  const [texts, setTexts] = useState<Record<string, string>>(() =>
    Object.fromEntries(fields.map((f) => [f.name, f.text])),
  );
  // A schema with no properties to ask one by one (a map of any keys): the input as JSON.
  const [json, setJson] = useState("{}");
  const [errors, setErrors] = useState<FieldErrors>({});
  const finished = TERMINAL_TYPES.includes(run.state);
  // Resumed elsewhere (the CLI, another tab): the form for that pause is done with.
  const waiting = run.state === "PAUSED" && Boolean(run.pause);
  useEffect(() => {
    if (!waiting) setAsking(false);
  }, [waiting]);
  const act = async (path: string, body?: unknown) => {
    setBusy(true);
    setError(null);
    setErrors({});
    try {
      await post(`/api/runs/${seg(run.id)}/${path}`, body);
      setAsking(false);
      changed();
    } catch (e) {
      const failure = e instanceof ApiError ? e : new ApiError(0, "E_INTERNAL", String(e));
      // The server's problems with the input go under the fields they name.
      const placed: FieldErrors = {};
      for (const p of failure.problems ?? []) {
        const at = fieldPlace("input", p.where, fields);
        if (at) placed[at] = p.message;
      }
      setErrors(placed);
      setError(failure);
    } finally {
      setBusy(false);
    }
  };
  const resume = () => {
    if (!run.pause?.input_schema) return void act("resume", {});
    if (!fields.length) {
      try {
        return void act("resume", { input: JSON.parse(json) });
      } catch {
        setError(new ApiError(0, "E_BAD_INPUT", "the input is not JSON: write an object, like {}"));
        return;
      }
    }
    const read = readFields("input", fields, texts);
    setErrors(read.errors);
    if (Object.keys(read.errors).length) return;
    void act("resume", { input: read.values });
  };
  return (
    <div class="run-actions">
      {!finished && run.state !== "CANCELLING" ? (
        <button
          type="button"
          class="danger"
          disabled={busy}
          onClick={() => {
            if (window.confirm("Cancel this run? Its process tree is stopped.")) void act("cancel");
          }}
          data-testid="run-cancel"
        >
          Cancel
        </button>
      ) : null}
      {finished ? (
        <button
          type="button"
          disabled={busy}
          onClick={() => void act("retry")}
          title="Every task again, on the deployment's active version (the code as it is now)"
          data-testid="run-retry"
        >
          Retry
        </button>
      ) : null}
      {run.state === "FAILED" && run.tasks.length ? (
        <button
          type="button"
          disabled={busy}
          onClick={() => void act("retry", { from_failed: true })}
          title="On the deployment's active version (the code as it is now): tasks that completed before the failure with the same inputs and code give back their results; the failed task and what follows run again"
          data-testid="run-retry-failed"
        >
          Retry from failed
        </button>
      ) : null}
      {run.state === "PAUSED" ? (
        run.pause?.input_schema && !asking ? (
          <button
            type="button"
            class="primary"
            onClick={() => setAsking(true)}
            data-testid="run-resume"
          >
            Resume…
          </button>
        ) : (
          <button
            type="button"
            class="primary"
            disabled={busy}
            onClick={resume}
            data-testid="run-resume"
          >
            Resume
          </button>
        )
      ) : null}
      {asking && waiting ? (
        <div class="resume-input" data-testid="resume-input">
          <h3>Input for {run.pause?.key}</h3>
          {fields.length ? (
            <SchemaFields
              group="input"
              fields={fields}
              texts={texts}
              onTexts={setTexts}
              errors={errors}
            />
          ) : (
            <label class="field">
              <span>
                Input <span class="hint">a JSON object</span>
              </span>
              <textarea
                name="input"
                rows={4}
                value={json}
                onInput={(e) => setJson(e.currentTarget.value)}
              />
            </label>
          )}
          <button type="button" class="primary" disabled={busy} onClick={resume}>
            Resume with this input
          </button>
        </div>
      ) : null}
      <ErrorBox error={error} />
    </div>
  );
}
