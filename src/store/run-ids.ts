/**
 * A new run's id: a UUID (version 8, RFC 9562's layout for ids of one's own design) whose first
 * 32 bits count milliseconds, and whose other 90 bits are random.
 *
 * Why not a random UUID: a run's id keys `flow_runs.id`'s index, and a random key lands on a
 * random page of it: planning a large project's runs rewrote one
 * page per run there (and, then, in the events' index by run), about a third of what planning wrote (measured: 100,000 planned runs
 * took half the CPU with ids in time order and the horizons planned in time order). Ids that
 * grow with time are appended instead. Why a counter and not the time alone: the first eight
 * characters are a run's short id (the CLI's listings, the monitor), and runs made in the same
 * millisecond (or minute, with a time's leading digits) would share it; a counter that never
 * falls behind the clock and steps once per run gives each run of this process a short id of its
 * own (for 49 days, when the 32 bits wrap; a prefix that matches two runs is refused as
 * ambiguous, as with random ids, whose short ids collide far sooner). A burst can take the
 * counter ahead of the clock; opening a store carries that lead over (seedRunIds), so runs made
 * after a restart do not share short ids with runs made before it.
 */
let last = 0;

const SPAN = 0x1_0000_0000;
/** The most a stored id's head may lead the clock and still be taken as made by the counter. */
const MAX_LEAD_MS = 60 * 60_000;

/**
 * Carry over the counter's lead from the store's newest run id, when its head is ahead of the
 * clock (a burst of planning just before a restart). A head further ahead than MAX_LEAD_MS is a
 * random id of an older orch, and changes nothing.
 */
export function seedRunIds(newestId: string | undefined, now: number = Date.now()): void {
  if (!newestId) return;
  const head = Number.parseInt(newestId.slice(0, 8), 16);
  if (!Number.isFinite(head)) return;
  const ahead = (((head - (now % SPAN)) % SPAN) + SPAN) % SPAN;
  if (ahead > 0 && ahead <= MAX_LEAD_MS) last = Math.max(last, now + ahead);
}

/** A run's id: time-ordered, unique, and with a short id (its first 8 characters) of its own. */
export function newRunId(now: number = Date.now()): string {
  last = Math.max(last + 1, now);
  const head = (last % SPAN).toString(16).padStart(8, "0");
  const tail = crypto.randomUUID();
  // `tail` is xxxxxxxx-xxxx-4xxx-Vxxx-xxxxxxxxxxxx: keep its random parts and its variant, and
  // say version 8.
  return `${head}${tail.slice(8, 14)}8${tail.slice(15)}`;
}
