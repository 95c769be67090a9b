/** @jsxImportSource preact */
/**
 * A run's artifacts, rendered: markdown as formatted text (escaped: no HTML of the flow's own
 * reaches the page), tables as tables, links as links.
 */
import { useEffect, useState } from "preact/hooks";
import { tableCells } from "../../../core/artifacts.ts";
import type { ArtifactJson } from "../../../core/index.ts";
import { ApiError, get, seg } from "../api.ts";
import { ErrorBox } from "./Layout.tsx";
import { renderMarkdown } from "./markdown.ts";

/** Rows of a table artifact drawn at most (the API has them all). */
const MAX_ROWS = 500;

function Table({ rows }: { rows: unknown[] }) {
  const { columns, cells } = tableCells(rows.slice(0, MAX_ROWS));
  return (
    <div class="table-wrap">
      <table>
        <thead>
          <tr>
            {columns.map((c) => (
              <th key={c}>{c}</th>
            ))}
          </tr>
        </thead>
        <tbody>
          {cells.map((row, i) => (
            // biome-ignore lint/suspicious/noArrayIndexKey: a row's place is all it has
            <tr key={i}>
              {row.map((cell, k) => (
                // biome-ignore lint/suspicious/noArrayIndexKey: a cell's column is its place
                <td key={k}>{cell}</td>
              ))}
            </tr>
          ))}
        </tbody>
      </table>
      {rows.length > MAX_ROWS ? (
        <p class="muted">
          First {MAX_ROWS} of {rows.length} rows
        </p>
      ) : null}
    </div>
  );
}

/** One artifact, by its type. */
export function ArtifactBody({ artifact }: { artifact: Pick<ArtifactJson, "type" | "data"> }) {
  if (artifact.type === "markdown") {
    return (
      <div
        class="markdown"
        // Safe: renderMarkdown escapes every character of the text before adding its own tags.
        // biome-ignore lint/security/noDangerouslySetInnerHtml: the HTML is renderMarkdown's own
        dangerouslySetInnerHTML={{ __html: renderMarkdown(String(artifact.data)) }}
      />
    );
  }
  if (artifact.type === "table") return <Table rows={artifact.data as unknown[]} />;
  const url = String(artifact.data);
  return /^https?:/i.test(url) ? (
    <a href={url} rel="noopener noreferrer" target="_blank">
      {url}
    </a>
  ) : (
    <code>{url}</code>
  );
}

/** The artifacts of run `runId` (`version` changes when the run does: they are read again). */
export function Artifacts({ runId, version }: { runId: string; version: string }) {
  const [artifacts, setArtifacts] = useState<ArtifactJson[] | null>(null);
  const [error, setError] = useState<ApiError | null>(null);
  // biome-ignore lint/correctness/useExhaustiveDependencies: a new `version` reads them again
  useEffect(() => {
    let alive = true;
    get<ArtifactJson[]>(`/api/runs/${seg(runId)}/artifacts`).then(
      (list) => alive && setArtifacts(list),
      (e: unknown) => alive && setError(e instanceof ApiError ? e : null),
    );
    return () => {
      alive = false;
    };
  }, [runId, version]);
  if (error) return <ErrorBox error={error} />;
  if (!artifacts) return <p class="muted">Loading…</p>;
  return (
    <div data-testid="artifacts">
      {artifacts.map((a) => (
        <div key={a.key} class="artifact" data-testid="artifact" data-key={a.key}>
          <h3>
            {a.key}
            {a.task ? <span class="muted"> · task {a.task}</span> : null}
          </h3>
          {a.description ? <p class="muted">{a.description}</p> : null}
          <ArtifactBody artifact={a} />
        </div>
      ))}
    </div>
  );
}
