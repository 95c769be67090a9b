/**
 * The first data each page asks for, as API paths. The pages ask by these paths, and the page's
 * boot script (boot.ts) asks for the same ones the moment the HTML arrives, while the app's own
 * script still loads; api.ts then hands those answers to the page instead of asking again.
 * Plain functions with no UI, so the boot script stays small.
 */
import { type Location, locationOf, matchRoute } from "./components/location.ts";
import { apiQuery, filtersFromQuery, type RunFilters } from "./components/run-filters.ts";
import {
  EARLY_KEY,
  type EarlyEntry,
  entryOf,
  FIRST_DATA_ELEMENT,
  type FirstData,
  renderTime,
} from "./early.ts";

/** The runs page's first page of the listing: a screenful and some, so the page shows soon. */
export const FIRST_RUNS_PAGE = 60;

/** How many of a deployment's latest runs its row on the deployments page shows. */
export const LAST_RUNS = 10;

/** Log lines a run's page reads before it follows the rest live. */
export const FIRST_LOG_LINES = 5000;

/**
 * The time a listing's range (`last 24h`) counts back from. The boot script and the app ask for
 * the first page by the same path only if both count from the same instant: the page's first
 * asker sets it (or the server that drew the page), and for a few seconds after the page loads
 * both use it; then it is now. On the server, it is the time of the render.
 */
function rangeNow(): number {
  const rendered = renderTime();
  if (rendered !== undefined) return rendered;
  const page = globalThis as { __orchRangeNow?: number };
  const now = Date.now();
  page.__orchRangeNow ??= now;
  return now - page.__orchRangeNow < 10_000 ? page.__orchRangeNow : now;
}

/** The page's listings count their range back from `now` (the time the server drew it). */
export function startRangeAt(now: number): void {
  (globalThis as { __orchRangeNow?: number }).__orchRangeNow = now;
}

/**
 * Take the answers the server wrote into the page (it drew the page's first frame from them) as
 * the early ones, and their time as the time a listing's range counts back from. False when the
 * page holds none.
 */
export function adoptFirstData(): boolean {
  const written = document.getElementById(FIRST_DATA_ELEMENT)?.textContent;
  if (!written) return false;
  const data = JSON.parse(written) as FirstData;
  startRangeAt(data.now);
  const early = new Map<string, EarlyEntry>();
  for (const [path, done] of Object.entries(data.answers)) early.set(path, entryOf(done));
  (globalThis as unknown as Record<string, unknown>)[EARLY_KEY] = early;
  return true;
}

/** A page of the runs listing (`cursor`: where the last one ended). */
export const runsPath = (filters: RunFilters, limit: number, cursor?: string) =>
  `/api/runs${apiQuery(filters, rangeNow(), { limit, cursor })}`;

/** The count per state of a listing (its state filter left out). */
export const runCountsPath = (filters: RunFilters) =>
  `/api/runs/counts${apiQuery(filters, rangeNow(), {}, false)}`;

/** One run, with its history and tasks. */
export const runPath = (id: string) => `/api/runs/${encodeURIComponent(id)}`;

/** A run's first log lines, oldest first. */
export const runLogsPath = (id: string) =>
  `/api/runs/${encodeURIComponent(id)}/logs?limit=${FIRST_LOG_LINES}`;

/** Every deployment, each with its latest runs. */
export const DEPLOYMENTS_PATH = `/api/deployments?last_runs=${LAST_RUNS}`;

/** Every deployment's triggers, with when each last fired. */
export const TRIGGERS_PATH = "/api/triggers";

/** What each page reads first, by its route. */
const FIRST_DATA: {
  path: string;
  paths: (params: Record<string, string>, query: URLSearchParams) => string[];
}[] = [
  { path: "/deployments", paths: () => [DEPLOYMENTS_PATH, TRIGGERS_PATH] },
  {
    path: "/runs",
    paths: (_, query) => {
      const filters = filtersFromQuery(query);
      return [runsPath(filters, FIRST_RUNS_PAGE), runCountsPath(filters)];
    },
  },
  { path: "/runs/:id", paths: ({ id }) => [runPath(id!), runLogsPath(id!)] },
];

/** The API paths the page at `hash` (an older link's `#/runs`) reads first. */
export const firstDataOf = (hash: string): string[] => firstDataAt(locationOf(hash));

/** The API paths the page at `location` reads first (none for a page not listed here). */
export function firstDataAt(location: Location): string[] {
  const match = matchRoute(FIRST_DATA, location.path === "/" ? "/deployments" : location.path);
  return match ? match.route.paths(match.params, location.query) : [];
}
