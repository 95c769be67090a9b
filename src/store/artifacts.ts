/** Artifacts: markdown, tables and links a flow attaches to its run (and task). */
import { type ArtifactJson, type ArtifactSummary, type ArtifactType, iso } from "../core/index.ts";
import type { Store } from "./open-store.ts";
import { sqlite } from "./sqlite.ts";

/** An artifact to keep. */
export interface NewArtifact {
  key: string;
  type: ArtifactType;
  data: unknown;
  description?: string;
  task?: string;
}

interface ArtifactRow {
  key: string;
  type: ArtifactType;
  data: string;
  description: string | null;
  task: string | null;
  created_at: number;
}

const toJson = (row: ArtifactRow): ArtifactJson => ({
  key: row.key,
  type: row.type,
  data: JSON.parse(row.data),
  description: row.description,
  task: row.task,
  created_at: iso(row.created_at)!,
});

/** Attach an artifact to a run. */
export function addArtifact(store: Store, runSeq: number, artifact: NewArtifact): ArtifactJson {
  const row: ArtifactRow = {
    key: artifact.key,
    type: artifact.type,
    data: JSON.stringify(artifact.data),
    description: artifact.description ?? null,
    task: artifact.task ?? null,
    created_at: store.clock.now(),
  };
  sqlite(store)
    .query(
      "INSERT INTO artifacts (run_seq, task, key, type, data, description, created_at) VALUES (?, ?, ?, ?, ?, ?, ?)",
    )
    .run(runSeq, row.task, row.key, row.type, row.data, row.description, row.created_at);
  return toJson(row);
}

/** A run's artifacts, in the order they were made. */
export function listArtifacts(store: Store, runSeq: number): ArtifactJson[] {
  return (
    sqlite(store)
      .query(
        "SELECT key, type, data, description, task, created_at FROM artifacts WHERE run_seq = ? ORDER BY id",
      )
      .all(runSeq) as ArtifactRow[]
  ).map(toJson);
}

/** What a run's artifacts are, without their data: its details list them. */
export function listArtifactSummaries(store: Store, runSeq: number): ArtifactSummary[] {
  return sqlite(store)
    .query("SELECT key, type, description, task FROM artifacts WHERE run_seq = ? ORDER BY id")
    .all(runSeq) as ArtifactSummary[];
}
