/** @jsxImportSource preact */
/**
 * What a person can do to a run from its page: cancel it while it is not finished, retry it once
 * it is (a failed flow from its failed task on, reusing what completed), and resume it while it
 * is paused (with the input its pause asks for).
 */
import { useState } from "preact/hooks";
import type { RunDetail } from "../../../core/index.ts";
import { TERMINAL_TYPES } from "../../../core/states.ts";
import { ApiError, post, seg } from "../api.ts";
import { ErrorBox } from "./Layout.tsx";

/** The buttons for `run`; `changed` is told after the server took a change. */
export function RunActions({ run, changed }: { run: RunDetail; changed: () => void }) {
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<ApiError | null>(null);
  const [input, setInput] = useState("{}");
  const [asking, setAsking] = useState(false);
  const finished = TERMINAL_TYPES.includes(run.state);
  const act = async (path: string, body?: unknown) => {
    setBusy(true);
    setError(null);
    try {
      await post(`/api/runs/${seg(run.id)}/${path}`, body);
      setAsking(false);
      changed();
    } catch (e) {
      setError(e instanceof ApiError ? e : new ApiError(0, "E_INTERNAL", String(e)));
    } finally {
      setBusy(false);
    }
  };
  const resume = () => {
    if (!run.pause?.input_schema) return void act("resume", {});
    let value: unknown;
    try {
      value = JSON.parse(input);
    } catch {
      setError(new ApiError(0, "E_BAD_INPUT", "the input is not JSON: write an object, like {}"));
      return;
    }
    void act("resume", { input: value });
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
          title="Tasks that completed before the failure give back their results; the failed task and what follows run again"
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
      {asking ? (
        <div class="resume-input">
          <label class="field">
            <span>Input for {run.pause?.key}</span>
            <textarea
              rows={4}
              value={input}
              onInput={(e) => setInput(e.currentTarget.value)}
              data-testid="resume-input"
            />
            <span class="hint mono">{JSON.stringify(run.pause?.input_schema)}</span>
          </label>
          <button type="button" class="primary" disabled={busy} onClick={resume}>
            Resume with this input
          </button>
        </div>
      ) : null}
      <ErrorBox error={error} />
    </div>
  );
}
