/**
 * The URL of a thread's entry module, given by its path under src/ (`server/retention-worker.ts`)
 * and the URL of the module that starts it (`import.meta.url`). Why not a URL relative to the
 * caller: run from the sources, each module sits in its folder under src/; in the compiled
 * executable every module is a chunk at the root of its file system, while each thread's entry
 * (built as an entry of its own, scripts/build.ts) keeps its path under src/ there.
 */
export function threadEntryUrl(fromSrc: string, here: string): string {
  const at = here.lastIndexOf("/src/");
  const root = at >= 0 ? here.slice(0, at + "/src/".length) : new URL("./", here).href;
  return new URL(fromSrc, root).href;
}
