/** @jsxImportSource preact */
/**
 * Problems: every definition file that is invalid now, each problem with its file:line:col
 * (its deployments keep their last good version), and what start-up found (runs that crashed
 * while orch was down) until acknowledged. Live: a file fixed disappears from here.
 */
import { useState } from "preact/hooks";
import type { ProblemsJson } from "../../../core/index.ts";
import { type ApiError, get, post } from "../api.ts";
import { formatRelative, formatTime } from "../components/format.ts";
import { ErrorBox, Loading, PageTitle } from "../components/Layout.tsx";
import type { PageProps } from "../components/router.ts";
import { useLiveData } from "../live.ts";

/** The Problems page. */
export function ProblemsPage(_props: PageProps) {
  const { data, error, reload } = useLiveData(() => get<ProblemsJson>("/api/problems"), {
    prefixes: ["deployment.invalid", "deployment.valid-again", "notice."],
  });
  const [ackError, setAckError] = useState<ApiError | null>(null);
  const acknowledge = async () => {
    try {
      await post("/api/problems/acknowledge", {});
      setAckError(null);
      reload();
    } catch (failure) {
      setAckError(failure as ApiError);
    }
  };
  return (
    <div>
      <PageTitle title="Problems" />
      <ErrorBox error={error ?? ackError} />
      {!data ? (
        <Loading />
      ) : (
        <>
          {data.files.length === 0 && data.notices.length === 0 && (
            <p class="muted" data-testid="no-problems">
              No problems: every definition file is valid.
            </p>
          )}
          {data.files.map((f) => (
            <section class="panel problem-file" key={f.file} data-testid="problem-file">
              <h2 class="mono">{f.file}</h2>
              <p class="muted">
                Invalid since {formatTime(f.at)} ({formatRelative(f.at)}); its deployments keep
                their last good version (one never valid deploys nothing until it is fixed).
              </p>
              <ul class="mono">
                {f.problems.map((p) => (
                  <li key={p}>{p}</li>
                ))}
              </ul>
            </section>
          ))}
          {data.notices.length > 0 && (
            <section class="panel">
              <div class="page-title">
                <h2>Found at start-up</h2>
                <button type="button" onClick={acknowledge}>
                  Acknowledge all
                </button>
              </div>
              <ul>
                {data.notices.map((n) => (
                  <li key={n.id}>
                    {formatTime(n.at)}:{" "}
                    {n.resource ? <a href={`/runs/${n.resource}`}>{n.message}</a> : n.message}
                  </li>
                ))}
              </ul>
            </section>
          )}
        </>
      )}
    </div>
  );
}
