/**
 * The URL of a thread's entry module, `path` from src/ (`worker/spawn-thread.ts`), for a caller
 * one folder under src/ (`callerUrl`: its import.meta.url). Why: from source the entry sits beside
 * the caller's folder, but in the executable every module sits under the bundle's root (src/)
 * and import.meta.url names the executable itself. The entry must be one of the build's
 * entrypoints (scripts/build.ts).
 */
export function threadEntryUrl(path: string, callerUrl: string): string {
  const base = callerUrl.includes("/$bunfs/") ? "./" : "../";
  return new URL(`${base}${path}`, callerUrl).href;
}
