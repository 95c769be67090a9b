import { type FileProblemsJson, iso } from "../core/index.ts";
import type { Store } from "./open-store.ts";
import { sqlite } from "./sqlite.ts";

// Which definition files are invalid now, with every problem of each: what the monitor's
// problems pane loads (an event alone is missed by a view that was not listening).

/** Record all of a file's current problems. Call inside the deploy's transaction. */
export function setFileProblems(store: Store, file: string, problems: readonly string[]): void {
  sqlite(store)
    .query(
      `INSERT INTO definition_problems (file, problems, at) VALUES (?, ?, ?)
       ON CONFLICT (file) DO UPDATE SET problems = excluded.problems,
         at = CASE WHEN problems = excluded.problems THEN at ELSE excluded.at END`,
    )
    .run(file, JSON.stringify(problems), store.clock.now());
}

/** Forget a file's problems (it is valid again, or gone); false when it had none. */
export function clearFileProblems(store: Store, file: string): boolean {
  return (
    sqlite(store).query("DELETE FROM definition_problems WHERE file = ?").run(file).changes > 0
  );
}

/** Every file invalid now, by path. */
export function listFileProblems(store: Store): FileProblemsJson[] {
  const rows = sqlite(store)
    .query("SELECT file, problems, at FROM definition_problems ORDER BY file")
    .all() as { file: string; problems: string; at: number }[];
  return rows.map((r) => ({ file: r.file, problems: JSON.parse(r.problems), at: iso(r.at)! }));
}
