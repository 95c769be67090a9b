import { isStateType, OrchError } from "../../core/index.ts";
import type { RunFilter } from "../../store/index.ts";

/** The problem of a query parameter, as a 400. */
const bad = (where: string, message: string) =>
  new OrchError("E_BAD_INPUT", "the query is not valid", [{ where, message }]);

/**
 * The run filter of a listing's query (GET /api/runs and /api/runs/counts): deployment, state,
 * tag, since/until, q, and whether the planned future is left out. Bad values are 400s.
 */
export function runFilterOf(query: Record<string, unknown>, now: number): RunFilter {
  const state = (query.state as string | undefined)?.toUpperCase();
  if (state !== undefined && !isStateType(state)) {
    throw bad(
      "state",
      `must be a state type (SCHEDULED, RUNNING, …), not ${JSON.stringify(query.state)}`,
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
    state,
    tag: query.tag as string | undefined,
    text: query.q as string | undefined,
  };
}
