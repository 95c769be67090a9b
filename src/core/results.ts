/**
 * How big a result (a flow's or a task's return value, a cached value, an artifact's data) may
 * be, and where it is kept. Shared by the SDK, which checks before it sends, and the server,
 * which checks what it is sent. Imported by path from the SDK: nothing else comes with it.
 */

/**
 * The largest result, as JSON. Why this figure: a result travels in one API request, whose body
 * is capped at 1 MiB; this leaves room for the request's own fields around it.
 */
export const RESULT_MAX_BYTES = 1_000_000;

/** Results up to this size are kept in the database; larger ones in files under .orch/results/. */
export const RESULT_INLINE_BYTES = 16 * 1024;

/** A byte count for people: `512 B`, `12.3 kB`, `1.2 MB`. */
export function formatBytes(bytes: number): string {
  if (bytes < 1000) return `${bytes} B`;
  if (bytes < 1_000_000) return `${(bytes / 1000).toFixed(1)} kB`;
  return `${(bytes / 1_000_000).toFixed(1)} MB`;
}

/** What to do with a value over the cap, said once for the SDK and the server. */
export function overCapMessage(what: string, bytes: number): string {
  return `${what} is ${formatBytes(bytes)} as JSON, over the ${formatBytes(RESULT_MAX_BYTES)} cap; return something smaller (a summary, or the path of a file you wrote)`;
}
