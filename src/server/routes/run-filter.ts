import {
  closest,
  OrchError,
  parseStateFilter,
  RUN_STATE_NAMES,
  STATE_TYPES,
} from "../../core/index.ts";
import type { RunFilter } from "../../store/index.ts";

/** The problem of a query parameter, as a 400. */
const bad = (where: string, message: string) =>
  new OrchError("E_BAD_INPUT", "the query is not valid", [{ where, message }]);

/**
 * The run filter of a listing's query (GET /api/runs and /api/runs/counts): deployment, state
 * (a type or a name: parseStateFilter), tag, since/until, q, and whether the planned future is
 * left out. Bad values are 400s.
 */
export function runFilterOf(query: Record<string, unknown>, now: number): RunFilter {
  const asked = query.state as string | undefined;
  const state = asked === undefined ? undefined : parseStateFilter(asked);
  if (state === null) {
    const near = closest(asked!, [...STATE_TYPES, ...RUN_STATE_NAMES]);
    throw bad(
      "state",
      `${JSON.stringify(asked)} is neither a state type (${STATE_TYPES.join(", ")}) nor a state name (${RUN_STATE_NAMES.join(", ")})${near ? `; did you mean ${near}?` : ""}`,
    );
  }
  const time = (key: "since" | "until") => {
    if (query[key] === undefined) return undefined;
    const ms = Date.parse(String(query[key]));
    if (Number.isNaN(ms)) throw bad(key, `${JSON.stringify(query[key])} is not an ISO time`);
    return ms;
  };
  const [since, until] = [time("since"), time("until")];
  if (since !== undefined && until !== undefined && since >= until) {
    throw bad("until", "must be after since");
  }
  return {
    ...(query.planned === false ? { plannedAfter: now } : {}),
    since,
    until,
    deployment: query.deployment as string | undefined,
    ...(state ? { state: state.type, ...(state.name ? { stateName: state.name } : {}) } : {}),
    tag: query.tag as string | undefined,
    text: query.q as string | undefined,
  };
}
